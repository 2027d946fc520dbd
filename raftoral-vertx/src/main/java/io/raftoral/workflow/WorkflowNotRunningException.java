package io.raftoral.workflow;

/**
 * The call needs a running workflow and this one has ended (completed, failed or terminated): a signal to it is
 * refused, since nothing would ever consume it.
 */
public class WorkflowNotRunningException extends WorkflowException {

  private final String workflowId;

  public WorkflowNotRunningException(String workflowId, WorkflowState state) {
    this(workflowId, "workflow '" + workflowId + "' is not running (" + state + ")");
  }

  /** Rebuilt from an error answer of another node (the message is that node's). */
  public WorkflowNotRunningException(String workflowId, String message) {
    super(message);
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
