package io.raftoral.management;

import io.raftoral.group.RaftGroup;
import io.raftoral.management.ManagementCommand.ReportMembership;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import java.util.Optional;

/**
 * The reconciliation of one execution cluster by its leader on this node: drives the group's Raft configuration
 * toward the desired members held in cluster 0, one change at a time, learner first ({@link MembershipPlanner}),
 * and reports each committed configuration back to cluster 0 before making the next change.
 *
 * <p>One instance per execution cluster this node leads, kept while it leads; confined to the management service's
 * context. At most one report or membership step is in flight.
 */
final class ExecutionClusterReconciliation {

  /** Every desired member of an execution cluster is meant to be a voter (only cluster 0 keeps learners). */
  private static final int ALL_VOTERS = Integer.MAX_VALUE;

  private final GroupCalls calls;
  private final long maxLearnerLagEntries;

  /** The term this node leads in; a new term means a new leadership (see {@link #settledIndex}). */
  private long term;
  /** The leader's last index when it took office: until it commits, a previous leader's change may be pending. */
  private long settledIndex;
  private boolean busy;

  ExecutionClusterReconciliation(GroupCalls calls, long maxLearnerLagEntries) {
    this.calls = calls;
    this.maxLearnerLagEntries = maxLearnerLagEntries;
  }

  /**
   * One step: a report, or a membership change, or nothing (in sync, or the previous step still runs).
   *
   * @param group the cluster's group, led by this node
   * @param cluster the cluster as cluster 0 knows it
   */
  void reconcile(RaftGroup<?, ?> group, ExecutionCluster cluster) {
    RaftStatus status = group.status();
    if (term != status.term()) {
      term = status.term();
      settledIndex = status.lastIndex();
    }
    if (busy || status.commitIndex() < settledIndex) {
      return;
    }
    // Report the committed configuration before changing it again: members rely on the report to know when their
    // removal is committed, so the reported configuration may lag the real one by at most one learner addition.
    Membership m = status.membership();
    if (!cluster.reportedVoters().equals(m.voters()) || !cluster.reportedLearners().equals(m.learners())) {
      busy = true;
      calls.propose(new ReportMembership(cluster.id(), m.voters(), m.learners(), status.commitIndex()))
          .onComplete(ar -> busy = false);
      return;
    }
    if (cluster.desiredMembers().isEmpty()) {
      return;
    }
    Optional<MembershipPlanner.Step> step = MembershipPlanner.next(status, cluster.desiredMembers(), ALL_VOTERS,
        maxLearnerLagEntries);
    if (step.isPresent()) {
      busy = true;
      calls.execute(group, step.get()).onComplete(ar -> busy = false);
    }
  }
}
