package io.raftoral.management;

import io.raftoral.management.ManagementCommand.RegisterNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The founding node's registration of itself in the node directory, with its host's node id: it founded cluster 0
 * and so had no leader to register through. Idempotent (a restart re-registers the same address under the same
 * request id); tried every round until the directory holds this node or cluster 0 refuses it for good.
 * Confined to the management service's context.
 */
final class FounderRegistration {

  private static final Logger LOG = LoggerFactory.getLogger(FounderRegistration.class);

  /** Prefix of the founder's registration request id (the same on every restart, so a retry is recognised). */
  private static final String REQUEST_ID_PREFIX = "founder-";

  private final GroupCalls calls;
  private final ManagementStateMachine stateMachine;
  private final String address;
  private boolean registering;
  private boolean refused;

  /**
   * @param calls cluster 0, founded by this node
   * @param stateMachine cluster 0's state (whether the directory holds this node yet)
   * @param address where other nodes reach this one
   */
  FounderRegistration(GroupCalls calls, ManagementStateMachine stateMachine, String address) {
    this.calls = calls;
    this.stateMachine = stateMachine;
    this.address = address;
  }

  /** Proposes this node's registration unless it is registered, being registered, or was refused. */
  void ensureRegistered() {
    long self = calls.nodeId();
    if (registering || refused || stateMachine.view().nodes().containsKey(self)) {
      return;
    }
    registering = true;
    calls.propose(new RegisterNode(address, REQUEST_ID_PREFIX + self, self)).onComplete(ar -> {
      registering = false;
      if (ar.succeeded() && !ar.result().accepted()) {
        // another node holds this id: retrying cannot help, the operator must pick another id
        refused = true;
        LOG.error("node {} cannot register itself: {}", self, ar.result().reason());
      }
    });
  }
}
