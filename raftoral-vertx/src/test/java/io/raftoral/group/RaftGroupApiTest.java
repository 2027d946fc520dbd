package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import io.raftoral.testkit.LocalRaftCluster;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link RaftGroup} API on a running cluster: back-pressure, per-call timeouts, lazy Mutiny proposals,
 * linearizable reads on followers, the events on the event bus, and the options' JSON form.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaftGroupApiTest {

  private static final long GROUP = 3;
  private static final long WAIT = 10_000;

  private static Future<Long> threeNodeGroup(LocalRaftCluster c, RaftGroupOptions opts) {
    return c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, opts, 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("warm", "up"))))
        .compose(v -> c.awaitLeader(GROUP, WAIT));
  }

  private static Set<Long> othersThan(LocalRaftCluster c, long id) {
    Set<Long> others = new TreeSet<>(c.nodeIds());
    others.remove(id);
    return others;
  }

  @Test
  void proposalsBeyondMaxPendingProposalsAreRefusedAtOnce(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    RaftGroupOptions opts = RaftPreset.TESTING.groupOptions().setMaxPendingProposals(1);
    long[] leader = new long[1];
    List<Future<Committed<String>>> stuck = new ArrayList<>();
    threeNodeGroup(c, opts)
        .compose(l -> {
          leader[0] = l;
          // Cut the leader off: what it is asked to propose now cannot commit.
          c.partition(Set.of(l), othersThan(c, l));
          stuck.add(Bridge.future(c.group(l, GROUP).propose(KvCommand.put("stuck", "1"), Duration.ofSeconds(2))));
          return Bridge.future(c.group(l, GROUP).propose(KvCommand.put("refused", "2")))
              .transform(ar -> {
                ctx.verify(() -> {
                  assertThat(ar.failed()).as("the second proposal is refused").isTrue();
                  assertThat(ar.cause()).isInstanceOf(RaftException.class)
                      .isNotInstanceOf(NotLeaderException.class)
                      .hasMessageContaining("maxPendingProposals");
                  assertThat(stuck.get(0).isComplete()).as("refused while the first was still pending").isFalse();
                });
                return stuck.get(0).transform(Future::succeededFuture);
              });
        })
        .compose(first -> {
          ctx.verify(() -> assertThat(first.failed() ? first.cause() : null)
              .as("the cut-off leader's proposal times out").isInstanceOf(TimeoutException.class));
          c.heal();
          // the slot is free again: the same node accepts (and, healed, commits) a new proposal
          return Bridge.future(c.group(leader[0], GROUP).propose(KvCommand.put("after", "heal")));
        })
        .compose(v -> c.await(() -> c.nodeIds().stream().allMatch(id -> "heal".equals(c.kv(id, GROUP).get("after"))),
            WAIT, "every replica applying the post-heal proposal"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.nodeIds()) {
            assertThat(c.kv(id, GROUP).get("refused")).as("node %d", id).isNull();
          }
          ctx.completeNow();
        })));
  }

  @Test
  void proposalOnTheMinoritySideFailsWithTimeoutAfterTheGivenDuration(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] isolated = new long[1];
    threeNodeGroup(c, RaftPreset.TESTING.groupOptions())
        .compose(leader -> {
          isolated[0] = leader == 1 ? 2 : 1;
          c.partition(Set.of(isolated[0]), othersThan(c, isolated[0]));
          // a per-call timeout far below the group's default request timeout (5 s)
          return Bridge.future(c.group(isolated[0], GROUP).propose(KvCommand.put("minority", "x"), Duration.ofMillis(300)))
              .transform(Future::succeededFuture);
        })
        .compose(ar -> {
          ctx.verify(() -> {
            assertThat(ar.failed()).isTrue();
            assertThat(ar.cause()).isInstanceOf(TimeoutException.class).hasMessageContaining("300 ms");
          });
          c.heal();
          return Bridge.future(c.group(isolated[0], GROUP).propose(KvCommand.put("healed", "y")));
        })
        .compose(v -> c.await(() -> c.nodeIds().stream().allMatch(id -> "y".equals(c.kv(id, GROUP).get("healed"))),
            WAIT, "every replica applying the post-heal proposal"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          // the timed-out proposal never left the isolated node (the firewall dropped it, or it waited for a leader
          // and was abandoned at its deadline), so it can never be applied
          for (long id : c.nodeIds()) {
            assertThat(c.kv(id, GROUP).get("minority")).as("node %d", id).isNull();
          }
          ctx.completeNow();
        })));
  }

  @Test
  void proposeProposesNothingUntilSubscribed(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    AtomicInteger subscriptions = new AtomicInteger();
    long[] via = new long[1];
    List<Uni<Committed<String>>> lazy = new ArrayList<>();
    long[] barrierIndex = new long[1];
    threeNodeGroup(c, RaftPreset.TESTING.groupOptions())
        .compose(leader -> {
          via[0] = leader;
          lazy.add(c.group(leader, GROUP).propose(KvCommand.put("lazy", "1"))
              .onSubscription().invoke(s -> subscriptions.incrementAndGet()));
          // A barrier proposed after creating the Uni, on the same node: had the Uni proposed eagerly, its command
          // would be ordered before the barrier, so committed and applied by the time the barrier is.
          return Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("barrier", "1")));
        })
        .compose(barrier -> {
          barrierIndex[0] = barrier.index();
          ctx.verify(() -> {
            assertThat(subscriptions.get()).isZero();
            for (long id : c.nodeIds()) {
              assertThat(c.kv(id, GROUP).get("lazy")).as("node %d before subscription", id).isNull();
            }
          });
          Promise<Committed<String>> p = Promise.promise();
          lazy.get(0).subscribe().with(p::complete, p::fail);
          return p.future();
        })
        .compose(committed -> Bridge.future(c.group(via[0], GROUP).read(() -> c.kv(via[0], GROUP).get("lazy")))
            .map(v -> {
          ctx.verify(() -> {
            assertThat(v).isEqualTo("1");
            assertThat(committed.index()).isGreaterThan(barrierIndex[0]);
            assertThat(subscriptions.get()).isEqualTo(1);
          });
          return committed;
        }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void readsOnAFollowerAreLinearizable(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] follower = new long[1];
    List<String> seen = new CopyOnWriteArrayList<>();
    threeNodeGroup(c, RaftPreset.TESTING.groupOptions())
        .compose(leader -> {
          follower[0] = leader == 1 ? 2 : 1;
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < 20; i++) {
            String value = Integer.toString(i);
            // Each write completes when the leader applied it; the follower's read, issued right after, must see
            // it (or something later) although the follower may not have applied it yet when asked.
            chain = chain
                .compose(v -> Bridge.future(c.group(c.leader(GROUP) == RaftNode.NONE ? leader : c.leader(GROUP), GROUP)
                    .propose(KvCommand.put("r", value))))
                .compose(v -> Bridge.future(c.group(follower[0], GROUP).read(() -> c.kv(follower[0], GROUP).get("r"))))
                .map(read -> {
                  seen.add(read);
                  return null;
                });
          }
          return chain;
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            expected.add(Integer.toString(i));
          }
          assertThat(seen).containsExactlyElementsOf(expected);
          ctx.completeNow();
        })));
  }

  @Test
  void leaderAndMembershipChangesArePublishedOnTheEventBus(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    RaftGroupOptions opts = RaftPreset.TESTING.groupOptions();
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    List<Future<?>> registered = new ArrayList<>();
    for (long node = 1; node <= 4; node++) {
      registered.add(vertx.eventBus().<JsonObject>consumer(RaftGroupEvent.address(node, GROUP),
          m -> events.add(m.body())).completion());
    }
    long[] leader = new long[1];
    Future.all(registered)
        .compose(v -> threeNodeGroup(c, opts))
        .compose(l -> c.await(() -> {
          leader[0] = c.leader(GROUP);
          long current = leader[0];
          return current != RaftNode.NONE && c.nodeIds().stream().allMatch(n -> events.stream().anyMatch(e ->
              RaftGroupEvent.LEADER_CHANGED.equals(e.getString("type")) && e.getLong("nodeId") == n
                  && e.getLong("leader") == current));
        }, WAIT, "every node publishing LEADER_CHANGED naming the leader"))
        .compose(v -> c.startJoiningNode(4, GROUP, opts))
        .compose(g -> c.changeMembership(GROUP, lg -> lg.addLearner(4), m -> m.contains(4), WAIT))
        .compose(v -> c.await(() -> events.stream().anyMatch(e -> isMembership(e, 4, false)), WAIT,
            "MEMBERSHIP_CHANGED listing 4 as a learner"))
        .compose(v -> c.changeMembership(GROUP, lg -> lg.promote(4), m -> m.isVoter(4), WAIT))
        .compose(v -> c.await(() -> c.nodeIds().stream().allMatch(n -> events.stream().anyMatch(e ->
            isMembership(e, 4, true) && e.getLong("nodeId") == n)), WAIT,
            "every node, the new one included, publishing MEMBERSHIP_CHANGED with 4 as a voter"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (JsonObject e : events) {
            assertThat(e.getLong("clusterId")).isEqualTo(GROUP);
            assertThat(e.getString("type")).isIn(RaftGroupEvent.LEADER_CHANGED, RaftGroupEvent.ROLE_CHANGED,
                RaftGroupEvent.MEMBERSHIP_CHANGED, RaftGroupEvent.APPLIED);
          }
          assertThat(events).anyMatch(e -> RaftGroupEvent.ROLE_CHANGED.equals(e.getString("type"))
              && "LEADER".equals(e.getString("role")));
          assertThat(events).anyMatch(e -> RaftGroupEvent.APPLIED.equals(e.getString("type"))
              && e.getLong("index") > 0);
          JsonObject promoted = events.stream().filter(e -> isMembership(e, 4, true)).findFirst().orElseThrow();
          assertThat(promoted.getJsonArray("voters").getList()).hasSize(4);
          assertThat(promoted.getJsonArray("learners").getList()).isEmpty();
          assertThat(promoted.getLong("index")).isPositive();
          ctx.completeNow();
        })));
  }

  private static boolean isMembership(JsonObject e, long node, boolean asVoter) {
    if (!RaftGroupEvent.MEMBERSHIP_CHANGED.equals(e.getString("type"))) {
      return false;
    }
    String list = asVoter ? "voters" : "learners";
    return e.getJsonArray(list).stream().anyMatch(id -> ((Number) id).longValue() == node);
  }

  @Test
  void groupOptionsRoundTripThroughJson() {
    RaftGroupOptions custom = new RaftGroupOptions()
        .setElectionTicks(17)
        .setHeartbeatTicks(3)
        .setMaxInflightMessages(64)
        .setMaxMessageBytes(4096)
        .setPreVote(false)
        .setCheckQuorum(false)
        .setSnapshotEveryEntries(123)
        .setSnapshotLogRatio(2.5)
        .setMaxPendingProposals(7)
        .setRequestTimeoutMillis(999)
        .setMaxRequestsAwaitingLeader(11);
    JsonObject json = custom.toJson();
    RaftGroupOptions back = new RaftGroupOptions(json);

    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.getElectionTicks()).isEqualTo(17);
    assertThat(back.getHeartbeatTicks()).isEqualTo(3);
    assertThat(back.getMaxInflightMessages()).isEqualTo(64);
    assertThat(back.getMaxMessageBytes()).isEqualTo(4096);
    assertThat(back.isPreVote()).isFalse();
    assertThat(back.isCheckQuorum()).isFalse();
    assertThat(back.getSnapshotEveryEntries()).isEqualTo(123);
    assertThat(back.getSnapshotLogRatio()).isEqualTo(2.5);
    assertThat(back.getMaxPendingProposals()).isEqualTo(7);
    assertThat(back.getRequestTimeoutMillis()).isEqualTo(999);
    assertThat(back.getMaxRequestsAwaitingLeader()).isEqualTo(11);
    // through text, as it would come from a configuration file
    assertThat(new RaftGroupOptions(new JsonObject(json.encode())).toJson()).isEqualTo(json);
    // copy constructor
    assertThat(new RaftGroupOptions(custom).toJson()).isEqualTo(json);
    assertThat(custom.toString()).isEqualTo(json.encode());

    // missing fields take the defaults
    RaftGroupOptions defaults = new RaftGroupOptions(new JsonObject());
    assertThat(defaults.toJson()).isEqualTo(new RaftGroupOptions().toJson());
    assertThat(defaults.getElectionTicks()).isEqualTo(RaftGroupOptions.DEFAULT_ELECTION_TICKS);
    assertThat(defaults.getSnapshotEveryEntries()).isEqualTo(RaftGroupOptions.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
    assertThat(defaults.getSnapshotLogRatio()).isEqualTo(RaftGroupOptions.DEFAULT_SNAPSHOT_LOG_RATIO);
    assertThatThrownBy(() -> new RaftGroupOptions().setSnapshotLogRatio(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotLogRatio");
    assertThatThrownBy(() -> new RaftGroupOptions().setSnapshotLogRatio(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotLogRatio");
    assertThat(defaults.getMaxPendingProposals()).isEqualTo(RaftGroupOptions.DEFAULT_MAX_PENDING_PROPOSALS);
    assertThat(defaults.getRequestTimeoutMillis()).isEqualTo(RaftGroupOptions.DEFAULT_REQUEST_TIMEOUT_MILLIS);
    assertThat(defaults.getMaxRequestsAwaitingLeader())
        .isEqualTo(RaftGroupOptions.DEFAULT_MAX_REQUESTS_AWAITING_LEADER);
    JsonObject partial = new JsonObject().put("electionTicks", 30);
    assertThat(new RaftGroupOptions(partial).getElectionTicks()).isEqualTo(30);
    assertThat(new RaftGroupOptions(partial).getHeartbeatTicks()).isEqualTo(RaftGroupOptions.DEFAULT_HEARTBEAT_TICKS);

    // presets are expressible as JSON too
    for (RaftPreset preset : RaftPreset.values()) {
      JsonObject p = preset.groupOptions().toJson();
      assertThat(new RaftGroupOptions(p).toJson()).as(preset.name()).isEqualTo(p);
    }

    // invalid values are refused, from JSON as from the setters
    assertThatThrownBy(() -> new RaftGroupOptions(new JsonObject().put("maxPendingProposals", 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RaftGroupOptions().setSnapshotEveryEntries(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RaftGroupOptions().setRequestTimeoutMillis(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RaftGroupOptions().setMaxRequestsAwaitingLeader(0))
        .isInstanceOf(IllegalArgumentException.class);

    RaftHostOptions host = new RaftHostOptions().setNodeId(9).setTickMillis(25);
    assertThat(new RaftHostOptions(host.toJson()).toJson()).isEqualTo(host.toJson());
  }
}
