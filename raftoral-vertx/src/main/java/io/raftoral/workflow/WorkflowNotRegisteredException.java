package io.raftoral.workflow;

/** A start named a (type, version) this node has no registration for. */
public class WorkflowNotRegisteredException extends WorkflowException {

  private final String workflowType;
  private final int version;

  public WorkflowNotRegisteredException(String workflowType, int version, String registered) {
    super("workflow type '" + workflowType + "' version " + version + " is not registered on this node"
        + (registered.isEmpty() ? "" : " (registered: " + registered + ")"));
    this.workflowType = workflowType;
    this.version = version;
  }

  public String workflowType() {
    return workflowType;
  }

  public int version() {
    return version;
  }
}
