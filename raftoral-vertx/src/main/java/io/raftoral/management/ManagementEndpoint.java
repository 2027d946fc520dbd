package io.raftoral.management;

import io.vertx.core.Future;
import java.util.Set;

/**
 * What a node serves to nodes that are not (yet) members of cluster 0, over the network transports' discovery
 * endpoints: registration, heartbeats and the node directory. Implemented by {@link ManagementService}; the
 * network {@link ManagementClient}s call it on a seed node.
 */
public interface ManagementEndpoint {

  /** This node's id. */
  long nodeId();

  /** Whether this node leads cluster 0 (registrations and heartbeats are served there). */
  boolean isManagementLeader();

  /**
   * The leader of cluster 0 as this node knows it, or 0 when it knows none. Approximate on a node that does not
   * lead (it may lag an election); discovery answers hand it out as a hint only. Any thread.
   */
  default long managementLeaderId() {
    return isManagementLeader() ? nodeId() : 0;
  }

  /** The voters of cluster 0 as this node knows them (empty when unknown). Any thread. */
  default Set<Long> managementVoters() {
    return Set.of();
  }

  /** The most voters cluster 0 has (the rest of its members are learners). */
  default int maxVoters() {
    return ManagementOptions.DEFAULT_MAX_VOTERS;
  }

  /** The node directory and execution clusters as this node knows them (may lag the leader). Any thread. */
  ManagementView view();

  /** See {@link ManagementService#handleRegister}. */
  Future<Long> handleRegister(String nodeAddress, String requestId);

  /**
   * Registers the node at {@code nodeAddress} that holds the storage of node {@code requestedNodeId} (a node that
   * rejoins: it keeps its id and is alive again). {@code requestedNodeId} 0 is {@link #handleRegister(String,
   * String)}. See {@link ManagementService#handleRegister(String, String, long)}.
   */
  default Future<Long> handleRegister(String nodeAddress, String requestId, long requestedNodeId) {
    return requestedNodeId == 0 ? handleRegister(nodeAddress, requestId)
        : Future.failedFuture(new UnsupportedOperationException("this endpoint registers no node by its own id"));
  }

  /**
   * Why this node should not be used now, or null when it is ready: its own registration is not in its view yet
   * (it is starting), or it has been out of contact with the management leader for longer than the failure timeout
   * (its directory may be stale: it was cut off, or removed from cluster 0 while it was down). What readiness checks
   * (HTTP {@code /health}, gRPC health) answer. Any thread.
   */
  default String notReadyReason() {
    return view().nodes().containsKey(nodeId()) ? null : "node " + nodeId() + " is not registered yet";
  }

  /** See {@link ManagementService#handleHeartbeat}. */
  Future<Void> handleHeartbeat(long fromNode);
}
