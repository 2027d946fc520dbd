package io.raftoral.storage;

import java.util.Objects;

/**
 * Who a node's storage belongs to: the node id and the name of the cluster it is a member of. A store refuses to
 * serve a node or cluster it does not belong to.
 *
 * @param nodeId the node's id (&gt; 0)
 * @param clusterName the cluster's name (non-empty)
 */
public record NodeIdentity(long nodeId, String clusterName) {
  public NodeIdentity {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.isEmpty()) {
      throw new IllegalArgumentException("clusterName must not be empty");
    }
  }
}
