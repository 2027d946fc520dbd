package io.raftoral.management;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the management layer (cluster 0 and the placement of nodes into execution clusters). Vert.x-style
 * data object: {@code DEFAULT_*} constants, fluent setters, JSON round trip. Times are wall-clock milliseconds of
 * the management leader.
 */
public final class ManagementOptions {

  /** At most this many voters in cluster 0; the other nodes are learners (DESIGN §4). */
  public static final int DEFAULT_MAX_VOTERS = 5;
  /** The size execution clusters are filled to. */
  public static final int DEFAULT_TARGET_CLUSTER_SIZE = 3;
  /** An execution cluster reaching this many members is split in two. */
  public static final int DEFAULT_SPLIT_THRESHOLD = 6;
  /** How often every node tells the management leader it is alive. */
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 1_000;
  /** A node not heard from for this long is declared failed. */
  public static final long DEFAULT_FAILURE_TIMEOUT_MILLIS = 10_000;
  /** How often the management leader runs the cluster manager, and leaders reconcile their membership. */
  public static final long DEFAULT_RECONCILE_INTERVAL_MILLIS = 500;
  /** A learner is promoted once its log is at most this many entries behind the leader's commit index. */
  public static final long DEFAULT_MAX_LEARNER_LAG_ENTRIES = 64;

  /**
   * A failed node not heard from for this long leaves the directory (it registers again if it comes back): long
   * enough to ride out an outage, short enough that nodes replaced for good do not pile up.
   */
  public static final long DEFAULT_FAILED_NODE_RETENTION_MILLIS = 3_600_000;

  /**
   * Off by default: merging dissolves a cluster, and the state its group holds (running workflows) would go with
   * it. An undersized cluster is refilled by placement and by taking members from larger clusters instead.
   */
  public static final boolean DEFAULT_MERGE_UNDERSIZED_CLUSTERS = false;

  /** A split divides a cluster in this many, each of which should have at least the target size. */
  private static final int CLUSTERS_PER_SPLIT = 2;

  /**
   * The failure timeout spans at least this many heartbeat intervals (plus a reconcile interval): a node that loses
   * one heartbeat is heard again within two intervals, and must not be declared failed meanwhile.
   */
  private static final int HEARTBEAT_INTERVALS_PER_FAILURE_TIMEOUT = 2;

  private int maxVoters = DEFAULT_MAX_VOTERS;
  private int targetClusterSize = DEFAULT_TARGET_CLUSTER_SIZE;
  private int splitThreshold = DEFAULT_SPLIT_THRESHOLD;
  private long heartbeatIntervalMillis = DEFAULT_HEARTBEAT_INTERVAL_MILLIS;
  private long failureTimeoutMillis = DEFAULT_FAILURE_TIMEOUT_MILLIS;
  private long reconcileIntervalMillis = DEFAULT_RECONCILE_INTERVAL_MILLIS;
  private long maxLearnerLagEntries = DEFAULT_MAX_LEARNER_LAG_ENTRIES;
  private boolean mergeUndersizedClusters = DEFAULT_MERGE_UNDERSIZED_CLUSTERS;
  private long failedNodeRetentionMillis = DEFAULT_FAILED_NODE_RETENTION_MILLIS;

  public ManagementOptions() {}

  /** A copy of {@code other}, field by field; checked like the JSON constructor. */
  public ManagementOptions(ManagementOptions other) {
    maxVoters = other.maxVoters;
    targetClusterSize = other.targetClusterSize;
    splitThreshold = other.splitThreshold;
    heartbeatIntervalMillis = other.heartbeatIntervalMillis;
    failureTimeoutMillis = other.failureTimeoutMillis;
    reconcileIntervalMillis = other.reconcileIntervalMillis;
    maxLearnerLagEntries = other.maxLearnerLagEntries;
    mergeUndersizedClusters = other.mergeUndersizedClusters;
    failedNodeRetentionMillis = other.failedNodeRetentionMillis;
    validate();
  }

