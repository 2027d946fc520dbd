package io.raftoral.workflow;

/** No workflow with this id exists in the execution cluster (never started, or pruned after its retention). */
public class WorkflowNotFoundException extends WorkflowException {

  private final String workflowId;

  public WorkflowNotFoundException(String workflowId) {
    super("no workflow with id '" + workflowId + "'");
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
