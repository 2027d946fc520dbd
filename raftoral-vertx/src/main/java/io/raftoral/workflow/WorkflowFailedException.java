package io.raftoral.workflow;

/** The workflow ended with a failure; carries the recorded exception type and message. */
public class WorkflowFailedException extends WorkflowException {

  private final String workflowId;
  private final String errorType;
  private final String errorMessage;

  public WorkflowFailedException(String workflowId, String errorType, String errorMessage) {
    super("workflow " + workflowId + " failed: " + errorType + ": " + errorMessage);
    this.workflowId = workflowId;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
  }

  public String workflowId() {
    return workflowId;
  }

  /** The class name of the exception the workflow failed with. */
  public String errorType() {
    return errorType;
  }

  public String errorMessage() {
    return errorMessage;
  }
}
