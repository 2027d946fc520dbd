package io.raftoral.host;

import io.vertx.core.json.JsonObject;

/**
 * Settings of a {@link RaftHost}: the node id, the name of the cluster it belongs to (recorded in its storage, which
 * then refuses to serve another node or cluster), and the interval of the node-wide ticker.
 */
public final class RaftHostOptions {

  public static final long DEFAULT_TICK_MILLIS = 100;
  public static final String DEFAULT_CLUSTER_NAME = "raftoral";

  private long nodeId;
  private long tickMillis = DEFAULT_TICK_MILLIS;
  private String clusterName = DEFAULT_CLUSTER_NAME;

  public RaftHostOptions() {}

  public RaftHostOptions(JsonObject json) {
    if (json.containsKey("nodeId")) {
      setNodeId(json.getLong("nodeId"));
    }
    setTickMillis(json.getLong("tickMillis", DEFAULT_TICK_MILLIS));
    setClusterName(json.getString("clusterName", DEFAULT_CLUSTER_NAME));
  }

  public JsonObject toJson() {
    return new JsonObject().put("nodeId", nodeId).put("tickMillis", tickMillis).put("clusterName", clusterName);
  }

  public long getNodeId() { return nodeId; }

  public RaftHostOptions setNodeId(long nodeId) {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    this.nodeId = nodeId;
    return this;
  }

  public long getTickMillis() { return tickMillis; }

  /** Interval of the node-wide ticker that drives every group's Raft clock. */
  public RaftHostOptions setTickMillis(long tickMillis) {
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be >= 1, was " + tickMillis);
    }
    this.tickMillis = tickMillis;
    return this;
  }

  public String getClusterName() { return clusterName; }

  /** Name of the cluster this node belongs to; its storage records it with the node id. */
  public RaftHostOptions setClusterName(String clusterName) {
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName must not be blank");
    }
    this.clusterName = clusterName;
    return this;
  }
}
