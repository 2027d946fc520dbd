package io.raftoral.management;

import io.raftoral.management.ManagementCommand.RegisterNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * What this node answers when other nodes register or send heartbeats (the two requests of
 * {@link ManagementEndpoint}, which the network transports serve on their discovery endpoints).
 */
final class EndpointHandler {

  private final GroupCalls calls;
  private final ManagementStateMachine stateMachine;
  private final ManagementLeaderRound round;
  private final Context context;

  EndpointHandler(GroupCalls calls, ManagementStateMachine stateMachine, ManagementLeaderRound round,
      Context context) {
    this.calls = calls;
    this.stateMachine = stateMachine;
    this.round = round;
    this.context = context;
  }

  /**
   * Proposes a {@link RegisterNode} for the node at {@code nodeAddress}; completes with the allocated id (or
   * {@code requestedNodeId}, when not {@link RegisterNode#ANY_NODE_ID}), or fails with the refusal. Any thread; Raft
   * forwards the proposal to the leader when this node does not lead.
   */
  Future<Long> register(String nodeAddress, String requestId, long requestedNodeId) {
    long self = calls.nodeId();
    if (!stateMachine.view().nodes().containsKey(self)) {
      // Until this node's own registration is applied here, the next free id could be its own (the founder
      // registers itself with its host's id only once cluster 0 is up).
      return Future.failedFuture(new IllegalStateException("node " + self + " is not registered yet"));
    }
    RegisterNode registration = new RegisterNode(nodeAddress, requestId, requestedNodeId);
    return calls.propose(registration).compose(result -> result.accepted()
        ? Future.succeededFuture(result.value())
        : Future.failedFuture(new IllegalStateException("registration refused: " + result.reason())));
  }

  /**
   * Takes a heartbeat of {@code fromNode} if this node leads cluster 0 (the next round commits it with this
   * leader's time); refuses it otherwise, so that the sender tries the leader. Any thread.
   */
  Future<Void> heartbeat(long fromNode) {
    Promise<Void> taken = Promise.promise();
    context.runOnContext(v -> {
      if (calls.management().isLeader()) {
        round.heard(fromNode);
        taken.complete();
      } else {
        taken.fail(new IllegalStateException("node " + calls.nodeId() + " does not lead cluster 0"));
      }
    });
    return taken.future();
  }
}
