package io.raftoral.workflow;

/** A start reused the id of an existing workflow of another type or version. */
public class WorkflowIdConflictException extends WorkflowException {

  /** With a message describing the conflict (as reported by another node). */
  public WorkflowIdConflictException(String message) {
    super(message);
  }

  public WorkflowIdConflictException(String workflowId, String existingType, int existingVersion) {
    super("workflow id '" + workflowId + "' is already used by a workflow of type '" + existingType + "' version "
        + existingVersion);
  }
}
