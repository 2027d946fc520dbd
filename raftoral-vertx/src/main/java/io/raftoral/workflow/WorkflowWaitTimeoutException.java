package io.raftoral.workflow;

import java.time.Duration;

/** A wait for a workflow's result ran out of time; the workflow itself keeps running. */
public class WorkflowWaitTimeoutException extends WorkflowException {

  private final String workflowId;

  public WorkflowWaitTimeoutException(String workflowId, Duration timeout) {
    super("workflow " + workflowId + " did not finish within " + timeout.toMillis() + " ms");
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
