package io.raftoral.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.ProgressTracker.VoteResult;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Flow-control bookkeeping, quorum arithmetic and vote tally of the leader, on their own. */
class ProgressTrackerTest {

  private static final int MAX_INFLIGHT_MESSAGES = 4;
  private static final long MAX_INFLIGHT_BYTES = 1 << 20;
  private static final long SELF = 1;

  private static ProgressTracker tracker() {
    return new ProgressTracker(MAX_INFLIGHT_MESSAGES, MAX_INFLIGHT_BYTES);
  }

  @Test
  void syncTracksEveryMemberAndThisServerStartingAtTheNextIndex() {
    ProgressTracker t = tracker();
    Membership mem = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));

    t.syncWithMembership(SELF, mem, mem, 11);

    assertThat(t.peers()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(t.get(2).next).isEqualTo(11);
    assertThat(t.get(2).learner).isFalse();
    assertThat(t.get(4).learner).isTrue();
    assertThat(t.get(2).recentActive).isTrue();
  }

  @Test
  void aServerRemovedByAnUncommittedChangeKeepsItsProgressUntilTheRemovalCommits() {
    ProgressTracker t = tracker();
    Membership before = Membership.ofVoters(1L, 2L, 3L);
    Membership after = Membership.ofVoters(1L, 2L);
    t.syncWithMembership(SELF, before, before, 5);

    t.syncWithMembership(SELF, after, before, 6);
    assertThat(t.peers()).containsExactly(1L, 2L, 3L);
    assertThat(t.get(3).learner).isTrue();

    t.syncWithMembership(SELF, after, after, 6);
    assertThat(t.peers()).containsExactly(1L, 2L);
  }

  @Test
  void aLeaderOutsideTheConfigurationStillTracksItselfAsLearner() {
    ProgressTracker t = tracker();
    Membership without = Membership.ofVoters(2L, 3L);

    t.syncWithMembership(SELF, without, without, 3);

    assertThat(t.peers()).containsExactly(1L, 2L, 3L);
    assertThat(t.get(SELF).learner).isTrue();
  }

  @Test
  void theQuorumMatchIndexIsTheHighestIndexAMajorityOfVotersStores() {
    ProgressTracker t = tracker();
    Membership mem = new Membership(Set.of(1L, 2L, 3L, 4L, 5L), Set.of(6L));
    t.syncWithMembership(SELF, mem, mem, 1);
    t.get(1).maybeUpdate(9);
    t.get(2).maybeUpdate(7);
    t.get(3).maybeUpdate(5);
    t.get(4).maybeUpdate(2);
    t.get(6).maybeUpdate(100); // a learner does not count

    assertThat(t.quorumMatchIndex(mem)).isEqualTo(5);
  }

  @Test
  void anUntrackedVoterCountsAsHavingNothing() {
    ProgressTracker t = tracker();
    Membership tracked = Membership.ofVoters(1L, 2L);
    t.syncWithMembership(SELF, tracked, tracked, 1);
    t.get(1).maybeUpdate(4);
    t.get(2).maybeUpdate(4);

    assertThat(t.quorumMatchIndex(Membership.ofVoters(1L, 2L, 3L))).isEqualTo(4);
    assertThat(t.quorumMatchIndex(Membership.ofVoters(1L, 2L, 3L, 4L, 5L))).isZero();
  }

  @Test
  void quorumActivityCountsThisServerAndStartsANewPeriod() {
    ProgressTracker t = tracker();
    Membership mem = Membership.ofVoters(1L, 2L, 3L);
    t.syncWithMembership(SELF, mem, mem, 1);
    t.get(2).recentActive = false;
    t.get(3).recentActive = true;

    assertThat(t.quorumRecentlyActive(mem, SELF)).isTrue();
    // Nobody was heard from since: only this server counts now.
    assertThat(t.quorumRecentlyActive(mem, SELF)).isFalse();
    assertThat(t.get(SELF).recentActive).isTrue();
  }

  @Test
  void matchIndexesReportEveryTrackedMember() {
    ProgressTracker t = tracker();
    Membership mem = Membership.ofVoters(1L, 2L);
    t.syncWithMembership(SELF, mem, mem, 1);
    t.get(2).maybeUpdate(3);

    assertThat(t.matchIndexes()).containsEntry(1L, 0L).containsEntry(2L, 3L).hasSize(2);
  }

  @Test
  void anElectionIsWonByAMajorityAndLostWhenAMajorityCanNoLongerBeReached() {
    Membership mem = Membership.ofVoters(1L, 2L, 3L, 4L, 5L);
    ProgressTracker won = tracker();
    assertThat(won.poll(mem, 1, true)).isEqualTo(VoteResult.PENDING);
    assertThat(won.poll(mem, 2, true)).isEqualTo(VoteResult.PENDING);
    assertThat(won.poll(mem, 3, true)).isEqualTo(VoteResult.WON);

    ProgressTracker lost = tracker();
    lost.poll(mem, 1, true);
    lost.poll(mem, 2, false);
    assertThat(lost.poll(mem, 3, false)).isEqualTo(VoteResult.PENDING);
    assertThat(lost.poll(mem, 4, false)).isEqualTo(VoteResult.LOST);
  }

  @Test
  void onlyAVotersFirstVoteCountsAndNonVotersAreIgnored() {
    Membership mem = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));
    ProgressTracker t = tracker();
    t.poll(mem, 1, true);
    t.poll(mem, 2, false);
    assertThat(t.poll(mem, 2, true)).isEqualTo(VoteResult.PENDING);
    assertThat(t.poll(mem, 4, true)).isEqualTo(VoteResult.PENDING);

    t.resetVotes();
    t.poll(mem, 1, true);
    assertThat(t.poll(mem, 2, true)).isEqualTo(VoteResult.WON);
  }
}
