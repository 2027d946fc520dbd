package io.raftoral.workflow;

/**
 * The execution cluster that holds (or was chosen for) a workflow cannot serve a call right now: no member of it is
 * reachable or knows its leader, or the node knows no execution cluster yet. Worth a retry later. The workflow-level
 * face of the Raft group's own failures, which clients never see directly.
 */
public class ExecutionClusterUnavailableException extends WorkflowException {

  public ExecutionClusterUnavailableException(String message) {
    super(message);
  }
}
