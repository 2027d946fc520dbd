package io.raftoral.demo.bench;

import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The workflow benchmark: three replicas in one JVM (in-JVM transport), a workflow of 10 trivial checkpoints started
 * on the leader. Measures sequential start-to-result latency (p50/p99 over 200 after a warm-up) and throughput with
 * 32 workflows in flight (over 2,000). Stores: in-memory by default; raftoral-lmdb passes LMDB stores.
 * {@code -Dbench.pipelining=false} makes every checkpoint wait for its commit.
 *
 * <p>Run: {@code mvn -B -q -pl raftoral-vertx test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.bench.WorkflowBenchmark}
 */
public final class WorkflowBenchmark {

  static final String TEN_CHECKPOINTS = "ten_checkpoints";

  /** Ten checkpoints, each of the previous value plus one. */
  static Uni<Integer> tenCheckpoints(Integer start, WorkflowContext ctx) {
    Uni<Integer> chain = Uni.createFrom().item(start);
    for (int i = 0; i < 10; i++) {
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
        java.nio.file.Path base = System.getProperty("bench.dir") != null
            ? java.nio.file.Path.of(System.getProperty("bench.dir"))
            : java.nio.file.Files.createTempDirectory("raftoral-wf-bench");
        label = "LMDB store (fsync) in " + base;
        stores = id -> io.raftoral.lmdb.LmdbLogStore.open(vertx, base.resolve("node-" + id));
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
    int total = Integer.getInteger("bench.total", 2_000);
    int inflight = Integer.getInteger("bench.inflight", 32);
    boolean pipelining = Boolean.parseBoolean(System.getProperty("bench.pipelining", "true"));
    InJvmNetwork network = new InJvmNetwork(vertx);
    List<RaftHost> hosts = new ArrayList<>();
    List<WorkflowRuntime> runtimes = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
          .setTickMillis(RaftPreset.TESTING.tickMillis()), stores.apply(id), network.transport(id)));
      hosts.add(host);
      WorkflowRegistry registry = WorkflowRegistry.create()
          .register(TEN_CHECKPOINTS, 1, Integer.class, Integer.class, WorkflowBenchmark::tenCheckpoints);
      runtimes.add(await(WorkflowRuntime.builder(host, 1).registry(registry)
          .options(new WorkflowRuntimeOptions().setPipelining(pipelining).setPublishEvents(false))
          .groupOptions(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(20_000))
          .members(1, 2, 3).start()));
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

    // Warm-up: JIT and pools.
    throughput(leader, Math.min(total, 2_000), inflight);
    sequential(leader, Math.min(sequential, 200));

    long[] lat = sequential(leader, sequential);
    Arrays.sort(lat);
    double seconds = throughput(leader, total, inflight);
    System.out.printf("%s, 3 replicas in one JVM, workflow of 10 checkpoints, pipelining %s:%n", label,
        pipelining ? "on" : "off");
    System.out.printf("  sequential start-to-result over %d: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", sequential,
        lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
    System.out.printf("  throughput, %d in flight over %d: %.0f workflows/s (%.2f s)%n", inflight, total,
        total / seconds, seconds);
    for (RaftHost h : hosts) {
      await(vertx.undeploy(h.deploymentID()));
    }
  }

  private static Future<Integer> oneWorkflow(WorkflowRuntime rt, int input) {
    return Future.fromCompletionStage(rt.<Integer>start(TEN_CHECKPOINTS, 1, input)
        .flatMap(run -> run.result()).subscribeAsCompletionStage());
  }

  private static long[] sequential(WorkflowRuntime rt, int n) throws Exception {
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      int result = await(oneWorkflow(rt, i));
      lat[i] = System.nanoTime() - t0;
      if (result != i + 10) {
        throw new IllegalStateException("workflow " + i + " returned " + result);
      }
    }
    return lat;
  }

  private static double throughput(WorkflowRuntime rt, int total, int inflight) throws Exception {
    return BenchSupport.closedLoop(total, inflight, "workflows", i -> oneWorkflow(rt, i));
  }

  private static Future<Void> timer(Vertx vertx, long ms) {
    return BenchSupport.timer(vertx, ms);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return BenchSupport.await(f);
  }
}
