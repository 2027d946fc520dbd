package io.raftoral.workflow;

/** A start reused the id of an existing workflow of another type or version. */
public class WorkflowIdConflictException extends WorkflowException {

  public WorkflowIdConflictException(String workflowId, String existingType, int existingVersion) {
    super("workflow id '" + workflowId + "' is already used by a workflow of type '" + existingType + "' version "
        + existingVersion);
  }

  /** The conflict as reported by another node (network clients rebuild it from the server's message). */
  public WorkflowIdConflictException(String message) {
    super(message);
  }
}
