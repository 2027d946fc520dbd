package io.raftoral.workflow;

/** The workflow was terminated: waits on it fail with this, and so do its pending checkpoints. */
public class WorkflowTerminatedException extends WorkflowException {

  private final String workflowId;
  private final String reason;

  public WorkflowTerminatedException(String workflowId, String reason) {
    super("workflow " + workflowId + " was terminated: " + reason);
    this.workflowId = workflowId;
    this.reason = reason;
  }

  public String workflowId() {
    return workflowId;
  }

  public String reason() {
    return reason;
  }
}
