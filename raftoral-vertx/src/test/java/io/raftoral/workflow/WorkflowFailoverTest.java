package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.raft.Membership;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Owner failover, restarts and snapshot catch-up: a workflow survives the death of the member running its side
 * effects, side effects whose results were committed never run again, and a member that only gets a snapshot
 * resumes the running workflows by journal replay.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkflowFailoverTest {

  private static final long WAIT = 15_000;
  private static final String STEPS = "steps";

  /** Supplier calls by "node:step". */
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Node and step whose supplier never completes ("node:step"), to hold a workflow at a known point. */
  private volatile String stuckAt = "";
  /** Steps whose suppliers wait for this promise (released by the test). */
  private final Promise<Void> gate = Promise.promise();
  private volatile int gatedFrom = Integer.MAX_VALUE;

  private int calls(int step) {
    return calls.entrySet().stream().filter(e -> e.getKey().endsWith(":" + step))
        .mapToInt(e -> e.getValue().get()).sum();
  }

  /** {@code n} compute steps; step i yields i * i; the result is their sum. */
  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create().register(STEPS, 1, Integer.class, Long.class, (n, ctx) -> step(ctx, node, 0, n,
        0L));
  }

  private Uni<Long> step(WorkflowContext ctx, long node, int i, int n, long sum) {
    if (i == n) {
      return Uni.createFrom().item(sum);
    }
    return ctx.compute("step-" + i, Integer.class, () -> {
      calls.computeIfAbsent(node + ":" + i, k -> new AtomicInteger()).incrementAndGet();
      if (stuckAt.equals(node + ":" + i)) {
        return Uni.createFrom().nothing();
      }
      if (i >= gatedFrom) {
        return Uni.createFrom().completionStage(() -> gate.future().toCompletionStage()).replaceWith(i * i);
      }
      return Uni.createFrom().item(i * i);
    }).flatMap(v -> step(ctx, node, i + 1, n, sum + v));
  }

  private static long expected(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += (long) i * i;
    }
    return s;
  }

  private LocalWorkflowCluster cluster(Vertx vertx, RaftGroupOptions groupOptions) {
    return cluster(vertx, groupOptions, 300);
  }

  private LocalWorkflowCluster cluster(Vertx vertx, RaftGroupOptions groupOptions, long ownerTimeoutMillis) {
    return new LocalWorkflowCluster(vertx, this::registry,
        new WorkflowRuntimeOptions().setOwnerTimeoutMillis(ownerTimeoutMillis), groupOptions);
  }

  private void killOwnerAfterKCheckpoints(Vertx vertx, VertxTestContext ctx, boolean ownerLeads) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    int n = 12;
    int k = 5;
    long[] owner = new long[1];
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> {
          long leader = c.leader();
          owner[0] = ownerLeads ? leader : (leader % 3) + 1;
          stuckAt = owner[0] + ":" + k;
          return fut(c.runtime(owner[0]).<Long>start(STEPS, 1, n));
        })
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(owner[0], id[0], st -> st.checkpointCount() == k && calls(k) == 1, WAIT,
              "the owner to commit " + k + " checkpoints and start step " + k);
        })
        .compose(v -> c.kill(owner[0]))
        .compose(v -> {
          long survivor = owner[0] % 3 + 1;
          return fut(c.runtime(survivor).<Long>run(id[0], Long.class).result(Duration.ofSeconds(10)))
              .compose(result -> fut(c.runtime(survivor).status(id[0])).map(s -> {
                ctx.verify(() -> {
                  assertThat(result).isEqualTo(expected(n));
                  assertThat(s.ownerNode()).isNotEqualTo(owner[0]);
                  assertThat(s.checkpointCount()).isEqualTo(n);
                });
                return s;
              }));
        })
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          for (int i = 0; i < n; i++) {
            // Committed results are never produced again; the step in flight when the owner died runs twice.
            assertThat(calls(i)).as("calls of step %d", i).isEqualTo(i == k ? 2 : 1);
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void anotherMemberFinishesTheWorkflowOfAKilledFollowerOwner(Vertx vertx, VertxTestContext ctx) {
    killOwnerAfterKCheckpoints(vertx, ctx, false);
  }

  @Test
  void anotherMemberFinishesTheWorkflowOfAKilledLeaderOwner(Vertx vertx, VertxTestContext ctx) {
    killOwnerAfterKCheckpoints(vertx, ctx, true);
  }

  @Test
  void theWorkflowsOfAMemberRemovedFromTheClusterMoveToAnotherMember(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    int n = 6;
    long[] owner = new long[1];
    String[] id = new String[1];
    gatedFrom = 2;
    c.start(1, 2, 3)
        .compose(v -> {
          owner[0] = c.leader() % 3 + 1;
          return fut(c.runtime(owner[0]).<Long>start(STEPS, 1, n));
        })
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(owner[0], id[0], st -> st.checkpointCount() == 2, WAIT, "2 checkpoints");
        })
        .compose(v -> c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.remove(owner[0]),
            () -> !membershipOfLeader(c).contains(owner[0]), WAIT))
        .compose(v -> {
          gate.complete();
          long survivor = owner[0] % 3 + 1;
          return fut(c.runtime(survivor).result(id[0], Duration.ofSeconds(10)));
        })
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
          assertThat(s.resultJson()).isEqualTo(Long.toString(expected(n)));
          assertThat(s.ownerNode()).isNotEqualTo(owner[0]);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void everyRunningWorkflowResumesAfterTheWholeClusterRestarts(Vertx vertx, VertxTestContext ctx) {
    // Every owner comes back: no failover is wanted here, and a 300 ms owner timeout on a loaded machine once moved
    // workflows whose step 3 was running, which then ran again on the new owner (a compute is at least once across
    // an owner change), failing the count of committed steps below.
    LocalWorkflowCluster c =
        cluster(vertx, RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(7).setSnapshotLogRatio(0), 5_000);
    int n = 10;
    int workflows = 6;
    gatedFrom = 4;
    List<String> ids = new ArrayList<>();
    c.start(1, 2, 3)
        .compose(v -> {
          List<Future<WorkflowRun<Long>>> runs = new ArrayList<>();
          for (int i = 0; i < workflows; i++) {
            runs.add(fut(c.runtime(1 + i % 3).<Long>start(STEPS, 1, n)));
          }
          return Future.all(runs);
        })
        .compose(runs -> {
          runs.<WorkflowRun<Long>>list().forEach(r -> ids.add(r.workflowId()));
          List<Future<?>> all = new ArrayList<>();
          for (String id : ids) {
            all.add(c.awaitStatus(1, id, st -> st.checkpointCount() == 4, WAIT, "4 checkpoints"));
          }
          return Future.all(all);
        })
        .compose(v -> Future.all(c.kill(1), c.kill(2), c.kill(3)))
        .compose(v -> {
          gatedFrom = Integer.MAX_VALUE;
          return Future.all(c.restart(1), c.restart(2), c.restart(3));
        })
        .compose(v -> {
          List<Future<Long>> results = new ArrayList<>();
          for (String id : ids) {
            results.add(fut(c.runtime(2).run(id, Long.class).result(Duration.ofSeconds(10))));
          }
          return Future.all(results);
        })
        .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
          assertThat(results.<Long>list()).allMatch(r -> r == expected(n));
          for (int i = 0; i < 4; i++) {
            assertThat(calls(i)).as("calls of committed step %d", i).isEqualTo(workflows);
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aMemberAddedAfterCompactionCatchesUpBySnapshotAndFinishesTheRunningWorkflows(Vertx vertx,
      VertxTestContext ctx) {
    RaftGroupOptions opts = RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(10).setSnapshotLogRatio(0);
    LocalWorkflowCluster c = cluster(vertx, opts);
    int n = 8;
    int workflows = 5;
    gatedFrom = 3;
    List<String> ids = new ArrayList<>();
    c.start(1, 2, 3)
        .compose(v -> {
          List<Future<WorkflowRun<Long>>> runs = new ArrayList<>();
          for (int i = 0; i < workflows; i++) {
            runs.add(fut(c.runtime(1).<Long>start(STEPS, 1, n)));
          }
          return Future.all(runs);
        })
        .compose(runs -> {
          runs.<WorkflowRun<Long>>list().forEach(r -> ids.add(r.workflowId()));
          List<Future<?>> all = new ArrayList<>();
          for (String id : ids) {
            all.add(c.awaitStatus(1, id, st -> st.checkpointCount() == 3, WAIT, "3 checkpoints"));
          }
          return Future.all(all);
        })
        // 5 starts + 15 checkpoints: every member has compacted past the starts.
        .compose(v -> c.await(() -> c.nodes().liveNodeIds().stream().allMatch(id ->
            c.nodes().node(id).host.group(LocalWorkflowCluster.CLUSTER).status().firstIndex() > 6), WAIT,
            "log compaction"))
        .compose(v -> c.nodes().startNodes(4))
        .compose(v -> c.startRuntime(4))
        .compose(rt -> c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.addLearner(4),
            () -> membershipOfLeader(c).isLearner(4) || membershipOfLeader(c).isVoter(4), WAIT))
        .compose(v -> c.await(() -> c.executions(4) == workflows, WAIT,
            "the new member to resume the running workflows from the snapshot"))
        .compose(v -> c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.promote(4),
            () -> membershipOfLeader(c).isVoter(4), WAIT))
        .compose(v -> {
          ctx.verify(() -> assertThat(c.nodes().node(4).host.group(LocalWorkflowCluster.CLUSTER).status()
              .firstIndex()).as("node 4's log starts after a snapshot").isGreaterThan(6));
          // The owner dies; the others, node 4 among them, finish.
          return c.kill(1);
        })
        .compose(v -> {
          gate.complete();
          List<Future<WorkflowStatus>> results = new ArrayList<>();
          for (String id : ids) {
            results.add(fut(c.runtime(4).result(id, Duration.ofSeconds(10))));
          }
          return Future.all(results);
        })
        .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
          for (WorkflowStatus s : results.<WorkflowStatus>list()) {
            assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(s.resultJson()).isEqualTo(Long.toString(expected(n)));
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  private static Membership membershipOfLeader(LocalWorkflowCluster c) {
    long l = c.leader();
    return l < 0 ? Membership.EMPTY : c.nodes().node(l).host.group(LocalWorkflowCluster.CLUSTER).membership();
  }
}
