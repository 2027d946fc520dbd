package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.Role;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Membership changes on the real runtime (thesis §4): a joining node added as a learner catches up through a
 * snapshot and is promoted, members are removed, leadership is handed over on request.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MembershipChangeTest {

  private static final long GROUP = 7;
  private static final long WAIT = 10_000;

  private static RaftGroupOptions opts() {
    return RaftPreset.TESTING.groupOptions();
  }

  /** Proposes {@code count} puts {@code prefix<i>} through {@code via}, all at once; completes with their results. */
  private static Future<List<Committed<String>>> putAll(LocalRaftCluster c, long via, String prefix, int count) {
    List<Future<Committed<String>>> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      puts.add(Bridge.future(c.group(via, GROUP).propose(KvCommand.put(prefix + i, "v" + i))));
    }
    return Future.all(puts).map(cf -> cf.<Committed<String>>list());
  }

  private static boolean hasAll(KeyValueStore kv, String prefix, int count) {
    if (kv == null) {
      return false;
    }
    for (int i = 0; i < count; i++) {
      if (!("v" + i).equals(kv.get(prefix + i))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void learnerCatchesUpThroughSnapshotThenIsPromotedToVoter(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    RaftGroupOptions options = opts().setSnapshotEveryEntries(20).setSnapshotLogRatio(0);
    long[] firstPutIndex = new long[1];
    long[] leaderFirstIndexAtAdd = new long[1];
    long[] learnerIndex = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, options, 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> putAll(c, leader, "k", 100))
        .compose(results -> {
          firstPutIndex[0] = results.get(0).index();
          // Every live replica compacted its log past the first put: that entry can only travel as a snapshot.
          return c.await(() -> c.liveNodeIds().stream().allMatch(id ->
              c.group(id, GROUP).status().firstIndex() > firstPutIndex[0] + 1), WAIT, "log compaction everywhere");
        })
        .compose(v -> c.startJoiningNode(4, GROUP, options))
        .compose(joining -> {
          ctx.verify(() -> {
            RaftStatus s = joining.status();
            assertThat(s.membership()).as("a joining node knows no configuration").isEqualTo(Membership.EMPTY);
            assertThat(s.lastIndex()).as("a joining node has an empty log").isZero();
          });
          // whichever of them leads (an election may be under way on a busy machine) has the first put compacted
          leaderFirstIndexAtAdd[0] = c.liveNodeIds().stream().filter(id -> id != 4)
              .mapToLong(id -> c.group(id, GROUP).status().firstIndex()).min().orElseThrow();
          return c.changeMembership(GROUP, g -> g.addLearner(4), m -> m.contains(4), WAIT);
        })
        .compose(index -> {
          learnerIndex[0] = index;
          // status() is refreshed once the installed snapshot is durable, a turn after the state machine restored it
          return c.await(() -> {
            RaftStatus s = c.group(4, GROUP).status();
            // a configuration takes effect when appended (§4.1), so knowing it is a learner can come before
            // applying its own addition: wait for the apply as well
            return hasAll(c.kv(4, GROUP), "k", 100) && s.firstIndex() > 1 && s.membership().isLearner(4)
                && s.appliedIndex() >= learnerIndex[0];
          }, WAIT, "the learner applying the 100 puts and its own addition");
        })
        .compose(v -> c.node(4).store.load(GROUP))
        .compose(stored -> {
          ctx.verify(() -> {
            RaftStatus learner = c.group(4, GROUP).status();
            assertThat(leaderFirstIndexAtAdd[0]).as("every possible leader had compacted the first put away")
                .isGreaterThan(firstPutIndex[0]);
            assertThat(learner.firstIndex()).as("the learner's log starts after a snapshot").isGreaterThan(1);
            assertThat(stored.snapshot().index()).as("the learner stored a snapshot covering the first put")
                .isGreaterThanOrEqualTo(firstPutIndex[0]);
            assertThat(learner.membership().isLearner(4)).isTrue();
            assertThat(learner.membership().isVoter(4)).isFalse();
            if (learnerIndex[0] > 0) {
              // the learner has applied its own addition (as an entry, or inside the snapshot)
              assertThat(learnerIndex[0]).isLessThanOrEqualTo(learner.appliedIndex());
            }
          });
          return c.changeMembership(GROUP, g -> g.promote(4), m -> m.isVoter(4), WAIT);
        })
        .compose(index -> c.await(() -> c.liveNodeIds().stream()
            .allMatch(id -> c.group(id, GROUP).membership().isVoter(4)), WAIT, "every member seeing 4 as a voter"))
        .compose(v -> {
          // With 4 voters the quorum is 3: kill one original follower, and a commit now needs node 4's vote.
          long leader = c.leader(GROUP);
          long victim = c.liveNodeIds().stream().filter(id -> id != leader && id != 4).findFirst().orElseThrow();
          return c.kill(victim).map(x -> victim);
        })
        .compose(victim -> Bridge.future(c.group(4, GROUP).propose(KvCommand.put("after-promotion", "yes"))).map(x -> victim))
        .compose(victim -> c.await(() -> "yes".equals(c.kv(4, GROUP).get("after-promotion")), WAIT,
            "node 4 applying the commit").map(x -> victim))
        .onComplete(ctx.succeeding(victim -> ctx.verify(() -> {
          Membership m = c.group(4, GROUP).membership();
          assertThat(m.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
          assertThat(m.learners()).isEmpty();
          assertThat(m.quorum()).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void addLearnerReportsTheIndexOfTheCommittedChange(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, opts(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("a", "1"))))
        .compose(v -> c.startJoiningNode(4, GROUP, opts()))
        .compose(v -> c.changeMembership(GROUP, g -> g.addLearner(4), m -> m.contains(4), WAIT))
        .compose(index -> c.await(() -> "1".equals(c.kv(4, GROUP).get("a")), WAIT, "the learner catching up")
            .map(index))
        .compose(index -> c.awaitLeader(GROUP, WAIT).map(leader -> new long[] {index, leader}))
        .onComplete(ctx.succeeding(il -> ctx.verify(() -> {
          long index = il[0];
          long leader = il[1];
          RaftStatus s = c.group(leader, GROUP).status();
          if (index > 0) {
            assertThat(index).isLessThanOrEqualTo(s.commitIndex());
            assertThat(c.group(leader, GROUP).membership().isLearner(4)).isTrue();
          }
          // A learner never counts toward a quorum and never campaigns.
          assertThat(s.membership().quorum()).isEqualTo(2);
          assertThat(c.group(4, GROUP).status().role()).isEqualTo(Role.FOLLOWER);
          ctx.completeNow();
        })));
  }

  @Test
  void removedFollowerDisappearsFromEveryConfigurationAndTheRestKeepCommitting(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] removed = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, opts(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("before", "removal"))))
        .compose(v -> {
          long leader = c.leader(GROUP);
          removed[0] = leader == 3 ? 2 : 3;
          return c.changeMembership(GROUP, g -> g.remove(removed[0]), m -> !m.contains(removed[0]), WAIT);
        })
        .compose(v -> c.await(() -> remaining(c, removed[0]).stream()
                .noneMatch(id -> c.group(id, GROUP).membership().contains(removed[0])), WAIT,
            "no remaining member referring to node " + removed[0]))
        .compose(v -> {
          // The removed server's group can be stopped (and its data deleted): the other two form the group now.
          return c.node(removed[0]).host.stopGroup(GROUP, true);
        })
        .compose(v -> {
          long via = remaining(c, removed[0]).iterator().next();
          return putAll(c, via, "after", 20);
        })
        .compose(v -> c.await(() -> remaining(c, removed[0]).stream().allMatch(id -> hasAll(c.kv(id, GROUP),
            "after", 20)), WAIT, "both remaining members applying the new puts"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : remaining(c, removed[0])) {
            Membership m = c.group(id, GROUP).membership();
            assertThat(m.members()).as("node " + id).doesNotContain(removed[0]).hasSize(2);
            assertThat(m.quorum()).isEqualTo(2);
          }
          assertThat(c.node(removed[0]).host.groupIds()).doesNotContain(GROUP);
          ctx.completeNow();
        })));
  }

  @Test
  void removingTheLeaderCommitsThenTheOthersElectANewLeader(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] removed = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, opts(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("before", "removal"))))
        .compose(v -> {
          removed[0] = c.leader(GROUP);
          // The leader removes itself: it keeps leading until the change commits, then steps down (thesis §4.2.2).
          return Bridge.future(c.group(removed[0], GROUP).remove(removed[0]));
        })
        .compose(index -> c.await(() -> {
          long l = c.leader(GROUP);
          return l != 0 && l != removed[0];
        }, WAIT, "a new leader among the remaining members").map(index))
        .compose(index -> Bridge.future(c.group(remaining(c, removed[0]).iterator().next(), GROUP)
            .propose(KvCommand.put("after", "removal"))).map(index))
        .compose(index -> c.awaitLeader(GROUP, WAIT).map(leader -> new long[] {index, leader}))
        .onComplete(ctx.succeeding(il -> ctx.verify(() -> {
          long index = il[0];
          long leader = il[1];
          assertThat(index).isPositive();
          assertThat(c.group(leader, GROUP).membership().members()).doesNotContain(removed[0]).hasSize(2);
          assertThat(c.group(removed[0], GROUP).status().role()).isNotEqualTo(Role.LEADER);
          ctx.completeNow();
        })));
  }

  @Test
  void leadershipMovesToTheRequestedNodeAndProposalsStillWork(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] target = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, opts(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> putAll(c, leader, "k", 10))
        .compose(v -> {
          long leader = c.leader(GROUP);
          target[0] = leader == 1 ? 2 : 1;
          // transferLeadership completes once the old leader sees the target lead
          return c.onLeaderUntil(GROUP, g -> g.transferLeadership(target[0]), () -> false, WAIT);
        })
        .compose(v -> c.await(() -> c.leader(GROUP) == target[0], WAIT, "node " + target[0] + " leading"))
        .compose(v -> Bridge.future(c.group(target[0], GROUP).propose(KvCommand.put("after-transfer", "ok"))))
        .compose(committed -> c.await(() -> c.liveNodeIds().stream()
                .allMatch(id -> "ok".equals(c.kv(id, GROUP).get("after-transfer"))), WAIT,
            "every replica applying the post-transfer put").map(committed))
        .onComplete(ctx.succeeding(committed -> ctx.verify(() -> {
          RaftStatus s = c.group(target[0], GROUP).status();
          assertThat(committed.result()).isNull();
          assertThat(committed.index()).isLessThanOrEqualTo(s.commitIndex());
          assertThat(hasAll(c.kv(target[0], GROUP), "k", 10)).isTrue();
          ctx.completeNow();
        })));
  }

  private static Set<Long> remaining(LocalRaftCluster c, long removed) {
    Set<Long> ids = new TreeSet<>(c.liveNodeIds());
    ids.remove(removed);
    return ids;
  }
}
