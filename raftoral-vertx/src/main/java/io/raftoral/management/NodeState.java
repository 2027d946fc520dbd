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
  LEAVING,
  /**
   * Drained by an operator before maintenance: moved out of its execution clusters and of cluster 0 (their
   * leaderships handed to other members first), but kept in the directory and never declared failed, so that it can
   * be stopped and started again without churn. A node restarting keeps this state; an operator's undrain makes it
   * {@link #ALIVE} (placed anew).
   */
  DRAINING
}
