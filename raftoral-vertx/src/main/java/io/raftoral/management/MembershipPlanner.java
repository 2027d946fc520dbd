package io.raftoral.management;

import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The next single membership change that moves a group's Raft configuration toward the desired members: pure, run
 * by the group's leader. One change at a time, learner first (thesis §4.1, §4.2.1): a new member is added as a
 * learner, promoted once it has caught up, and members no longer desired are removed after the additions, so the
 * group keeps its fault tolerance through a replacement. A leader that must go hands leadership over first
 * (thesis §3.10) instead of removing itself.
 */
public final class MembershipPlanner {

  private MembershipPlanner() {}

  /** The kinds of step. */
  public enum Kind { ADD_LEARNER, PROMOTE, REMOVE, TRANSFER_LEADERSHIP }

  /** One membership step on node {@code nodeId}. */
  public record Step(Kind kind, long nodeId) {}

  /**
   * The next step, or empty when the configuration matches.
   *
   * @param leader the leader's status (its configuration, commit index and the members' match indexes)
   * @param desired the members wanted
   * @param maxVoters at most this many desired members are voters; the others stay learners (cluster 0)
   * @param maxLearnerLag a learner is promoted once its match index is at most this far behind the commit index
   */
  public static Optional<Step> next(RaftStatus leader, Set<Long> desired, int maxVoters, long maxLearnerLag) {
    Membership m = leader.membership();
    long self = leader.id();
    // 1. learners no longer wanted go first: they cost nothing to remove
    for (long id : m.learners()) {
      if (!desired.contains(id)) {
        return Optional.of(new Step(Kind.REMOVE, id));
      }
    }
    // 2. add the missing members as learners, lowest id first
    for (long id : new TreeSet<>(desired)) {
      if (!m.contains(id)) {
        return Optional.of(new Step(Kind.ADD_LEARNER, id));
      }
    }
    // 3. promote caught-up learners while the desired voters are fewer than allowed
    long desiredVoters = m.voters().stream().filter(desired::contains).count();
    if (desiredVoters < maxVoters) {
      Optional<Long> ready = m.learners().stream()
          .filter(id -> caughtUp(leader, id, maxLearnerLag))
          .min(Comparator.naturalOrder());
      if (ready.isPresent()) {
        return Optional.of(new Step(Kind.PROMOTE, ready.get()));
      }
      if (!m.learners().isEmpty() && m.voters().stream().anyMatch(v -> !desired.contains(v))) {
        // Wait for the learner before removing a voter that is to be replaced: adding first keeps the quorum's
        // tolerance to failures through the replacement.
        return Optional.empty();
      }
    }
    // 4. remove the voters no longer wanted, the leader itself last and only by handing leadership over
    Optional<Long> goner = m.voters().stream().filter(v -> !desired.contains(v) && v != self)
        .min(Comparator.naturalOrder());
    if (goner.isPresent()) {
      return Optional.of(new Step(Kind.REMOVE, goner.get()));
    }
    if (!desired.contains(self)) {
      Optional<Long> successor = m.voters().stream().filter(v -> v != self && desired.contains(v))
          .max(Comparator.<Long>comparingLong(leader::matchIndex).thenComparing(Comparator.reverseOrder()));
      if (successor.isPresent()) {
        return Optional.of(new Step(Kind.TRANSFER_LEADERSHIP, successor.get()));
      }
    }
    return Optional.empty();
  }

  /** Whether learner {@code id} is close enough to the leader's commit index to be promoted. */
  static boolean caughtUp(RaftStatus leader, long id, long maxLearnerLag) {
    long match = leader.matchIndex(id);
    return match > 0 && match + maxLearnerLag >= leader.commitIndex();
  }
}
