package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.host.RaftHostMetrics;
import io.raftoral.raft.RaftNode;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many groups on few nodes in one JVM: 100 groups on 3 nodes all elect and commit; then, with every group idle,
 * the process's CPU use, the heap per group and the cross-group batching of the outbound messages are printed
 * (measured, not asserted: the figures depend on the machine). {@code -Draftoral.manyGroups.groups=1000
 * -Draftoral.manyGroups.quiesce=true} measures a thousand quiesced groups.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 900, timeUnit = TimeUnit.SECONDS)
class ManyGroupsTest {

  /** {@code -Draftoral.manyGroups.groups=1000} measures a thousand groups. */
  private static final int GROUPS = Integer.getInteger("raftoral.manyGroups.groups", 100);
  /** {@code -Draftoral.manyGroups.quiesce=true} quiesces the idle groups ({@link RaftGroupOptions#isQuiesceWhenIdle()}). */
  private static final boolean QUIESCE = Boolean.getBoolean("raftoral.manyGroups.quiesce");
  private static final long[] NODES = {1, 2, 3};
  /**
   * The DEVELOPMENT preset by default (50 ms ticks, heartbeat every tick, elections after 0.5 to 1 s); run with
   * {@code -Draftoral.manyGroups.preset=TESTING} to measure the 10 ms tick instead.
   */
  private static final RaftPreset PRESET =
      RaftPreset.valueOf(System.getProperty("raftoral.manyGroups.preset", RaftPreset.DEVELOPMENT.name()));
  private static final long WAIT = 60_000 + 300L * GROUPS;
  /** How long the groups may take to quiesce before the idle window is measured anyway. */
  private static final long QUIESCE_WAIT = 30_000;
  private static final long IDLE_MEASURE_MILLIS = Long.getLong("raftoral.manyGroups.idleMillis", 3_000L);

