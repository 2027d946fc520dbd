package io.raftoral.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One event of a node's stream.
 *
 * @param seq the event's number on this node (1, 2, ...; the SSE {@code id}), 0 for a skipped-events marker
 * @param kind what happened
 * @param timeMillis when this node saw it, milliseconds since the epoch
 * @param nodeId the node that reports it
 * @param clusterId the Raft group it concerns: 0 for cluster 0 (node directory events), else the execution cluster
 * @param fields the kind's fields (see {@link EventKind}); snake_case names, read-only by convention
 */
public record NodeEvent(long seq, EventKind kind, long timeMillis, long nodeId, long clusterId, JsonObject fields) {

  public NodeEvent {
    Objects.requireNonNull(kind, "kind");
    fields = fields == null ? new JsonObject() : fields;
  }

  /** The workflow type this event concerns, or null (not a workflow event, or the type is unknown). */
  public String workflowType() {
    return kind.isWorkflowEvent() ? fields.getString("workflow_type") : null;
  }

  /**
   * The JSON form every API serves: {@code {"seq": 7, "kind": "workflow_started", "time": "2026-...Z",
   * "time_millis": ..., "node_id": 1, "cluster_id": 1, "fields": {...}}}.
   */
  public JsonObject toJson() {
    return new JsonObject().put("seq", seq).put("kind", kind.wireName())
        .put("time", Instant.ofEpochMilli(timeMillis).toString()).put("time_millis", timeMillis)
        .put("node_id", nodeId).put("cluster_id", clusterId).put("fields", fields.copy());
  }
}
