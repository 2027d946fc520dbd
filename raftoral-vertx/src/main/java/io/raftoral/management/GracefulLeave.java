package io.raftoral.management;

import io.raftoral.management.ManagementCommand.NodeLeaving;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * A node leaving the cluster gracefully: it marks itself leaving in cluster 0 (the cluster manager then moves it out
 * of its execution clusters), and the leave completes once every execution cluster has removed it, this node has
 * stopped their groups and deleted their data, and it no longer leads cluster 0. The caller then stops the node; the
 * management leader removes it from cluster 0 and from the directory.
 *
 * <p>Confined to the management service's context.
 */
final class GracefulLeave {

  private final Vertx vertx;
  private final GroupCalls calls;
  private final ManagementStateMachine stateMachine;
  private final HostedGroups hostedGroups;
  private final long retryDelayMillis;
  private Promise<Void> leaving;
  private boolean left;

  /**
   * @param retryDelayMillis the pause before proposing the leave again after a failed or refused proposal
   */
  GracefulLeave(Vertx vertx, GroupCalls calls, ManagementStateMachine stateMachine, HostedGroups hostedGroups,
      long retryDelayMillis) {
    this.vertx = vertx;
    this.calls = calls;
    this.stateMachine = stateMachine;
    this.hostedGroups = hostedGroups;
    this.retryDelayMillis = retryDelayMillis;
  }

  /** Starts leaving; completes once this node has left (see the class comment). */
  Future<Void> leave() {
    Promise<Void> done = Promise.promise();
    leaving = done;
    proposeLeaving();
    return done.future();
  }

  /** Whether this node has left: its data in cluster 0 may then be deleted with its member. */
  boolean hasLeft() {
    return left;
  }

  /** Whether this node is leaving or has left (it must not register again). */
  boolean isLeaving() {
    return leaving != null || left;
  }

  /** Completes the leave if this node has got out of everything; called after every change and every round. */
  void checkLeft() {
    if (leaving == null) {
      return;
    }
    long self = calls.nodeId();
    ManagementView view = stateMachine.view();
    NodeRecord me = view.nodes().get(self);
    if (me != null && me.state() == NodeState.LEAVING && !view.referencedByAnyCluster(self)
        && hostedGroups.noneLeft() && !calls.management().isLeader()) {
      left = true;
      leaving.tryComplete();
      leaving = null;
    }
  }

  private void proposeLeaving() {
    calls.propose(new NodeLeaving(calls.nodeId())).onComplete(ar -> {
      if (ar.failed() || !ar.result().accepted()) {
        vertx.setTimer(retryDelayMillis, id -> proposeLeaving());
      }
    });
  }
}
