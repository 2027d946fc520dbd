package io.raftoral.raft;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A cluster configuration: the voters, whose majority decides elections and commitment, and the learners, which
 * only receive the log. Immutable.
 */
public record Membership(Set<Long> voters, Set<Long> learners) {

  public static final Membership EMPTY = new Membership(Set.of(), Set.of());

  public Membership {
    voters = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(voters, "voters")));
    learners = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(learners, "learners")));
    for (Long id : voters) {
      if (id == null || id <= 0) {
        throw new IllegalArgumentException("node ids must be > 0: " + voters);
      }
      if (learners.contains(id)) {
        throw new IllegalArgumentException("node " + id + " is both voter and learner");
      }
    }
    for (Long id : learners) {
      if (id == null || id <= 0) {
        throw new IllegalArgumentException("node ids must be > 0: " + learners);
      }
    }
  }

  /** A configuration of voters only. */
  public static Membership ofVoters(Long... ids) {
    return new Membership(Set.of(ids), Set.of());
  }

  public boolean isVoter(long id) {
    return voters.contains(id);
  }

  public boolean isLearner(long id) {
    return learners.contains(id);
  }

  public boolean contains(long id) {
    return isVoter(id) || isLearner(id);
  }

  /** Voters and learners together, ascending. */
  public Set<Long> members() {
    TreeSet<Long> all = new TreeSet<>(voters);
    all.addAll(learners);
    return all;
  }

  /** How many voters form a majority. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  /**
   * The configuration after {@code change}.
   *
   * @throws IllegalArgumentException when the change does not fit this configuration (adding a member twice,
   *     promoting a non-learner, removing a non-member, removing the last voter)
   */
  public Membership apply(ConfigChange change) {
    long id = change.nodeId();
    TreeSet<Long> v = new TreeSet<>(voters);
    TreeSet<Long> l = new TreeSet<>(learners);
    switch (change.type()) {
      case ADD_LEARNER -> {
        if (contains(id)) {
          throw new IllegalArgumentException("node " + id + " is already a member of " + this);
        }
        l.add(id);
      }
      case PROMOTE -> {
        if (!isLearner(id)) {
          throw new IllegalArgumentException("node " + id + " is not a learner of " + this);
        }
        l.remove(id);
        v.add(id);
      }
      case REMOVE -> {
        if (!contains(id)) {
          throw new IllegalArgumentException("node " + id + " is not a member of " + this);
        }
        if (isVoter(id) && voters.size() == 1) {
          throw new IllegalArgumentException("cannot remove the last voter " + id);
        }
        v.remove(id);
        l.remove(id);
      }
      default -> throw new IllegalStateException(change.type().name());
    }
    return new Membership(v, l);
  }

  @Override
  public String toString() {
    return "Membership{voters=" + voters + ", learners=" + learners + "}";
  }
}
