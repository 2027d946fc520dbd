package io.raftoral.management;

import io.vertx.core.Future;

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

  /** The node directory and execution clusters as this node knows them (may lag the leader). Any thread. */
  ManagementView view();

  /** See {@link ManagementService#handleRegister}. */
  Future<Long> handleRegister(String nodeAddress, String requestId);

  /** See {@link ManagementService#handleHeartbeat}. */
  Future<Void> handleHeartbeat(long fromNode);
}
