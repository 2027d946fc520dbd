package io.raftoral.demo.bench;

import io.raftoral.async.Bridge;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.Committed;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftPreset;
import io.raftoral.group.StateMachine;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.InJvmNetwork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The runtime benchmark: three nodes in one JVM (in-JVM transport), one group, 100-byte proposals submitted on the
 * leader. Measures sequential propose-to-commit latency (p50/p99 over 2,000 after a warm-up) and throughput with 64
 * proposals in flight (over 50,000). Stores: in-memory by default; other modules pass their own store factory.
 *
 * <p>Run: {@code mvn -B -q -pl raftoral-vertx test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.bench.RuntimeBenchmark}
 */
public final class RuntimeBenchmark {

  private static final int PAYLOAD = 100;

  /** Counts applied commands; returns the index. */
  static final class CountingStateMachine implements StateMachine<byte[], Long> {
    long applied;

    @Override
    public Long apply(long index, byte[] command) {
      applied++;
      return index;
    }

    @Override
    public byte[] snapshot() {
      return ByteBuffer.allocate(8).putLong(applied).array();
    }

    @Override
    public void restore(byte[] snapshot) {
      applied = ByteBuffer.wrap(snapshot).getLong();
    }
  }

  /**
   * Runs the benchmark on in-memory stores, or with {@code -Dbench.store=lmdb} on LMDB stores (fsync on every
   * commit) in a temporary directory (or {@code -Dbench.dir=...}).
   */
  public static void main(String[] args) throws Exception {
    int sequential = Integer.getInteger("bench.sequential", 2_000);
    int total = Integer.getInteger("bench.total", 50_000);
    int inflight = Integer.getInteger("bench.inflight", 64);
    Vertx vertx = Vertx.vertx();
    try {
      String label;
      LongFunction<LogStore> stores;
      if ("lmdb".equals(System.getProperty("bench.store", "memory"))) {
        Path base = System.getProperty("bench.dir") != null
            ? Path.of(System.getProperty("bench.dir"))
            : BenchSupport.scratchDirectory("raftoral-bench");
        label = "LMDB store (fsync) in " + base;
        stores = id -> LmdbLogStore.open(vertx, base.resolve("node-" + id), BenchSupport.storeOptions());
      } else {
        label = "in-memory store";
        stores = id -> new InMemoryLogStore(vertx);
      }
      run(vertx, label, stores, sequential, total, inflight);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }


  /** Runs both measurements on a fresh 3-node cluster whose stores come from {@code stores}. */
  public static void run(Vertx vertx, String label, LongFunction<LogStore> stores, int sequential, int total,
      int inflight) throws Exception {
    InJvmNetwork network = new InJvmNetwork(vertx);
    List<RaftHost> hosts = new ArrayList<>();
    List<RaftGroup<byte[], Long>> groups = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
          .setTickMillis(RaftPreset.TESTING.tickMillis()), stores.apply(id), network.transport(id)));
      hosts.add(host);
      groups.add(await(host.group(1, new CountingStateMachine(), CommandCodec.bytes())
          .options(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(20_000)
              .setMaxPendingProposals(Math.max(10_000, inflight * 2)))
          .members(1, 2, 3).start()));
    }
    RaftGroup<byte[], Long> leader = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (leader == null && System.currentTimeMillis() < deadline) {
      for (RaftGroup<byte[], Long> g : groups) {
        if (g.status().role() == Role.LEADER) {
          leader = g;
        }
      }
      if (leader == null) {
        await(timer(vertx, 10));
      }
    }
    if (leader == null) {
      throw new IllegalStateException("no leader elected");
    }
    byte[] payload = new byte[PAYLOAD];
    Arrays.fill(payload, (byte) 'x');

    // Warm-up: JIT and pools.
    throughput(leader, payload, Math.min(total, 20_000), inflight);
    sequential(leader, payload, Math.min(sequential, 2_000));

    long[] lat = sequential(leader, payload, sequential);
    Arrays.sort(lat);
    double seconds = throughput(leader, payload, total, inflight);
    System.out.printf("%s, 3 nodes in one JVM, %d-byte proposals:%n", label, PAYLOAD);
    System.out.printf("  sequential propose-to-commit over %d: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", sequential,
        lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
    System.out.printf("  throughput, %d in flight over %d: %.0f proposals/s (%.2f s)%n", inflight, total,
        total / seconds, seconds);
    for (RaftHost h : hosts) {
      System.out.println("  node " + h.nodeId() + ": " + h.metrics());
    }
    for (RaftHost h : hosts) {
      await(vertx.undeploy(h.deploymentID()));
    }
  }

  private static long[] sequential(RaftGroup<byte[], Long> leader, byte[] payload, int n) throws Exception {
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      await(Bridge.future(leader.propose(payload), leader.context()));
      lat[i] = System.nanoTime() - t0;
    }
    return lat;
  }

  private static double throughput(RaftGroup<byte[], Long> leader, byte[] payload, int total, int inflight)
      throws Exception {
    return BenchSupport.closedLoop(total, inflight, "proposals", i -> Bridge.future(leader.propose(payload), leader.context()));
  }

  private static Future<Void> timer(Vertx vertx, long ms) {
    return BenchSupport.timer(vertx, ms);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return BenchSupport.await(f);
  }
}
