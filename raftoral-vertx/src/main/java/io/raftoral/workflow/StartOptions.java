package io.raftoral.workflow;

import io.vertx.core.json.JsonObject;

/** Options of one workflow start. */
public final class StartOptions {

  private String workflowId;

  public StartOptions() {
  }

  public StartOptions(JsonObject json) {
    this.workflowId = json.getString("workflowId");
  }

  /**
   * The instance id. A start with the id of an existing workflow of the same type and version returns that
   * workflow instead of starting another (idempotent start); without one a random UUID is used.
   */
  public StartOptions setWorkflowId(String workflowId) {
    if (workflowId != null && (workflowId.isBlank() || workflowId.length() > 256)) {
      throw new IllegalArgumentException("workflowId must be 1-256 non-blank characters");
    }
    this.workflowId = workflowId;
    return this;
  }

  public String getWorkflowId() {
    return workflowId;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (workflowId != null) {
      json.put("workflowId", workflowId);
    }
    return json;
  }
}
