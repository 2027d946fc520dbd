package io.raftoral.workflow;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * What the execution cluster knows of one workflow instance.
 *
 * @param workflowId the instance id
 * @param executionClusterId the execution cluster running it
 * @param workflowType the registered name
 * @param version the registered version
 * @param state running, completed, failed or terminated
 * @param ownerNode the member producing its journal
 * @param startedAt when the start was proposed (the proposer's clock)
 * @param endedAt when it ended, or null while running
 * @param checkpointCount journal entries recorded
 * @param inputJson the input as JSON text
 * @param resultJson the result as JSON text when completed, else null
 * @param errorType the failure's exception class name when failed, {@code "terminated"} when terminated, else null
 * @param errorMessage the failure message or the termination reason, else null
 */
public record WorkflowStatus(String workflowId, long executionClusterId, String workflowType, int version,
    WorkflowState state, long ownerNode, Instant startedAt, Instant endedAt, int checkpointCount, String inputJson,
    String resultJson, String errorType, String errorMessage) {

  /**
   * Why the workflow did not complete, as the network APIs answer a wait: the termination reason, "still running",
   * or the failure's message (its type when it has none). Null for a completed workflow.
   */
  public String failureText() {
    return switch (state) {
      case COMPLETED -> null;
      case TERMINATED -> "workflow terminated" + (errorMessage == null ? "" : ": " + errorMessage);
      case RUNNING -> "workflow still running";
      case FAILED -> errorMessage == null ? errorType : errorMessage;
    };
  }

  /** JSON form (times as ISO-8601 text), for node-to-node routing and the network APIs. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("workflowId", workflowId)
        .put("executionClusterId", executionClusterId)
        .put("workflowType", workflowType)
        .put("version", version)
        .put("state", state.name())
        .put("ownerNode", ownerNode)
        .put("startedAt", startedAt.toString())
        .put("checkpointCount", checkpointCount)
        .put("inputJson", inputJson);
    if (endedAt != null) {
      json.put("endedAt", endedAt.toString());
    }
    if (resultJson != null) {
      json.put("resultJson", resultJson);
    }
    if (errorType != null) {
      json.put("errorType", errorType);
    }
    if (errorMessage != null) {
      json.put("errorMessage", errorMessage);
    }
    return json;
  }

  /** Reads {@link #toJson()}; {@link IllegalArgumentException} when fields are missing or malformed. */
  public static WorkflowStatus fromJson(JsonObject json) {
    try {
      String ended = json.getString("endedAt");
      return new WorkflowStatus(Objects.requireNonNull(json.getString("workflowId"), "workflowId"),
          json.getLong("executionClusterId"), json.getString("workflowType"), json.getInteger("version"),
          WorkflowState.valueOf(json.getString("state")), json.getLong("ownerNode"),
          Instant.parse(json.getString("startedAt")), ended == null ? null : Instant.parse(ended),
          json.getInteger("checkpointCount"), json.getString("inputJson"), json.getString("resultJson"),
          json.getString("errorType"), json.getString("errorMessage"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a workflow status: " + e.getMessage(), e);
    }
  }
}
