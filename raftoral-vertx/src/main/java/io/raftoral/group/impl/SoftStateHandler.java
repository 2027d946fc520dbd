package io.raftoral.group.impl;

import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.raft.SoftState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a group does when a Ready reports a new soft state (leader, role, term): re-sends what a new leader may not
 * have received, publishes the leader and role events, fails the membership changes a former leader can no longer
 * settle, runs the requests that waited for a leader and settles the leadership transfers that reached their target.
 *
 * <p>Confined to the group's event-loop context.
 */
final class SoftStateHandler {

  private static final Logger LOG = LoggerFactory.getLogger(SoftStateHandler.class);
  /** Cluster 0's leadership is logged at INFO (one line per change on a node); execution groups' at DEBUG. */
  private static final long MANAGEMENT_CLUSTER_ID = 0;

  private final RaftGroupVerticle<?, ?> group;
  private final GroupEventPublisher events;
  private final GroupMeters meters;
  private final long staleAfterTicks;
  /** The soft state of the last Ready that carried one: what the published events last reported. */
  private SoftState last;
  private long lastLeader = RaftNode.NONE;
  private long lastLeaderTerm;

  SoftStateHandler(RaftGroupVerticle<?, ?> group, GroupEventPublisher events, GroupMeters meters,
      long staleAfterTicks, SoftState initial) {
    this.group = group;
    this.events = events;
    this.meters = meters;
    this.staleAfterTicks = staleAfterTicks;
    this.last = initial;
  }

  void onSoftState(SoftState soft) {
    // Compared with the last soft state handled here, not with status(): status() is refreshed after every
    // persist from the core's live state, so it may already show a change whose Ready has not been handled yet.
    SoftState before = last;
    last = soft;
    if (soft.leaderId() != RaftNode.NONE && (soft.leaderId() != lastLeader || soft.term() != lastLeaderTerm)) {
      // A new term counts as a change even with the same leader: a leader that stepped down and was elected again
      // dropped the read requests it had pending.
      boolean changed = lastLeader != RaftNode.NONE;
      lastLeader = soft.leaderId();
      lastLeaderTerm = soft.term();
      meters.leaderChanged();
      if (changed) {
        group.proposals().resendStale(true, staleAfterTicks);
        group.reads().reissue(true, staleAfterTicks);
      }
    }
    if (before == null || before.leaderId() != soft.leaderId() || before.term() != soft.term()) {
      events.leaderChanged(soft.leaderId(), soft.term());
    }
    if (before == null || before.role() != soft.role()) {
      events.roleChanged(soft.role(), soft.term());
    }
    if (before == null || before.role() != soft.role() || before.leaderId() != soft.leaderId()) {
      logChange(soft);
    }
    if (soft.role() != Role.LEADER && !group.changes().isEmpty()) {
      group.changes().onLeadershipLost(group.core().status().commitIndex(), soft.leaderId());
    }
    if (soft.leaderId() != RaftNode.NONE) {
      group.leaderWaiters().leaderKnown();
    }
    group.transfers().onLeader(soft.leaderId());
  }

  private void logChange(SoftState soft) {
    boolean info = group.groupId() == MANAGEMENT_CLUSTER_ID;
    if (info ? LOG.isInfoEnabled() : LOG.isDebugEnabled()) {
      String line = "group {} on node {}: {} in term {}, leader {}, voters {}, learners {}";
      Object[] args = {group.groupId(), group.core().id(), soft.role(), soft.term(), soft.leaderId(),
          group.core().membership().voters(), group.core().membership().learners()};
      if (info) {
        LOG.info(line, args);
      } else {
        LOG.debug(line, args);
      }
    }
  }
}
