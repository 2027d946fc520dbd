package io.raftoral.management;

import io.raftoral.management.ManagementCommand.Batch;
import io.raftoral.management.ManagementCommand.Heartbeat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader of cluster 0 does every reconcile interval: commits the heartbeats it heard (stamped with its own
 * clock), proposes the {@link ClusterManager}'s decision as one guarded {@link Batch}, and drives cluster 0's own
 * configuration toward every member {@link ClusterManager#managementMembers} wants, with at most
 * {@link ManagementOptions#getMaxVoters()} voters (learners are promoted when a voter fails or leaves).
 *
 * <p>Also the ledger of heartbeats heard since the last round: the {@link EndpointHandler} notes other nodes', the
 * {@link HeartbeatSender} this node's own. Confined to the management service's context.
 */
final class ManagementLeaderRound {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementLeaderRound.class);

  /** {@link #leaderSince} while this node does not lead cluster 0. */
  private static final long NOT_LEADING = -1;

  /**
   * "This leader has not recorded its own heartbeat yet": far enough in the past that the first round records it,
   * and far enough from {@link Long#MIN_VALUE} that {@code now - NEVER} cannot overflow.
   */
  private static final long NEVER = Long.MIN_VALUE / 2;

  private final GroupCalls calls;
  private final ManagementStateMachine stateMachine;
  private final ManagementOptions options;
  private final LongSupplier clock;

  private long leaderSince = NOT_LEADING;
  private final Map<Long, Long> heard = new TreeMap<>();
  private long selfRecordedAt = NEVER;
  private boolean decisionInFlight;
  private boolean membershipChangeInFlight;

  ManagementLeaderRound(GroupCalls calls, ManagementStateMachine stateMachine, ManagementOptions options,
      LongSupplier clock) {
    this.calls = calls;
    this.stateMachine = stateMachine;
    this.options = options;
    this.clock = clock;
  }

  /** Notes a heartbeat of {@code nodeId} at this leader's current time (a later one wins). */
  void heard(long nodeId) {
    heard.merge(nodeId, clock.getAsLong(), Math::max);
  }

  /** Notes this leader's own heartbeat: it sends none over the network. */
  void heardSelf() {
    heard.put(calls.nodeId(), clock.getAsLong());
  }

  /** One round; call it only while this node leads cluster 0. */
  void run() {
    if (leaderSince == NOT_LEADING) {
      // heartbeats count from here: the previous leader's were never recorded by this one
      leaderSince = clock.getAsLong();
      selfRecordedAt = NEVER;
    }
    recordHeartbeats();
    proposeDecision();
    reconcileManagementMembership();
  }

  /** This node does not lead cluster 0 (any more): what it heard is a later leader's to hear again. */
  void notLeading() {
    leaderSince = NOT_LEADING;
    heard.clear();
  }

  /**
   * Commits the heartbeats heard since the last round, stamped with this leader's clock, as one unguarded batch:
   * one log entry per round however many nodes there are.
   */
  private void recordHeartbeats() {
    long now = clock.getAsLong();
    if (now - selfRecordedAt >= options.getHeartbeatIntervalMillis()) {
      heard.put(calls.nodeId(), now);
      selfRecordedAt = now;
    }
    ManagementView view = stateMachine.view();
    List<ManagementCommand> beats = new ArrayList<>();
    heard.forEach((id, time) -> {
      // unknown nodes (not registered yet, or forgotten) would make the whole batch refused
      if (view.nodes().containsKey(id)) {
        beats.add(new Heartbeat(id, time));
      }
    });
    heard.clear();
    if (!beats.isEmpty()) {
      // Unguarded: heartbeats hold in any topology. A lost batch is made up for by the next round's heartbeats;
      // the failure timeout allows for it.
      calls.proposeAndForget(new Batch(Batch.UNGUARDED, beats));
    }
  }

  /** Proposes what the cluster manager decides, guarded by the topology version it decided on. */
  private void proposeDecision() {
    if (decisionInFlight) {
      return;
    }
    ManagementView view = stateMachine.view();
    if (!view.nodes().containsKey(calls.nodeId())) {
      return;
    }
    List<ManagementCommand> decision = ClusterManager.decide(view, calls.management().membership(),
        clock.getAsLong(), leaderSince, options);
    if (decision.isEmpty()) {
      return;
    }
    decisionInFlight = true;
    calls.propose(new Batch(view.topologyVersion(), decision)).onComplete(ar -> {
      decisionInFlight = false;
      if (ar.succeeded() && ar.result().accepted()) {
        LOG.debug("node {}: management decision committed: {}", calls.nodeId(), decision);
      } else {
        // a stale view (refused) or a leadership change: the next round decides again on the current state
        LOG.debug("node {}: management decision not applied: {}", calls.nodeId(),
            ar.succeeded() ? ar.result().reason() : ar.cause().toString());
      }
    });
  }

  /** One step of cluster 0's own configuration toward the members it should have. */
  private void reconcileManagementMembership() {
    if (membershipChangeInFlight) {
      return;
    }
    SortedSet<Long> desired = ClusterManager.managementMembers(stateMachine.view());
    if (desired.isEmpty()) {
      return;
    }
    Optional<MembershipPlanner.Step> step = MembershipPlanner.next(calls.management().status(), desired,
        options.getMaxVoters(), options.getMaxLearnerLagEntries());
    if (step.isPresent()) {
      membershipChangeInFlight = true;
      calls.execute(calls.management(), step.get()).onComplete(ar -> membershipChangeInFlight = false);
    }
  }
}
