package io.raftoral.demo;

import io.raftoral.demo.bench.HistoryBenchmark;
import io.raftoral.demo.bench.LmdbStoreBenchmark;
import io.raftoral.demo.bench.RuntimeBenchmark;
import io.raftoral.demo.bench.WorkflowBenchmark;
import io.raftoral.lmdb.LmdbDurability;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raftoral bench runtime|workflow|store|history}: the benchmarks of the runtime, the workflows, the LMDB store
 * and the heap with checkpoint history.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Runs a benchmark in this JVM (3 nodes, in-JVM transport) and prints its figures.",
        "  runtime:  sequential proposal latency and throughput with 64 in flight",
        "  workflow: a workflow of 10 steps (--steps compute|checkpoint), sequential latency and throughput with 32"
            + " in flight",
        "  store:    raw LMDB store throughput with 1, 8 and 64 groups writing at once",
        "  history:  the heap with one workflow of 10,000 checkpoints and 1,000 running of 1,000 each"})
final class BenchCommand implements Callable<Integer> {

  enum Kind { runtime, workflow, store, history }

  enum Store { memory, lmdb }

  enum Steps { compute, checkpoint }

  @Parameters(index = "0", description = "runtime, workflow, store or history")
  Kind kind;

  @Option(names = "--store", defaultValue = "memory", description = "memory or lmdb (default: ${DEFAULT-VALUE})")
  Store store;

  @Option(names = "--dir", description = "directory for the LMDB stores (default: a temporary directory)")
  String dir;

  @Option(names = "--steps", defaultValue = "compute",
      description = "workflow benchmark: compute (side effects, each durable before the next: what DBOS and Temporal"
          + " steps are) or checkpoint (plain pipelined checkpoints) (default: ${DEFAULT-VALUE})")
  Steps steps;

  @Option(names = "--pipelining", defaultValue = "true", arity = "1",
      description = "workflow benchmark: continue before a checkpoint commits (default: ${DEFAULT-VALUE})")
  boolean pipelining;

  @Option(names = "--durability", defaultValue = "POWER_LOSS", paramLabel = "POWER_LOSS|PROCESS_CRASH",
      description = "LMDB stores: what an acknowledged write survives (default: ${DEFAULT-VALUE})")
  LmdbDurability durability;

  @Option(names = "--warmup", paramLabel = "N",
      description = "workflow benchmark: workflows run at least before anything is measured; the warm-up goes on"
          + " until the JIT compilers are quiet (under 5% of a core) or 90 s passed (default: "
          + WorkflowBenchmark.DEFAULT_WARMUP + ")")
  Integer warmup;

  @Override
  public Integer call() throws Exception {
    if (warmup != null) {
      System.setProperty("bench.warmup", Integer.toString(warmup));
    }
    System.setProperty("bench.store", store.name());
    System.setProperty("bench.durability", durability.name());
    System.setProperty("bench.pipelining", Boolean.toString(pipelining));
    System.setProperty("bench.steps", steps.name());
    if (dir != null) {
      System.setProperty("bench.dir", dir);
    }
    switch (kind) {
      case runtime -> RuntimeBenchmark.main(new String[0]);
      case workflow -> WorkflowBenchmark.main(new String[0]);
      case store -> LmdbStoreBenchmark.main(new String[0]);
      case history -> HistoryBenchmark.main(new String[0]);
      default -> throw new IllegalStateException(kind.name());
    }
    return 0;
  }
}
