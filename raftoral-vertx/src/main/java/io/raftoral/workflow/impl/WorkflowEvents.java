package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Publishes one node's workflow events of one execution cluster at {@link WorkflowRuntime#eventAddress()} (local
 * consumers), unless {@link io.raftoral.workflow.WorkflowRuntimeOptions#isPublishEvents()} is off.
 */
final class WorkflowEvents {

  private final Vertx vertx;
  private final long nodeId;
  private final long clusterId;
  private final String address;
  private final boolean enabled;

  WorkflowEvents(Vertx vertx, long nodeId, long clusterId, boolean enabled) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.address = WorkflowRuntime.eventAddress(nodeId, clusterId);
    this.enabled = enabled;
  }

  String address() {
    return address;
  }

  boolean enabled() {
    return enabled;
  }

  void publish(String event, String workflowId, Map<String, ?> fields) {
    if (!enabled) {
      return;
    }
    JsonObject json = new JsonObject().put("event", event).put("workflowId", workflowId).put("nodeId", nodeId)
        .put("clusterId", clusterId);
    fields.forEach(json::put);
    vertx.eventBus().publish(address, json);
  }

  /** The completed, failed or terminated event of a workflow that ended with {@code status}. */
  void ended(WorkflowStatus status) {
    String event = switch (status.state()) {
      case COMPLETED -> WorkflowRuntime.EVENT_COMPLETED;
      case FAILED -> WorkflowRuntime.EVENT_FAILED;
      default -> WorkflowRuntime.EVENT_TERMINATED;
    };
    Map<String, Object> fields = new HashMap<>();
    fields.put("checkpoints", status.checkpointCount());
    fields.put("workflowType", status.workflowType());
    if (status.errorType() != null) {
      fields.put("errorType", status.errorType());
      fields.put("error", String.valueOf(status.errorMessage()));
    }
    publish(event, status.workflowId(), fields);
  }
}
