package io.raftoral.http.api;

import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The JSON shape of a {@link WorkflowStatus} in the HTTP API (snake_case like the quickstart's fields), used by
 * the server and by {@link HttpWorkflowClient}. {@code execution_cluster_id} is written as a decimal string (as the
 * quickstart shows it, and as protobuf's JSON mapping writes 64-bit integers); both strings and numbers are read.
 */
final class WorkflowJson {

  private WorkflowJson() {
  }

  static JsonObject toJson(WorkflowStatus s) {
    return new JsonObject()
        .put("workflow_id", s.workflowId())
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        .put("workflow_type", s.workflowType())
        .put("version", s.version())
        .put("state", s.state().name())
        .put("owner_node", s.ownerNode())
        .put("started_at", s.startedAt() == null ? null : s.startedAt().toString())
        .put("ended_at", s.endedAt() == null ? null : s.endedAt().toString())
        .put("checkpoint_count", s.checkpointCount())
        .put("input", s.inputJson())
        .put("result", s.resultJson())
        .put("error_type", s.errorType())
        .put("error", s.errorMessage());
  }

  static WorkflowStatus fromJson(JsonObject j) {
    return new WorkflowStatus(j.getString("workflow_id"), longOf(j.getValue("execution_cluster_id")),
        j.getString("workflow_type"), j.getInteger("version", 0), WorkflowState.valueOf(j.getString("state")),
        j.getLong("owner_node", 0L), instant(j.getString("started_at")), instant(j.getString("ended_at")),
        j.getInteger("checkpoint_count", 0), j.getString("input"), j.getString("result"), j.getString("error_type"),
        j.getString("error"));
  }

  private static long longOf(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    return v == null ? 0 : Long.parseLong(v.toString());
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
