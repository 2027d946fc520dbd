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
   * workflow instead of starting another (idempotent start); without one a random UUID is used. See
   * {@link WorkflowIds} for what a valid id is.
   */
  public StartOptions setWorkflowId(String workflowId) {
    this.workflowId = workflowId == null ? null : WorkflowIds.check("workflowId", workflowId);
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
