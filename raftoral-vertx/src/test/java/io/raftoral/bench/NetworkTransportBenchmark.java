package io.raftoral.bench;

import io.raftoral.async.Bridge;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftPreset;
import io.raftoral.group.StateMachine;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.testkit.NetworkRaftCluster.Bound;
import io.raftoral.testkit.NetworkRaftCluster.NodeTransports;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The runtime benchmark over a real network transport: three nodes in one JVM, each with its own Vert.x instance,
 * in-memory store and transport server on a loopback port, one group, 100-byte proposals submitted on the leader.
 * Measures sequential propose-to-commit latency (p50/p99) and throughput with {@code inflight} proposals in flight.
 * The transport modules run it with their own transport ({@code GrpcTransportBenchmark}, {@code HttpTransportBenchmark}).
 */
public final class NetworkTransportBenchmark {

  private static final int PAYLOAD = 100;

  private NetworkTransportBenchmark() {}

  /**
   * Runs both measurements on a fresh cluster whose transports come from {@code transports}; {@code metrics} renders a
   * transport's counters for the report.
   */
  public static void run(String label, NodeTransports transports, Function<Transport, Object> metrics,
      int sequential, int total, int inflight) throws Exception {
    PeerAddresses peers = new PeerAddresses();
    List<Vertx> vertxes = new ArrayList<>();
    List<RaftHost> hosts = new ArrayList<>();
    List<Transport> started = new ArrayList<>();
    List<RaftGroup<byte[], Long>> groups = new ArrayList<>();
    try {
      for (long id = 1; id <= 3; id++) {
        Vertx vertx = Vertx.vertx();
        vertxes.add(vertx);
        Bound bound = await(transports.start(vertx, id, peers, 0));
        peers.put(id, "localhost:" + bound.port());
        started.add(bound.transport());
        hosts.add(await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
            .setTickMillis(RaftPreset.TESTING.tickMillis()), new InMemoryLogStore(vertx), bound.transport())));
      }
      for (RaftHost host : hosts) {
        groups.add(await(host.group(1, new CountingStateMachine(), CommandCodec.bytes())
            .options(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(20_000)
                .setMaxPendingProposals(Math.max(10_000, inflight * 2)))
            .members(1, 2, 3).start()));
      }
      RaftGroup<byte[], Long> leader = awaitLeader(vertxes.get(0), groups);
      byte[] payload = new byte[PAYLOAD];
      Arrays.fill(payload, (byte) 'x');

      // Warm-up: JIT, connection pools, TLS sessions.
      throughput(leader, payload, Math.min(total, 20_000), inflight);
      sequential(leader, payload, Math.min(sequential, 2_000));

      long[] lat = sequential(leader, payload, sequential);
      Arrays.sort(lat);
      double seconds = throughput(leader, payload, total, inflight);
      System.out.printf("%s, 3 nodes on loopback (own Vert.x each, in-memory stores), %d-byte proposals:%n", label,
          PAYLOAD);
      System.out.printf("  sequential propose-to-commit over %d: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", sequential,
          lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
      System.out.printf("  throughput, %d in flight over %d: %.0f proposals/s (%.2f s)%n", inflight, total,
          total / seconds, seconds);
      for (int i = 0; i < hosts.size(); i++) {
        System.out.println("  node " + hosts.get(i).nodeId() + ": " + metrics.apply(started.get(i)));
      }
    } finally {
      for (Vertx vertx : vertxes) {
        await(vertx.close());
      }
    }
  }

  private static RaftGroup<byte[], Long> awaitLeader(Vertx vertx, List<RaftGroup<byte[], Long>> groups)
      throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (RaftGroup<byte[], Long> g : groups) {
        if (g.status().role() == Role.LEADER) {
          return g;
        }
      }
      CompletableFuture<Void> tick = new CompletableFuture<>();
      vertx.setTimer(10, id -> tick.complete(null));
      tick.get(1, TimeUnit.SECONDS);
    }
    throw new IllegalStateException("no leader elected");
  }

  private static long[] sequential(RaftGroup<byte[], Long> leader, byte[] payload, int n) throws Exception {
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      await(Bridge.future(leader.propose(payload)));
      lat[i] = System.nanoTime() - t0;
    }
    return lat;
  }

  private static double throughput(RaftGroup<byte[], Long> leader, byte[] payload, int total, int inflight)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    long t0 = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started.incrementAndGet() > total) {
        return;
      }
      Bridge.future(leader.propose(payload)).onComplete(ar -> {
        if (ar.failed()) {
          failures.incrementAndGet();
        }
        if (finished.incrementAndGet() == total) {
          done.complete(null);
        } else {
          next[0].run();
        }
      });
    };
    for (int i = 0; i < inflight; i++) {
      next[0].run();
    }
    done.get(180, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failures.get() > 0) {
      System.out.println("  (" + failures.get() + " proposals failed)");
    }
    return seconds;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Counts applied commands; returns the index. */
  static final class CountingStateMachine implements StateMachine<byte[], Long> {
    private long applied;

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
}
