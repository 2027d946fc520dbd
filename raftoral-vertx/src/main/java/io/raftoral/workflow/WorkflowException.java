package io.raftoral.workflow;

/** Base of the workflow runtime's exceptions. */
public class WorkflowException extends RuntimeException {

  public WorkflowException(String message) {
    super(message);
  }

  public WorkflowException(String message, Throwable cause) {
    super(message, cause);
  }
}
