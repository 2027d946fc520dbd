package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.Membership;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The management state driven by the cluster manager's decisions without Raft or Vert.x: commands go straight
 * through the state machine's transition function, execution clusters reconcile instantly (their reported
 * membership becomes the desired one), and cluster 0's membership is what the manager wants. Time is a number.
 */
final class ManagementSim {

  final ManagementOptions options;
  ManagementView view = ManagementView.EMPTY;
  long now = 1_000_000;
  long leaderSince = 0;
  private long index;
  private long reportIndex;

  ManagementSim(ManagementOptions options) {
    this.options = options;
  }

  ManagementSim() {
    this(new ManagementOptions().setMergeUndersizedClusters(true));
  }

  ManagementResult apply(ManagementCommand command) {
    ManagementStateMachine.Outcome out = ManagementStateMachine.step(view, command);
    view = out.view().withAppliedIndex(++index);
    return out.result();
  }

  /** Registers a node at {@code address} and records a heartbeat; returns its id. */
  long join(String address) {
    ManagementResult r = apply(new ManagementCommand.RegisterNode(address, "req-" + address, 0));
    assertThat(r.accepted()).as(r.reason()).isTrue();
    apply(new ManagementCommand.Heartbeat(r.value(), now));
    return r.value();
  }

  void heartbeat(long... ids) {
    for (long id : ids) {
      apply(new ManagementCommand.Heartbeat(id, now));
    }
  }

  /** Every node not in {@code silent} heartbeats now. */
  void heartbeatAllBut(Set<Long> silent) {
    for (NodeRecord n : view.nodes().values()) {
      if (!silent.contains(n.id()) && n.state() != NodeState.LEAVING) {
        apply(new ManagementCommand.Heartbeat(n.id(), now));
      }
    }
  }

  Membership managementMembership() {
    return new Membership(ClusterManager.managementMembers(view), Set.of());
  }

  /** One manager round: decide, apply the batch (which must be accepted), let the clusters reconcile. */
  List<ManagementCommand> round() {
    List<ManagementCommand> decision = ClusterManager.decide(view, managementMembership(), now, leaderSince, options);
    if (!decision.isEmpty()) {
      ManagementResult r = apply(new ManagementCommand.Batch(view.topologyVersion(), decision));
      assertThat(r.accepted()).as("batch %s refused: %s", decision, r.reason()).isTrue();
    }
    for (ExecutionCluster c : view.clusters().values()) {
      if (!c.reportedVoters().equals(c.desiredMembers()) || !c.reportedLearners().isEmpty()) {
        apply(new ManagementCommand.ReportMembership(c.id(), c.desiredMembers(), Set.of(), ++reportIndex));
      }
    }
    return decision;
  }

  /** Rounds until the manager has nothing more to do (at most 10). */
  void settle() {
    for (int i = 0; i < 10; i++) {
      if (round().isEmpty()) {
        return;
      }
    }
    throw new AssertionError("the cluster manager did not settle: " + view);
  }

  /** The desired members of every execution cluster, by cluster id. */
  Map<Long, Set<Long>> layout() {
    Map<Long, Set<Long>> m = new TreeMap<>();
    view.clusters().forEach((id, c) -> m.put(id, c.desiredMembers()));
    return m;
  }
}
