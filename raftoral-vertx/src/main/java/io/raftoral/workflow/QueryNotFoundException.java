package io.raftoral.workflow;

/**
 * The workflow has no query handler of that name: its code never registered one (on this member's replica), or it
 * ended without an answer kept for that name (see {@link WorkflowContext#registerQuery}).
 */
public class QueryNotFoundException extends WorkflowException {

  private final String workflowId;

  public QueryNotFoundException(String workflowId, String query) {
    super("workflow '" + workflowId + "' has no query '" + query + "'");
    this.workflowId = workflowId;
  }

  /** Rebuilt from an error answer of another node (the message is that node's). */
  public QueryNotFoundException(String message, String workflowId, boolean remote) {
    super(message);
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
