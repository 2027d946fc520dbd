package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Membership;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.ProposalDroppedException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.Role;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Cluster membership changes, Ongaro's thesis chapter 4: single-server changes (§4.1) that take effect on append
 * (and revert when their entry is truncated), one uncommitted change at a time, the leader's first-commit-in-term
 * precondition (the fix from §4.1's bug note / raft-dev 2015), learners that catch up without voting (§4.2.1),
 * and removing the current leader (§4.2.2).
 */
class MembershipScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  private static Membership voters(Long... ids) {
    return new Membership(Set.of(ids), Set.of());
  }

  private static ScenarioCluster withLearner4(long seed) {
    ScenarioCluster c = ScenarioCluster.create(3, seed);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "a");
    c.deliverAll();
    c.addNode(4);
    c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    c.deliverAll();
    return c;
  }

  @Test
  void theLeadersStatusShowsHowFarEachMemberHasReplicated() {
    ScenarioCluster c = withLearner4(53);
    RaftStatus leader = c.node(1).status();
    assertThat(leader.matchIndexes().keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    assertThat(leader.matchIndex(4)).as("the learner has caught up").isEqualTo(leader.lastIndex());
    c.isolate(4);
    long idx = c.propose(1, "b");
    c.deliverAll();
    RaftStatus later = c.node(1).status();
    assertThat(later.matchIndex(2)).isEqualTo(idx);
    assertThat(later.matchIndex(4)).as("the cut-off learner lags").isLessThan(idx);
    assertThat(c.node(2).status().matchIndexes()).as("only the leader knows").isEmpty();
  }

  @Test
  void addedLearnerReceivesTheLogButNeitherVotesNorCountsForCommit() {
    ScenarioCluster c = withLearner4(51);
    Membership expected = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));
    assertThat(c.node(1).membership()).isEqualTo(expected);
    assertThat(c.node(4).membership()).as("the learner learned the whole configuration").isEqualTo(expected);
    assertThat(c.appliedData(4)).containsExactly("a");
    assertThat(c.diskEntries(4)).isEqualTo(c.diskEntries(1));

    // Learner acknowledgements do not count: leader + learner is not a majority of {1,2,3}.
    c.isolate(2);
    c.isolate(3);
    long idx = c.propose(1, "b");
    c.deliverAll();
    assertThat(c.node(4).status().lastIndex()).isEqualTo(idx);
    assertThat(c.node(1).status().commitIndex()).isLessThan(idx);
    c.heal();
    c.tickAll(1);
    assertThat(c.node(1).status().commitIndex()).isGreaterThanOrEqualTo(idx);
    assertThat(c.appliedData(4)).containsExactly("a", "b");

    // A learner never campaigns, even when it hears no leader for a long time.
    c.crash(1);
    c.clearMessageLog();
    c.tickAll(10 * T);
    assertThat(c.countSent(from(4).and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE))))).isZero();
    assertThat(c.node(4).role()).isEqualTo(Role.FOLLOWER);
    assertThat(c.sent().stream().filter(type(MessageType.VOTE).or(type(MessageType.PRE_VOTE))))
        .noneMatch(to(4));
    assertThat(c.leader()).isIn(2L, 3L);
    c.propose(c.leader(), "c");
    c.deliverAll();
    assertThat(c.appliedData(4)).containsExactly("a", "b", "c");
  }

  @Test
  void promotedLearnerVotesAndCountsTowardsTheLargerQuorum() {
    ScenarioCluster c = withLearner4(52);
    c.node(1).proposeConfigChange(ConfigChange.promote(4));
    c.deliverAll();
    for (long id = 1; id <= 4; id++) {
      assertThat(c.node(id).membership()).as("node %d", id).isEqualTo(voters(1L, 2L, 3L, 4L));
    }
    // Quorum is now 3 of 4: leader + one follower no longer commit.
    c.isolate(3);
    c.isolate(4);
    long idx = c.propose(1, "p");
    c.deliverAll();
    assertThat(c.node(2).status().lastIndex()).isEqualTo(idx);
    assertThat(c.node(1).status().commitIndex()).isLessThan(idx);
    c.heal();
    c.tickAll(1);
    assertThat(c.appliedData(4)).containsExactly("a", "p");

    // A voter of four cannot elect itself alone.
    c.isolate(4);
    c.tickAll(5 * T);
    assertThat(c.node(4).isLeader()).isFalse();
    assertThat(c.node(4).term()).isEqualTo(c.node(1).term());
    c.heal();
    c.tickAll(2);

    // ... but it can lead: hand it leadership.
    c.node(1).transferLeadership(4);
    c.deliverAll();
    assertThat(c.leader()).isEqualTo(4);
    c.propose(4, "from4");
    c.deliverAll();
    for (long id = 1; id <= 4; id++) {
      assertThat(c.appliedData(id)).containsExactly("a", "p", "from4");
    }
  }

  @Test
  void removedFollowerNoLongerReceivesOrCounts() {
    ScenarioCluster c = ScenarioCluster.create(3, 53);
    assertThat(c.elect(1)).isTrue();
    long idx = c.node(1).proposeConfigChange(ConfigChange.remove(3));
    assertThat(c.node(1).membership()).isEqualTo(voters(1L, 2L));
    c.deliverAll();
    assertThat(c.node(1).status().commitIndex()).isGreaterThanOrEqualTo(idx);
    assertThat(c.node(2).membership()).isEqualTo(voters(1L, 2L));
    long lastOf3 = c.node(3).status().lastIndex();

    c.clearMessageLog();
    c.propose(1, "two-of-two");
    c.tickAll(3);
    assertThat(c.appliedData(2)).containsExactly("two-of-two");
    assertThat(c.countSent(from(1).and(to(3)))).isZero();
    assertThat(c.node(3).status().lastIndex()).isEqualTo(lastOf3);

    // With two voters both are needed.
    c.isolate(2);
    long idx2 = c.propose(1, "needs-2");
    c.deliverAll();
    assertThat(c.node(1).status().commitIndex()).isLessThan(idx2);
  }

  @Test
  void removedLeaderStepsDownOnceTheRemovalCommitsAndTheRestElectANewLeader() {
    ScenarioCluster c = ScenarioCluster.create(3, 54);
    assertThat(c.elect(1)).isTrue();
    c.dropIf(type(MessageType.APPEND_RESPONSE).and(to(1)));
    long idx = c.node(1).proposeConfigChange(ConfigChange.remove(1));
    c.deliverAll();
    // In effect at once (the leader no longer counts itself), but it keeps leading until the removal commits.
    assertThat(c.node(1).membership()).isEqualTo(voters(2L, 3L));
    assertThat(c.node(1).isLeader()).isTrue();
    assertThat(c.node(1).status().commitIndex()).isLessThan(idx);

    c.clearInterceptor();
    c.tickAll(1);
    assertThat(c.node(1).isLeader()).isFalse();
    assertThat(c.node(2).status().commitIndex()).as("followers learned the removal committed")
        .isGreaterThanOrEqualTo(idx);
    assertThat(c.node(3).status().commitIndex()).isGreaterThanOrEqualTo(idx);

    long oldTerm = c.node(1).term();
    c.clearMessageLog();
    assertThat(c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 20 * T)).isNotNegative();
    long leader = c.leader();
    assertThat(leader).isIn(2L, 3L);
    assertThat(c.node(leader).term()).isGreaterThan(oldTerm);
    assertThat(c.node(leader).membership()).isEqualTo(voters(2L, 3L));
    assertThat(c.countSent(from(1).and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))))
        .as("the removed server does not campaign").isZero();
    c.propose(leader, "after");
    c.deliverAll();
    assertThat(c.appliedData(2)).containsExactly("after");
    assertThat(c.appliedData(3)).containsExactly("after");
  }

  @Test
  void onlyOneUncommittedConfigurationChangeAtATime() {
    ScenarioCluster c = ScenarioCluster.create(3, 55);
    assertThat(c.elect(1)).isTrue();
    c.isolate(2);
    c.isolate(3);
    long idx = c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    long last = c.node(1).status().lastIndex();
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.addLearner(5)))
        .isInstanceOf(ProposalDroppedException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.remove(3)))
        .isInstanceOf(ProposalDroppedException.class);
    assertThat(c.node(1).status().lastIndex()).isEqualTo(last);
    // Normal proposals are still fine.
    c.propose(1, "data");

    c.heal();
    c.tickAll(2);
    assertThat(c.node(1).status().commitIndex()).isGreaterThan(idx);
    c.node(1).proposeConfigChange(ConfigChange.addLearner(5));
    c.deliverAll();
    assertThat(c.node(2).membership()).isEqualTo(new Membership(Set.of(1L, 2L, 3L), Set.of(4L, 5L)));
  }

  @Test
  void configurationChangeRefusedUntilTheLeaderCommittedAnEntryOfItsTerm() {
    ScenarioCluster c = ScenarioCluster.create(3, 56);
    c.dropIf(from(1).and(type(MessageType.APPEND)));
    assertThat(c.elect(1)).isTrue();
    assertThat(c.node(1).status().commitIndex()).isLessThan(c.node(1).status().lastIndex());
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.addLearner(4)))
        .isInstanceOf(ProposalDroppedException.class);
    c.clearInterceptor();
    c.tickAll(1);
    assertThat(c.node(1).status().commitIndex()).isEqualTo(c.node(1).status().lastIndex());
    c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    assertThat(c.node(1).membership().learners()).containsExactly(4L);
  }

  @Test
  void invalidChangesAreRejectedAndChangeNothing() {
    ScenarioCluster c = withLearner4(57);
    long last = c.node(1).status().lastIndex();
    Membership before = c.node(1).membership();
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.promote(2)))
        .as("promote a voter").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.addLearner(2)))
        .as("add an existing voter").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.addLearner(4)))
        .as("add an existing learner").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.remove(9)))
        .as("remove a non-member").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.node(2).proposeConfigChange(ConfigChange.addLearner(5)))
        .as("on a follower").isInstanceOf(NotLeaderException.class);
    assertThat(c.node(1).status().lastIndex()).isEqualTo(last);
    assertThat(c.node(1).membership()).isEqualTo(before);
    // and a valid one still goes through afterwards
    c.node(1).proposeConfigChange(ConfigChange.promote(4));
    c.deliverAll();
    assertThat(c.node(3).membership()).isEqualTo(voters(1L, 2L, 3L, 4L));
  }

  @Test
  void configurationEntryTakesEffectOnAppendNotOnCommit() {
    ScenarioCluster c = ScenarioCluster.create(3, 58);
    assertThat(c.elect(1)).isTrue();
    c.dropIf(type(MessageType.APPEND_RESPONSE));
    long idx = c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    Membership withLearner = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));
    assertThat(c.node(1).membership()).isEqualTo(withLearner);
    c.deliverAll();
    for (long id = 1; id <= 3; id++) {
      assertThat(c.node(id).status().commitIndex()).as("node %d", id).isLessThan(idx);
      assertThat(c.node(id).membership()).as("node %d", id).isEqualTo(withLearner);
      assertThat(c.applied(id)).noneMatch(e -> e.index() == idx);
    }
  }

  @Test
  void configurationRevertsWhenItsEntryIsTruncated() {
    ScenarioCluster c = ScenarioCluster.create(5, 59);
    assertThat(c.elect(1)).isTrue();
    Membership original = voters(1L, 2L, 3L, 4L, 5L);
    c.partition(Set.of(1L, 2L), Set.of(3L, 4L, 5L));
    long idx = c.node(1).proposeConfigChange(ConfigChange.addLearner(6));
    c.deliverAll();
    Membership withLearner = new Membership(original.voters(), Set.of(6L));
    assertThat(c.node(1).membership()).isEqualTo(withLearner);
    assertThat(c.node(2).membership()).isEqualTo(withLearner);

    assertThat(c.tickAllUntil(() -> Set.of(3L, 4L, 5L).contains(c.leader()), 20 * T)).isNotNegative();
    long leader = c.leader();
    c.propose(leader, "n1");
    c.deliverAll();
    c.heal();
    c.tickAll(5);
    assertThat(c.leader()).isEqualTo(leader);
    for (long id = 1; id <= 5; id++) {
      assertThat(c.node(id).membership()).as("node %d", id).isEqualTo(original);
      assertThat(c.diskEntries(id)).isEqualTo(c.diskEntries(leader));
      assertThat(c.diskEntries(id)).noneMatch(e -> e.index() == idx && e.type() == EntryType.CONFIG_CHANGE);
      assertThat(c.appliedData(id)).containsExactly("n1");
    }
  }

  @Test
  void removedLearnerStopsReceivingTheLog() {
    ScenarioCluster c = withLearner4(60);
    c.node(1).proposeConfigChange(ConfigChange.remove(4));
    c.deliverAll();
    assertThat(c.node(2).membership()).isEqualTo(voters(1L, 2L, 3L));
    c.clearMessageLog();
    c.propose(1, "without-4");
    c.tickAll(3);
    assertThat(c.countSent(to(4))).isZero();
    assertThat(c.appliedData(4)).containsExactly("a");
    assertThat(c.appliedData(3)).containsExactly("a", "without-4");
  }

  @Test
  void leadershipCannotBeTransferredToALearner() {
    ScenarioCluster c = withLearner4(61);
    assertThatThrownBy(() -> c.node(1).transferLeadership(4)).isInstanceOf(IllegalArgumentException.class);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(RaftNode.NONE);
    c.propose(1, "still-ok");
    c.deliverAll();
    assertThat(c.appliedData(4)).containsExactly("a", "still-ok");
  }
}
