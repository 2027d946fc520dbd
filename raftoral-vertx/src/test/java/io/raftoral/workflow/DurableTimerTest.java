package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.raft.Membership;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.impl.WorkflowRuntimeImpl;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * Durable timers ({@link WorkflowContext#sleep}, {@link WorkflowContext#sleepUntil}) on a 3-member execution
 * cluster: the wake-up is journaled once by the owner and seen by every replica; a new owner, a restarted cluster
 * or a member restored from a snapshot fires at the journaled deadline instead of waiting again; a replay past a
 * fired timer does not wait; a timer at a position the journal gives to something else is non-determinism.
 *
 * <p>The time bounds are semantic ("not a full new wait"), with margins of seconds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DurableTimerTest {

  private static final long WAIT = 15_000;
  /** Slack allowed after a deadline for the failover, the wake-up's commit and the completion. */
  private static final long MARGIN_MILLIS = 2_000;
  /** Checkpoints of a {@code nap}: now, the timer's deadline, its wake-up, now. */
  private static final int NAP_CHECKPOINTS = 4;
  /** Checkpoints journaled once a workflow sleeps: now and the timer's deadline. */
  private static final int SLEEPING_CHECKPOINTS = 2;

  /** What a nap saw: the clock before, the deadline it asked for (null for a relative sleep), the clock after. */
  public record Nap(Instant before, Instant deadline, Instant after) {}

  /** Results by workflow id and node: what each replica's run of the workflow function produced. */
  private final Map<String, Map<Long, Object>> seen = new ConcurrentHashMap<>();
  /** Wall-clock time at which each node's run got past the timer of {@code gated}, by node. */
  private final Map<Long, Long> awakeAt = new ConcurrentHashMap<>();
  private final AtomicInteger gateCalls = new AtomicInteger();
  private final Promise<Void> gate = Promise.promise();

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create()
        .register("nap", 1, Long.class, Nap.class, (ms, ctx) -> ctx.now()
            .flatMap(before -> ctx.sleep(Duration.ofMillis(ms)).flatMap(v -> ctx.now())
                .map(after -> new Nap(before, null, after)))
            .invoke(nap -> see(ctx, node, nap)))
        .register("napUntil", 1, Long.class, Nap.class, (ms, ctx) -> ctx.now()
            .flatMap(before -> {
              Instant deadline = before.plusMillis(ms).truncatedTo(ChronoUnit.MILLIS);
              return ctx.sleepUntil(deadline).flatMap(v -> ctx.now()).map(after -> new Nap(before, deadline, after));
            })
            .invoke(nap -> see(ctx, node, nap)))
        .register("noWait", 1, String.class, String.class, (in, ctx) -> ctx.sleep(Duration.ZERO)
            .flatMap(v -> ctx.sleepUntil(Instant.EPOCH))
            .replaceWith("awake"))
        .register("gated", 1, Long.class, String.class, (ms, ctx) -> ctx.sleep(Duration.ofMillis(ms))
            .flatMap(v -> ctx.checkpoint("awake", "yes"))
            .invoke(v -> awakeAt.put(node, System.currentTimeMillis()))
            .flatMap(v -> ctx.compute("gate", String.class, () -> {
              gateCalls.incrementAndGet();
              return Uni.createFrom().completionStage(() -> gate.future().toCompletionStage()).replaceWith("done");
            })))
        // Node 3 runs other code: a timer where the others checkpoint, or the other way round.
        // Both are held open by a signal until node 3's replica has reached the diverging entry: a replica's run
        // stops when the workflow ends, so one that ended first would leave nothing to detect.
        .register("sleepsOnNode3", 1, String.class, String.class, (in, ctx) -> ctx.checkpoint("a", 1)
            .flatMap(x -> node == 3 ? ctx.sleep(Duration.ZERO) : ctx.checkpoint("b", 2).replaceWithVoid())
            .flatMap(x -> ctx.awaitSignal("finish", String.class))
            .replaceWith("done"))
        .register("checkpointsOnNode3", 1, String.class, String.class, (in, ctx) -> ctx.checkpoint("a", 1)
            .flatMap(x -> node == 3 ? ctx.checkpoint("b", 2).replaceWithVoid() : ctx.sleep(Duration.ZERO))
            .flatMap(x -> ctx.awaitSignal("finish", String.class))
            .replaceWith("done"));
  }

  private void see(WorkflowContext ctx, long node, Object value) {
    seen.computeIfAbsent(ctx.workflowId(), k -> new ConcurrentHashMap<>()).put(node, value);
  }

  private int seenBy(String id) {
    Map<Long, Object> m = seen.get(id);
    return m == null ? 0 : m.size();
  }

  private LocalWorkflowCluster cluster(Vertx vertx, RaftGroupOptions groupOptions) {
    return new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions().setOwnerTimeoutMillis(300),
        groupOptions);
  }

  /** Durable timers waiting to fire on node {@code node}. */
  private static int timers(LocalWorkflowCluster c, long node) {
    return ((WorkflowRuntimeImpl) c.runtime(node)).pendingTimerCount();
  }

  /** Completes after {@code millis}, on the test kit's own context (which outlives node kills). */
  private static Future<Void> after(Vertx vertx, LocalWorkflowCluster c, long millis) {
    Promise<Void> p = Promise.promise();
    c.context().runOnContext(v -> vertx.setTimer(millis, t -> p.complete()));
    return p.future();
  }

  @Test
  void aSleepingWorkflowResumesWithTheSameResultOnEveryReplica(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    long sleep = 500;
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<Nap>start("nap", 1, sleep)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(10)));
        })
        .compose(nap -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(nap))
        .compose(nap -> fut(c.runtime(3).status(id[0])).map(s -> {
          ctx.verify(() -> {
            assertThat(nap.after()).isAfterOrEqualTo(nap.before().plusMillis(sleep));
            assertThat(nap.after()).isBefore(nap.before().plusMillis(sleep + MARGIN_MILLIS));
            assertThat(seen.get(id[0]).values()).as("every replica's result").containsOnly(nap);
            assertThat(s.checkpointCount()).isEqualTo(NAP_CHECKPOINTS);
            for (long n = 1; n <= 3; n++) {
              assertThat(timers(c, n)).as("timers left on node %d", n).isZero();
            }
          });
          return s;
        }))
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aZeroSleepAndADeadlineInThePastFireAtOnce(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("noWait", 1, "x")))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(5)));
        })
        .compose(result -> fut(c.runtime(2).status(id[0])).map(s -> {
          ctx.verify(() -> {
            assertThat(result).isEqualTo("awake");
            assertThat(s.checkpointCount()).as("two timers, two entries each").isEqualTo(4);
          });
          return s;
        }))
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aNewOwnerFiresTheTimerOfAKilledFollowerOwnerAtTheOriginalDeadline(Vertx vertx, VertxTestContext ctx) {
    killOwnerWhileItSleeps(vertx, ctx, false);
  }

  @Test
  void aNewOwnerFiresTheTimerOfAKilledLeaderOwnerAtTheOriginalDeadline(Vertx vertx, VertxTestContext ctx) {
    killOwnerWhileItSleeps(vertx, ctx, true);
  }

  /**
   * The owner dies {@code killAfter} into a {@code sleep} timer: a survivor finishes at the journaled deadline, well
   * before a full new wait from the failover would end.
   */
  private void killOwnerWhileItSleeps(Vertx vertx, VertxTestContext ctx, boolean ownerLeads) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    long sleep = 4_000;
    long killAfter = 2_500;
    long[] owner = new long[1];
    String[] id = new String[1];
    long[] killedAt = new long[1];
    c.start(1, 2, 3)
        .compose(v -> {
          owner[0] = ownerLeads ? c.leader() : c.leader() % 3 + 1;
          return fut(c.runtime(owner[0]).<Nap>start("napUntil", 1, sleep));
        })
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(owner[0], id[0], s -> s.checkpointCount() == SLEEPING_CHECKPOINTS, WAIT,
              "the workflow to sleep");
        })
        .compose(v -> c.await(() -> timers(c, owner[0]) == 1 && timers(c, owner[0] % 3 + 1) == 0
            && timers(c, (owner[0] + 1) % 3 + 1) == 0, WAIT, "the owner, and only the owner, to hold the timer"))
        .compose(v -> after(vertx, c, killAfter))
        .compose(v -> {
          killedAt[0] = System.currentTimeMillis();
          return c.kill(owner[0]);
        })
        .compose(v -> {
          long survivor = owner[0] % 3 + 1;
          return fut(c.runtime(survivor).<Nap>run(id[0], Nap.class).result(Duration.ofSeconds(20)))
              .compose(nap -> fut(c.runtime(survivor).status(id[0])).map(s -> {
                ctx.verify(() -> {
                  assertThat(Instant.ofEpochMilli(killedAt[0])).as("killed while the timer ran")
                      .isBefore(nap.deadline());
                  assertThat(nap.after()).as("woken at the deadline, not before").isAfterOrEqualTo(nap.deadline());
                  // A full new wait would start after the kill: later than kill + sleep.
                  assertThat(nap.after()).as("not a new full wait")
                      .isBefore(nap.deadline().plusMillis(MARGIN_MILLIS))
                      .isBefore(Instant.ofEpochMilli(killedAt[0] + sleep));
                  assertThat(s.ownerNode()).isNotEqualTo(owner[0]);
                  assertThat(s.checkpointCount()).as("one wake-up").isEqualTo(NAP_CHECKPOINTS);
                });
                return nap;
              }));
        })
        .compose(nap -> c.await(() -> seenBy(id[0]) >= 2, WAIT, "both survivors to finish their runs").map(nap))
        .onComplete(ctx.succeeding(nap -> ctx.verify(() -> {
          seen.get(id[0]).forEach((node, result) -> assertThat(result).as("node %d's result", node).isEqualTo(nap));
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aReplayPastAFiredTimerDoesNotWaitAgain(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    long sleep = 5_000;
    String[] id = new String[1];
    long[] restartedAt = new long[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("gated", 1, sleep)))
        .compose(run -> {
          id[0] = run.workflowId();
          return c.await(() -> awakeAt.size() == 3 && gateCalls.get() == 1, 2 * WAIT, "every replica past the timer");
        })
        .compose(v -> {
          awakeAt.clear();
          return Future.all(c.kill(1), c.kill(2), c.kill(3));
        })
        .compose(v -> Future.all(c.restart(1), c.restart(2), c.restart(3)))
        .compose(v -> {
          restartedAt[0] = System.currentTimeMillis();
          return c.await(() -> awakeAt.size() == 3, WAIT, "every replica past the timer again");
        })
        .compose(v -> {
          ctx.verify(() -> awakeAt.forEach((node, at) -> assertThat(at - restartedAt[0])
              .as("node %d's replay past the fired timer", node).isLessThan(sleep)));
          gate.complete();
          return fut(c.runtime(2).result(id[0], Duration.ofSeconds(10)));
        })
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
          // The timer's deadline and its one wake-up, "awake", "gate".
          assertThat(s.checkpointCount()).isEqualTo(4);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void pendingTimersSurviveAWholeClusterRestartFromSnapshotsWithoutANewWait(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c =
        cluster(vertx, RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(4).setSnapshotLogRatio(0));
    long sleep = 5_000;
    long killAfter = 2_500;
    int workflows = 4;
    List<String> ids = new ArrayList<>();
    long[] killedAt = new long[1];
    c.start(1, 2, 3)
        .compose(v -> {
          List<Future<WorkflowRun<Nap>>> runs = new ArrayList<>();
          for (int i = 0; i < workflows; i++) {
            runs.add(fut(c.runtime(1 + i % 3).<Nap>start("napUntil", 1, sleep)));
          }
          return Future.all(runs);
        })
        .compose(runs -> {
          runs.<WorkflowRun<Nap>>list().forEach(r -> ids.add(r.workflowId()));
          List<Future<?>> all = new ArrayList<>();
          ids.forEach(id -> all.add(c.awaitStatus(1, id, s -> s.checkpointCount() == SLEEPING_CHECKPOINTS, WAIT,
              "the workflows to sleep")));
          return Future.all(all);
        })
        .compose(v -> after(vertx, c, killAfter))
        .compose(v -> {
          killedAt[0] = System.currentTimeMillis();
          return Future.all(c.kill(1), c.kill(2), c.kill(3));
        })
        .compose(v -> Future.all(c.restart(1), c.restart(2), c.restart(3)))
        .compose(v -> {
          List<Future<Nap>> results = new ArrayList<>();
          ids.forEach(id -> results.add(fut(c.runtime(3).run(id, Nap.class).result(Duration.ofSeconds(20)))));
          return Future.all(results);
        })
        .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
          for (Nap nap : results.<Nap>list()) {
            assertThat(Instant.ofEpochMilli(killedAt[0])).isBefore(nap.deadline());
            assertThat(nap.after()).isAfterOrEqualTo(nap.deadline())
                .isBefore(nap.deadline().plusMillis(MARGIN_MILLIS))
                .isBefore(Instant.ofEpochMilli(killedAt[0] + sleep));
          }
          assertThat(c.nodes().node(1).host.group(LocalWorkflowCluster.CLUSTER).status().firstIndex())
              .as("the log was compacted: the restart went through a snapshot").isGreaterThan(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void timersInAnInstalledSnapshotFireOnTheMembersThatTakeOverTheWorkflows(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c =
        cluster(vertx, RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(5).setSnapshotLogRatio(0));
    long sleep = 5_000;
    int workflows = 5;
    long[] owner = new long[1];
    List<String> ids = new ArrayList<>();
    c.start(1, 2, 3)
        .compose(v -> {
          owner[0] = c.leader() % 3 + 1;
          List<Future<WorkflowRun<Nap>>> runs = new ArrayList<>();
          for (int i = 0; i < workflows; i++) {
            runs.add(fut(c.runtime(owner[0]).<Nap>start("napUntil", 1, sleep)));
          }
          return Future.all(runs);
        })
        .compose(runs -> {
          runs.<WorkflowRun<Nap>>list().forEach(r -> ids.add(r.workflowId()));
          List<Future<?>> all = new ArrayList<>();
          ids.forEach(id -> all.add(c.awaitStatus(owner[0], id, s -> s.checkpointCount() == SLEEPING_CHECKPOINTS,
              WAIT, "the workflows to sleep")));
          return Future.all(all);
        })
        // 5 starts + 10 checkpoints: every member has compacted past the starts.
        .compose(v -> c.await(() -> c.nodes().liveNodeIds().stream().allMatch(n ->
            c.nodes().node(n).host.group(LocalWorkflowCluster.CLUSTER).status().firstIndex() > workflows), WAIT,
            "log compaction"))
        .compose(v -> c.nodes().startNodes(4))
        .compose(v -> c.startRuntime(4))
        .compose(rt -> c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.addLearner(4),
            () -> membershipOfLeader(c).isLearner(4) || membershipOfLeader(c).isVoter(4), WAIT))
        .compose(v -> c.await(() -> c.executions(4) == workflows, WAIT, "node 4 to resume the sleeping workflows"))
        .compose(v -> c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.promote(4),
            () -> membershipOfLeader(c).isVoter(4), WAIT))
        .compose(v -> {
          ctx.verify(() -> assertThat(c.nodes().node(4).host.group(LocalWorkflowCluster.CLUSTER).status()
              .firstIndex()).as("node 4's log starts after a snapshot").isGreaterThan(workflows));
          // The owner leaves: its sleeping workflows spread over the others, node 4 among them.
          return c.nodes().onLeaderUntil(LocalWorkflowCluster.CLUSTER, g -> g.remove(owner[0]),
              () -> !membershipOfLeader(c).contains(owner[0]), WAIT);
        })
        .compose(v -> c.kill(owner[0]))
        .compose(v -> {
          List<Future<Nap>> results = new ArrayList<>();
          ids.forEach(id -> results.add(fut(c.runtime(4).run(id, Nap.class).result(Duration.ofSeconds(20)))));
          return Future.all(results);
        })
        .compose(results -> {
          List<Future<WorkflowStatus>> statuses = new ArrayList<>();
          ids.forEach(id -> statuses.add(fut(c.runtime(4).status(id))));
          return Future.all(statuses).map(s -> {
            ctx.verify(() -> {
              for (Nap nap : results.<Nap>list()) {
                assertThat(nap.after()).isAfterOrEqualTo(nap.deadline());
              }
              assertThat(s.<WorkflowStatus>list()).extracting(WorkflowStatus::ownerNode).contains(4L)
                  .doesNotContain(owner[0]);
            });
            return s;
          });
        })
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aTimerWhereTheJournalHoldsAnotherEntryIsNonDeterminism(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, RaftPreset.TESTING.groupOptions());
    Map<String, JsonObject> failures = new ConcurrentHashMap<>();
    String[] ids = new String[2];
    @SuppressWarnings("unchecked")
    WorkflowRun<String>[] runs = new WorkflowRun[2];
    c.start(1, 2, 3)
        .compose(v -> {
          vertx.eventBus().<JsonObject>localConsumer(c.runtime(3).eventAddress(), m -> {
            if (WorkflowRuntime.EVENT_REPLICA_FAILED.equals(m.body().getString("event"))) {
              failures.put(m.body().getString("workflowId"), m.body());
            }
          });
          return Future.all(fut(c.runtime(1).<String>start("sleepsOnNode3", 1, "x").invoke(r -> runs[0] = r)),
              fut(c.runtime(1).<String>start("checkpointsOnNode3", 1, "x").invoke(r -> {
                runs[1] = r;
                ids[1] = r.workflowId();
              })));
        })
        .compose(started -> c.await(() -> failures.size() == 2, WAIT, "node 3 to report both replicas failed"))
        .compose(v -> Future.all(fut(c.runtime(1).signal(runs[0].workflowId(), "finish", "\"go\"")),
            fut(c.runtime(1).signal(runs[1].workflowId(), "finish", "\"go\""))))
        .compose(v -> Future.all(fut(runs[0].result()), fut(runs[1].result())))
        .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
          assertThat(results.<String>list()).as("the owner's runs").containsOnly("done");
          for (JsonObject event : failures.values()) {
            assertThat(event.getString("errorType")).isEqualTo(NonDeterminismException.class.getName());
            assertThat(event.getString("error")).contains("#1");
          }
          assertThat(failures.get(ids[1]).getString("error")).as("journal holds the timer, node 3 asks for 'b'")
              .contains("is '" + WorkflowContext.TIMER_KEY + "' in the journal").contains("asked for 'b'");
          assertThat(failures.values()).anySatisfy(e -> assertThat(e.getString("error"))
              .contains("is 'b' in the journal").contains("asked for '" + WorkflowContext.TIMER_KEY + "'"));
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  private static Membership membershipOfLeader(LocalWorkflowCluster c) {
    long l = c.leader();
    return l < 0 ? Membership.EMPTY : c.nodes().node(l).host.group(LocalWorkflowCluster.CLUSTER).membership();
  }
}