  @Test
  @Timeout(value = 900, timeUnit = TimeUnit.SECONDS)
  void hundredGroupsOnThreeNodesElectCommitAndIdleCheaply(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx, PRESET.tickMillis());
    // Hundreds of groups electing at once on a loaded machine: give each proposal as long as the whole wait.
    RaftGroupOptions opts = PRESET.groupOptions().setQuiesceWhenIdle(QUIESCE).setRequestTimeoutMillis(WAIT);
    Map<Long, Long> committedAt = new HashMap<>();
    long heapBefore = usedHeapAfterGc();
    c.startNodes(NODES)
        .compose(v -> {
          List<Future<?>> all = new ArrayList<>();
          for (long g = 1; g <= GROUPS; g++) {
            all.add(c.startGroup(g, opts, NODES));
          }
          return Future.all(all);
        })
        .compose(v -> c.await(() -> {
          for (long g = 1; g <= GROUPS; g++) {
            if (c.leader(g) == RaftNode.NONE) {
              return false;
            }
          }
          return true;
        }, WAIT, "a leader in each of the " + GROUPS + " groups"))
        .compose(v -> {
          List<Future<?>> all = new ArrayList<>();
          for (long g = 1; g <= GROUPS; g++) {
            long group = g;
            // through node 1 whatever the leader: followers forward
            all.add(Bridge.future(c.group(1, g).propose(KvCommand.put("group", Long.toString(g))))
                .onSuccess(committed -> {
                  synchronized (committedAt) {
                    committedAt.put(group, committed.index());
                  }
                }));
          }
          return Future.all(all);
        })
        .compose(v -> c.await(() -> {
          for (long g = 1; g <= GROUPS; g++) {
            for (long n : NODES) {
              if (!Long.toString(g).equals(c.kv(n, g).get("group"))) {
                return false;
              }
            }
          }
          return true;
        }, WAIT, "every replica of every group applying its proposal"))
        .compose(v -> awaitQuiescedIfQuiescing(c))
        .compose(v -> measureIdle(c, heapBefore))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(committedAt).hasSize(GROUPS);
          for (long n : NODES) {
            assertThat(c.node(n).host.groupIds()).hasSize(GROUPS);
            assertThat(c.node(n).host.metrics().groups()).isEqualTo(GROUPS);
          }
          ctx.completeNow();
        })));
  }

  /** With quiescing on, waits (at most {@link #QUIESCE_WAIT}) for every replica to quiesce; never fails. */
  private Future<Void> awaitQuiescedIfQuiescing(LocalRaftCluster c) {
    if (!QUIESCE) {
      return Future.succeededFuture();
    }
    return c.await(() -> quiescedReplicas(c) == GROUPS * NODES.length, QUIESCE_WAIT, "every replica quiesced")
        .recover(notAll -> Future.succeededFuture());
  }

  private static int quiescedReplicas(LocalRaftCluster c) {
    int n = 0;
    for (long node : NODES) {
      for (long g = 1; g <= GROUPS; g++) {
        if (c.node(node).host.isQuiesced(g)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Lets the groups settle, then measures CPU time, outbound traffic and heap over an idle window. */
  private Future<Void> measureIdle(LocalRaftCluster c, long heapBefore) {
    Vertx vertx = c.vertx();
    Promise<Void> done = Promise.promise();
    // One second to let the last appends, acknowledgements and commit notifications go out.
    vertx.setTimer(1_000, settle -> {
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      Map<Long, RaftHostMetrics> before = metrics(c);
      vertx.setTimer(IDLE_MEASURE_MILLIS, t -> {
        long cpu = processCpuNanos() - cpu0;
        long wall = System.nanoTime() - wall0;
        Map<Long, RaftHostMetrics> after = metrics(c);
        double pctOfOneCore = 100.0 * cpu / wall;
        System.out.printf("[ManyGroupsTest] preset %s (tick %d ms, heartbeat every %d tick(s), election after %d "
                + "ticks): %d groups x %d nodes in one JVM, %d available processors%n", PRESET, PRESET.tickMillis(),
            PRESET.groupOptions().getHeartbeatTicks(), PRESET.groupOptions().getElectionTicks(), GROUPS,
            NODES.length, Runtime.getRuntime().availableProcessors());
        System.out.printf("[ManyGroupsTest] quiescing %s: %d of %d group replicas quiesced at the end of the window%n",
            QUIESCE ? "on" : "off", quiescedReplicas(c), GROUPS * NODES.length);
        long heap = usedHeapAfterGc() - heapBefore;
        System.out.printf("[ManyGroupsTest] heap after GC: %.1f MB for %d groups x %d nodes, %.1f KB per group "
                + "(%.1f KB per group replica)%n", heap / 1e6, GROUPS, NODES.length, heap / 1e3 / GROUPS,
            heap / 1e3 / (GROUPS * NODES.length));
        System.out.printf("[ManyGroupsTest] idle CPU over %.1f s: %.1f%% of one core in total, %.3f%% of one core "
                + "per group (%.4f%% per group replica)%n", wall / 1e9, pctOfOneCore, pctOfOneCore / GROUPS,
            pctOfOneCore / (GROUPS * NODES.length));
        long batches = 0;
        long messages = 0;
        for (long n : NODES) {
          RaftHostMetrics b = before.get(n);
          RaftHostMetrics a = after.get(n);
          long nb = a.outboundBatches() - b.outboundBatches();
          long nm = a.outboundMessages() - b.outboundMessages();
          batches += nb;
          messages += nm;
          System.out.printf("[ManyGroupsTest] node %d while idle: %d outbound messages in %d batches (%.1f messages"
                  + " per batch); since start: %d messages in %d batches%n", n, nm, nb, nb == 0 ? 0.0 : (double) nm / nb,
              a.outboundMessages(), a.outboundBatches());
        }
        System.out.printf("[ManyGroupsTest] all nodes while idle: %d messages in %d batches (%.1f messages per "
                + "batch; %.0f messages/s)%n", messages, batches, batches == 0 ? 0.0 : (double) messages / batches,
            messages / (wall / 1e9));
        done.complete();
      });
    });
    return done.future();
  }

  private static Map<Long, RaftHostMetrics> metrics(LocalRaftCluster c) {
    Map<Long, RaftHostMetrics> m = new HashMap<>();
    for (long n : NODES) {
      m.put(n, c.node(n).host.metrics());
    }
    return m;
  }

  /** Heap in use after a full collection (a hint the JVM honours by default), in bytes. */
  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** CPU time of the whole process (every thread), in nanoseconds. */
  private static long processCpuNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    // Fallback: the sum over live threads.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }
}
