package io.raftoral.management;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An execution cluster as cluster 0 knows it: the membership the cluster manager wants (desired), the members that
 * founded it, and the Raft membership its leader last reported as committed.
 *
 * @param id the cluster id (>= 1; cluster 0 is the management cluster)
 * @param desiredMembers the members the cluster manager wants; every desired member is meant to be a voter
 * @param founders the nodes that found the group with these voters (the others join as learners); a founder that
 *     has no stored state for the group starts it with {@code members(founders)}
 * @param reportedVoters the voters of the last committed configuration its leader reported
 * @param reportedLearners the learners of that configuration
 * @param reportedIndex the group's commit index when that report was made (reports only move forward)
 */
public record ExecutionCluster(long id, SortedSet<Long> desiredMembers, SortedSet<Long> founders,
    SortedSet<Long> reportedVoters, SortedSet<Long> reportedLearners, long reportedIndex) {

  public ExecutionCluster {
    if (id <= 0) {
      throw new IllegalArgumentException("execution cluster ids must be > 0, was " + id);
    }
    desiredMembers = frozen(desiredMembers);
    founders = frozen(founders);
    reportedVoters = frozen(reportedVoters);
    reportedLearners = frozen(reportedLearners);
  }

  static SortedSet<Long> frozen(Collection<Long> ids) {
    return Collections.unmodifiableSortedSet(ids == null ? new TreeSet<>() : new TreeSet<>(ids));
  }

  /** A new cluster founded by {@code founders}. */
  static ExecutionCluster created(long id, Collection<Long> founders) {
    return new ExecutionCluster(id, new TreeSet<>(founders), new TreeSet<>(founders), null, null, 0);
  }

  ExecutionCluster withDesired(Collection<Long> members) {
    return new ExecutionCluster(id, new TreeSet<>(members), founders, reportedVoters, reportedLearners, reportedIndex);
  }

  ExecutionCluster withReport(Collection<Long> voters, Collection<Long> learners, long index) {
    return new ExecutionCluster(id, desiredMembers, founders, new TreeSet<>(voters), new TreeSet<>(learners), index);
  }

  /** Whether its leader has reported a committed membership yet. */
  public boolean reported() {
    return reportedIndex > 0;
  }

  /** Whether {@code nodeId} is in the reported Raft membership, as voter or learner. */
  public boolean reportedMember(long nodeId) {
    return reportedVoters.contains(nodeId) || reportedLearners.contains(nodeId);
  }

  /** Whether {@code nodeId} is desired or still in the reported Raft membership. */
  public boolean refersTo(long nodeId) {
    return desiredMembers.contains(nodeId) || reportedMember(nodeId);
  }
}
