package io.raftoral.management;

/** Where a node stands in the node directory of cluster 0. */
public enum NodeState {
  /** Registered and heard from within the failure timeout: placed into clusters. */
  ALIVE,
  /**
   * Not heard from within the failure timeout: replaced in its clusters. Kept in the directory for the failed-node
   * retention ({@link ManagementOptions#getFailedNodeRetentionMillis()}), so that a node that was only cut off becomes
   * {@link #ALIVE} again (and is placed anew) when it is heard from; removed after that (it registers again if it
   * comes back).
   */
  FAILED,
  /** Shutting down gracefully: moved out of its clusters, then removed from the directory. */
  LEAVING
}
