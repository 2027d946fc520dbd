package io.raftoral.node;

import io.vertx.core.json.JsonObject;

/** Settings of a {@link RaftHost}: the node id and the interval of the node-wide ticker. */
public final class RaftHostOptions {

  public static final long DEFAULT_TICK_MILLIS = 100;

  private long nodeId;
  private long tickMillis = DEFAULT_TICK_MILLIS;

  public RaftHostOptions() {}

  public RaftHostOptions(JsonObject json) {
    if (json.containsKey("nodeId")) {
      setNodeId(json.getLong("nodeId"));
    }
    setTickMillis(json.getLong("tickMillis", DEFAULT_TICK_MILLIS));
  }

  public JsonObject toJson() {
    return new JsonObject().put("nodeId", nodeId).put("tickMillis", tickMillis);
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
}
