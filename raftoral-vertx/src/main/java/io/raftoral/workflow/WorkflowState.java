package io.raftoral.workflow;

/** The lifecycle state of a workflow instance. */
public enum WorkflowState {
  RUNNING,
  COMPLETED,
  FAILED,
  TERMINATED;

  /** Whether the workflow has ended (completed, failed or terminated). */
  public boolean isTerminal() {
    return this != RUNNING;
  }
}
