package io.raftoral.demo.bench;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The workflow benchmark: three replicas in one JVM (in-JVM transport), a workflow of 10 steps started on the
 * leader. After a warm-up (at least {@link #DEFAULT_WARMUP} workflows, {@code -Dbench.warmup}, then until the JIT
 * is quiet), measures sequential start-to-result latency (p50/p99 over 200, split into the start phase, until the
 * start is committed, and the steps phase, until the result) and throughput with 32 workflows in flight (over
 * {@value #DEFAULT_TOTAL}, {@code -Dbench.total}). Stores: in-memory by default; LMDB with {@code -Dbench.store=lmdb}.
 *
 * <p>The step kind ({@code -Dbench.steps}) is what a reader compares: {@code compute} (the default) is a side
 * effect whose outcome is durable before the workflow goes on, like a DBOS or Temporal step, so each step waits for
 * its commit; {@code checkpoint} records values that the workflow already has, pipelined (no peer offers it).
 * {@code -Dbench.pipelining=false} makes every plain checkpoint wait for its commit too.
 *
 * <p>Run: {@code mvn -B -q -pl raftoral-vertx test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.bench.WorkflowBenchmark}
 */
public final class WorkflowBenchmark {

  static final String TEN_CHECKPOINTS = "ten_checkpoints";
  static final String TEN_COMPUTES = "ten_computes";
  private static final int STEPS = 10;
  /**
   * Workflows run at least before measuring; the warm-up then goes on until the JIT is quiet (see
   * {@link #JIT_QUIET_SHARE}). On these 2-core machines C2 still takes a third of the CPU 10 s into a run and about
   * half a core 20 s in; after 2,000 workflows (the former warm-up) the measured phases ran against the compiler.
   */
  public static final int DEFAULT_WARMUP = 10_000;
  /** The warm-up ends once the JIT compilers used less than this share of one core over its last round. */
  static final double JIT_QUIET_SHARE = 0.05;
  /** ... or after this long, whatever the JIT does. */
  static final long WARMUP_MAX_MILLIS = 90_000;
  private static final int WARMUP_ROUND = 2_000;
  /**
   * Workflows of the throughput phase: about 4 s here, so that a young collection or a snapshot neither makes nor
   * breaks a round (2,000, the former figure and DBOS's, took under a second).
   */
  static final int DEFAULT_TOTAL = 10_000;

  /** Ten side-effect steps, step k returns the previous value plus one (like the DBOS peer's steps). */
  static Uni<Integer> tenComputes(Integer start, WorkflowContext ctx) {
    Uni<Integer> chain = Uni.createFrom().item(start);
    for (int i = 0; i < STEPS; i++) {
      String key = "step-" + i;
      chain = chain.flatMap(v -> ctx.compute(key, Integer.class, () -> Uni.createFrom().item(v + 1)));
    }
    return chain;
  }

  /** Ten checkpoints, each of the previous value plus one. */
  static Uni<Integer> tenCheckpoints(Integer start, WorkflowContext ctx) {
    Uni<Integer> chain = Uni.createFrom().item(start);
    for (int i = 0; i < STEPS; i++) {
      String key = "step-" + i;
      chain = chain.flatMap(v -> ctx.checkpoint(key, v + 1));
    }
    return chain;
  }

  /**
   * Runs the benchmark on in-memory stores, or with {@code -Dbench.store=lmdb} on LMDB stores (fsync on every
   * commit) in a temporary directory (or {@code -Dbench.dir=...}).
   */
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      String label;
      LongFunction<LogStore> stores;
      if ("lmdb".equals(System.getProperty("bench.store", "memory"))) {
        Path base = System.getProperty("bench.dir") != null
            ? Path.of(System.getProperty("bench.dir"))
            : BenchSupport.scratchDirectory("raftoral-wf-bench");
        label = "LMDB store (fsync) in " + base;
        stores = id -> LmdbLogStore.open(vertx, base.resolve("node-" + id), BenchSupport.storeOptions());
      } else {
        label = "in-memory store";
        stores = id -> new InMemoryLogStore(vertx);
      }
      run(vertx, label, stores);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }


  /** Runs both measurements on a fresh 3-node cluster whose stores come from {@code stores}. */
  public static void run(Vertx vertx, String label, LongFunction<LogStore> stores) throws Exception {
    int sequential = Integer.getInteger("bench.sequential", 200);
    int total = Integer.getInteger("bench.total", DEFAULT_TOTAL);
    int inflight = Integer.getInteger("bench.inflight", 32);
    boolean pipelining = Boolean.parseBoolean(System.getProperty("bench.pipelining", "true"));
    String steps = System.getProperty("bench.steps", "compute");
    long snapshotEvery = Long.getLong("bench.snapshotEveryEntries", 20_000);
    int warmup = Integer.getInteger("bench.warmup", DEFAULT_WARMUP);
    if (!steps.equals("compute") && !steps.equals("checkpoint")) {
      throw new IllegalArgumentException("bench.steps must be compute or checkpoint, was " + steps);
    }
    String workflow = steps.equals("compute") ? TEN_COMPUTES : TEN_CHECKPOINTS;
    InJvmNetwork network = new InJvmNetwork(vertx);
    List<RaftHost> hosts = new ArrayList<>();
    List<WorkflowRuntime> runtimes = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
          .setTickMillis(RaftPreset.TESTING.tickMillis()), stores.apply(id), network.transport(id)));
      hosts.add(host);
      WorkflowRegistry registry = WorkflowRegistry.create()
          .register(TEN_CHECKPOINTS, 1, Integer.class, Integer.class, WorkflowBenchmark::tenCheckpoints)
          .register(TEN_COMPUTES, 1, Integer.class, Integer.class, WorkflowBenchmark::tenComputes);
      runtimes.add(await(Bridge.future(WorkflowRuntime.builder(host, 1).registry(registry)
          .options(new WorkflowRuntimeOptions().setPipelining(pipelining).setPublishEvents(false)
              .setRetainEnded(Integer.getInteger("bench.retainEnded", WorkflowRuntimeOptions.DEFAULT_RETAIN_ENDED)))
          .groupOptions(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(snapshotEvery))
          .members(1, 2, 3).start())));
    }
    WorkflowRuntime leader = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (leader == null && System.currentTimeMillis() < deadline) {
      for (WorkflowRuntime rt : runtimes) {
        if (rt.group().status().role() == Role.LEADER) {
          leader = rt;
        }
      }
      if (leader == null) {
        await(timer(vertx, 10));
      }
    }
    if (leader == null) {
      throw new IllegalStateException("no leader elected");
    }
    WorkflowRuntime elected = leader;

    warmUp(elected, workflow, warmup, inflight);

    long[][] phases = sequential(leader, workflow, sequential);
    long[] underLoad = new long[total];
    double seconds = BenchSupport.closedLoop(total, inflight, "workflows", i -> oneWorkflow(elected, workflow, i),
        underLoad);
    System.out.printf("%s, 3 replicas in one JVM, workflow of %d %s steps%s:%n", label, STEPS, steps,
        steps.equals("checkpoint") ? ", pipelining " + (pipelining ? "on" : "off") : " (each durable before the next)");
    printPhase("sequential start-to-result", sequential, phases[0]);
    printPhase("sequential, start phase (until the start is committed)", sequential, phases[1]);
    printPhase("sequential, steps phase (until the result)", sequential, phases[2]);
    System.out.printf("  throughput, %d in flight over %d: %.0f workflows/s (%.2f s)%n", inflight, total,
        total / seconds, seconds);
    printPhase("throughput phase, start-to-result with " + inflight + " in flight", total, underLoad);
    for (RaftHost h : hosts) {
      await(vertx.undeploy(h.deploymentID()));
    }
  }

  /**
   * Rounds of {@value #WARMUP_ROUND} workflows with {@code inflight} in flight and 50 one at a time (both measured
   * phases' code paths), at least {@code atLeast} workflows, then until the JIT compilers took less than
   * {@link #JIT_QUIET_SHARE} of one core over a round, or {@link #WARMUP_MAX_MILLIS} passed.
   */
  private static void warmUp(WorkflowRuntime leader, String workflow, int atLeast, int inflight) throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
    long start = System.nanoTime();
    int done = 0;
    double share = Double.NaN;
    while (true) {
      long jitBefore = measurable ? jit.getTotalCompilationTime() : 0;
      long roundStart = System.nanoTime();
      BenchSupport.closedLoop(WARMUP_ROUND, inflight, "workflows", i -> oneWorkflow(leader, workflow, i));
      sequential(leader, workflow, 50);
      done += WARMUP_ROUND + 50;
      long roundMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart));
      share = measurable ? (jit.getTotalCompilationTime() - jitBefore) / (double) roundMillis : Double.NaN;
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      boolean quiet = !measurable || share < JIT_QUIET_SHARE;
      if ((done >= atLeast && quiet) || elapsed >= WARMUP_MAX_MILLIS) {
        System.out.printf("  warm-up: %d workflows in %.1f s, JIT compilers at %.0f%% of one core in the last round%n",
            done, elapsed / 1000.0, share * 100);
        return;
      }
    }
  }

  private static void printPhase(String what, int n, long[] nanos) {
    Arrays.sort(nanos);
    System.out.printf("  %s over %d: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", what, n, nanos[nanos.length / 2] / 1e6,
        nanos[(int) (nanos.length * 0.99)] / 1e6, nanos[nanos.length - 1] / 1e6);
  }

  private static Future<Integer> oneWorkflow(WorkflowRuntime rt, String workflow, int input) {
    return Future.fromCompletionStage(rt.<Integer>start(workflow, 1, input)
        .flatMap(run -> run.result()).subscribeAsCompletionStage());
  }

  /** Per workflow: total, start phase and steps phase, in nanoseconds. */
  private static long[][] sequential(WorkflowRuntime rt, String workflow, int n) throws Exception {
    long[][] phases = new long[3][n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      long[] startedAt = new long[1];
      int result = await(Future.fromCompletionStage(rt.<Integer>start(workflow, 1, i)
          .invoke(run -> startedAt[0] = System.nanoTime())
          .flatMap(run -> run.result()).subscribeAsCompletionStage()));
      long t1 = System.nanoTime();
      phases[0][i] = t1 - t0;
      phases[1][i] = startedAt[0] - t0;
      phases[2][i] = t1 - startedAt[0];
      if (result != i + STEPS) {
        throw new IllegalStateException("workflow " + i + " returned " + result);
      }
    }
    return phases;
  }

  private static Future<Void> timer(Vertx vertx, long ms) {
    return BenchSupport.timer(vertx, ms);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return BenchSupport.await(f);
  }
}
