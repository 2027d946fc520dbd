package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.management.MembershipPlanner.Kind;
import io.raftoral.management.MembershipPlanner.Step;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One membership change at a time, learner first, toward the desired members. */
class MembershipPlannerTest {

  private static final int ALL = Integer.MAX_VALUE;

  /** The status of leader {@code self} at commit index 100 with these match indexes. */
  private static RaftStatus leader(long self, Membership m, Map<Long, Long> match) {
    return new RaftStatus(self, Role.LEADER, 3, self, 100, 100, 1, 100, m, 0, match);
  }

  private static Map<Long, Long> allAt(long index, Membership m) {
    Map<Long, Long> match = new HashMap<>();
    m.members().forEach(id -> match.put(id, index));
    return match;
  }

  private static Optional<Step> next(RaftStatus s, Set<Long> desired, int maxVoters) {
    return MembershipPlanner.next(s, desired, maxVoters, 10);
  }

  @Test
  void nothingToDoWhenTheConfigurationMatches() {
    Membership m = Membership.ofVoters(1L, 2L, 3L);
    assertThat(next(leader(1, m, allAt(100, m)), Set.of(1L, 2L, 3L), ALL)).isEmpty();
  }

  @Test
  void aNewMemberIsAddedAsLearnerThenPromotedOnceCaughtUp() {
    Membership m = Membership.ofVoters(1L, 2L, 3L);
    Set<Long> desired = Set.of(1L, 2L, 3L, 4L);
    assertThat(next(leader(1, m, allAt(100, m)), desired, ALL)).contains(new Step(Kind.ADD_LEARNER, 4));
    Membership withLearner = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));
    Map<Long, Long> match = allAt(100, withLearner);
    match.put(4L, 50L);
    assertThat(next(leader(1, withLearner, match), desired, ALL)).as("still catching up").isEmpty();
    match.put(4L, 90L);
    assertThat(next(leader(1, withLearner, match), desired, ALL)).contains(new Step(Kind.PROMOTE, 4));
  }

  @Test
  void aReplacedVoterIsRemovedOnlyAfterItsReplacementIsAVoter() {
    Membership m = new Membership(Set.of(1L, 2L, 3L), Set.of(4L));
    Set<Long> desired = Set.of(1L, 2L, 4L);
    Map<Long, Long> match = allAt(100, m);
    match.put(4L, 0L);
    assertThat(next(leader(1, m, match), desired, ALL)).as("wait for the learner").isEmpty();
    match.put(4L, 100L);
    assertThat(next(leader(1, m, match), desired, ALL)).contains(new Step(Kind.PROMOTE, 4));
    Membership promoted = Membership.ofVoters(1L, 2L, 3L, 4L);
    assertThat(next(leader(1, promoted, allAt(100, promoted)), desired, ALL)).contains(new Step(Kind.REMOVE, 3));
  }

  @Test
  void learnersNoLongerWantedGoFirst() {
    Membership m = new Membership(Set.of(1L, 2L, 3L), Set.of(5L));
    assertThat(next(leader(1, m, allAt(100, m)), Set.of(1L, 2L, 3L, 4L), ALL)).contains(new Step(Kind.REMOVE, 5));
  }

  @Test
  void aLeaderThatMustGoHandsLeadershipToTheMostUpToDateRemainingVoter() {
    Membership m = Membership.ofVoters(1L, 2L, 3L, 4L);
    Map<Long, Long> match = allAt(100, m);
    match.put(2L, 90L);
    assertThat(next(leader(1, m, match), Set.of(2L, 3L, 4L), ALL)).contains(new Step(Kind.TRANSFER_LEADERSHIP, 3));
  }

  @Test
  void otherVotersAreRemovedBeforeTheLeaderHandsOver() {
    Membership m = Membership.ofVoters(1L, 2L, 3L, 4L, 5L);
    assertThat(next(leader(1, m, allAt(100, m)), Set.of(2L, 3L, 4L), ALL)).contains(new Step(Kind.REMOVE, 5));
  }

  @Test
  void atMostMaxVotersAreVotersTheOthersStayLearners() {
    Membership m = new Membership(Set.of(1L, 2L, 3L, 4L, 5L), Set.of(6L, 7L));
    Set<Long> desired = Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(next(leader(1, m, allAt(100, m)), desired, 5)).isEmpty();
    // voter 3 fails (no longer desired): learner 6 is promoted, then 3 removed
    Set<Long> without3 = Set.of(1L, 2L, 4L, 5L, 6L, 7L);
    assertThat(next(leader(1, m, allAt(100, m)), without3, 5)).contains(new Step(Kind.PROMOTE, 6));
    Membership promoted = new Membership(Set.of(1L, 2L, 3L, 4L, 5L, 6L), Set.of(7L));
    assertThat(next(leader(1, promoted, allAt(100, promoted)), without3, 5)).contains(new Step(Kind.REMOVE, 3));
    Membership after = new Membership(Set.of(1L, 2L, 4L, 5L, 6L), Set.of(7L));
    assertThat(next(leader(1, after, allAt(100, after)), without3, 5)).isEmpty();
  }

  @Test
  void theLastVoterIsNeverRemoved() {
    Membership m = Membership.ofVoters(1L);
    assertThat(next(leader(1, m, allAt(100, m)), Set.of(2L), ALL)).contains(new Step(Kind.ADD_LEARNER, 2));
    Membership both = new Membership(Set.of(1L), Set.of(2L));
    assertThat(next(leader(1, both, allAt(100, both)), Set.of(2L), ALL)).contains(new Step(Kind.PROMOTE, 2));
    Membership two = Membership.ofVoters(1L, 2L);
    assertThat(next(leader(1, two, allAt(100, two)), Set.of(2L), ALL))
        .contains(new Step(Kind.TRANSFER_LEADERSHIP, 2));
  }
}