  public ManagementOptions(JsonObject json) {
    setMaxVoters(json.getInteger("maxVoters", DEFAULT_MAX_VOTERS));
    setTargetClusterSize(json.getInteger("targetClusterSize", DEFAULT_TARGET_CLUSTER_SIZE));
    setSplitThreshold(json.getInteger("splitThreshold", DEFAULT_SPLIT_THRESHOLD));
    setHeartbeatIntervalMillis(json.getLong("heartbeatIntervalMillis", DEFAULT_HEARTBEAT_INTERVAL_MILLIS));
    setFailureTimeoutMillis(json.getLong("failureTimeoutMillis", DEFAULT_FAILURE_TIMEOUT_MILLIS));
    setReconcileIntervalMillis(json.getLong("reconcileIntervalMillis", DEFAULT_RECONCILE_INTERVAL_MILLIS));
    setMaxLearnerLagEntries(json.getLong("maxLearnerLagEntries", DEFAULT_MAX_LEARNER_LAG_ENTRIES));
    setMergeUndersizedClusters(json.getBoolean("mergeUndersizedClusters", DEFAULT_MERGE_UNDERSIZED_CLUSTERS));
    setFailedNodeRetentionMillis(json.getLong("failedNodeRetentionMillis", DEFAULT_FAILED_NODE_RETENTION_MILLIS));
    validate();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("maxVoters", maxVoters)
        .put("targetClusterSize", targetClusterSize)
        .put("splitThreshold", splitThreshold)
        .put("heartbeatIntervalMillis", heartbeatIntervalMillis)
        .put("failureTimeoutMillis", failureTimeoutMillis)
        .put("reconcileIntervalMillis", reconcileIntervalMillis)
        .put("maxLearnerLagEntries", maxLearnerLagEntries)
        .put("mergeUndersizedClusters", mergeUndersizedClusters)
        .put("failedNodeRetentionMillis", failedNodeRetentionMillis);
  }

  /**
   * Checks the settings against each other (the setters check each one alone).
   *
   * @throws IllegalArgumentException when they do not fit together
   */
  public ManagementOptions validate() {
    if (splitThreshold < CLUSTERS_PER_SPLIT * targetClusterSize) {
      // a split must leave two clusters of at least the target size, or placement would refill and re-split
      throw new IllegalArgumentException("splitThreshold (" + splitThreshold + ") must be >= 2 * targetClusterSize ("
          + targetClusterSize + ")");
    }
    long minFailureTimeout = HEARTBEAT_INTERVALS_PER_FAILURE_TIMEOUT * heartbeatIntervalMillis
        + reconcileIntervalMillis;
    if (failureTimeoutMillis < minFailureTimeout) {
      // one lost heartbeat, plus the manager round that records heartbeats, must not fail a node
      throw new IllegalArgumentException("failureTimeoutMillis (" + failureTimeoutMillis
          + ") must be >= 2 * heartbeatIntervalMillis + reconcileIntervalMillis (" + minFailureTimeout + ")");
    }
    return this;
  }

  public int getMaxVoters() { return maxVoters; }

  public ManagementOptions setMaxVoters(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("maxVoters must be >= 1, was " + v);
    }
    maxVoters = v;
    return this;
  }

  public int getTargetClusterSize() { return targetClusterSize; }

  public ManagementOptions setTargetClusterSize(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("targetClusterSize must be >= 1, was " + v);
    }
    targetClusterSize = v;
    return this;
  }

  public int getSplitThreshold() { return splitThreshold; }

  public ManagementOptions setSplitThreshold(int v) {
    if (v < 2) {
      throw new IllegalArgumentException("splitThreshold must be >= 2, was " + v);
    }
    splitThreshold = v;
    return this;
  }

  public long getHeartbeatIntervalMillis() { return heartbeatIntervalMillis; }

  public ManagementOptions setHeartbeatIntervalMillis(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("heartbeatIntervalMillis must be >= 1, was " + v);
    }
    heartbeatIntervalMillis = v;
    return this;
  }

  public long getFailureTimeoutMillis() { return failureTimeoutMillis; }

  public ManagementOptions setFailureTimeoutMillis(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("failureTimeoutMillis must be >= 1, was " + v);
    }
    failureTimeoutMillis = v;
    return this;
  }

  public long getReconcileIntervalMillis() { return reconcileIntervalMillis; }

  public ManagementOptions setReconcileIntervalMillis(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("reconcileIntervalMillis must be >= 1, was " + v);
    }
    reconcileIntervalMillis = v;
    return this;
  }

  public long getMaxLearnerLagEntries() { return maxLearnerLagEntries; }

  public ManagementOptions setMaxLearnerLagEntries(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("maxLearnerLagEntries must be >= 0, was " + v);
    }
    maxLearnerLagEntries = v;
    return this;
  }

  public boolean isMergeUndersizedClusters() {
    return mergeUndersizedClusters;
  }

  /**
   * Whether a cluster below the target size that no larger cluster can give a member to is merged into another
   * (its group is then stopped and its data deleted on its members). For state machines whose state may be
   * dropped; keep it off for workflow clusters.
   */
  public ManagementOptions setMergeUndersizedClusters(boolean v) {
    this.mergeUndersizedClusters = v;
    return this;
  }

  public long getFailedNodeRetentionMillis() { return failedNodeRetentionMillis; }

  /**
   * How long a failed node stays in the directory without being heard from before the management leader removes
   * it (a node that comes back later registers again).
   */
  public ManagementOptions setFailedNodeRetentionMillis(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("failedNodeRetentionMillis must be >= 1, was " + v);
    }
    failedNodeRetentionMillis = v;
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
