package io.raftoral.workflow;

/**
 * A replica's execution asked for another checkpoint than the journal holds at that position: the workflow code is
 * not deterministic (or differs between members).
 */
public class NonDeterminismException extends WorkflowException {

  private final String workflowId;
  private final int seq;
  private final String journalKey;
  private final String requestedKey;

  public NonDeterminismException(String workflowId, int seq, String journalKey, String requestedKey) {
    super("non-deterministic workflow " + workflowId + ": checkpoint #" + seq + " is '" + journalKey
        + "' in the journal but the code asked for '" + requestedKey + "'");
    this.workflowId = workflowId;
    this.seq = seq;
    this.journalKey = journalKey;
    this.requestedKey = requestedKey;
  }

  public String workflowId() {
    return workflowId;
  }

  public int seq() {
    return seq;
  }

  public String journalKey() {
    return journalKey;
  }

  public String requestedKey() {
    return requestedKey;
  }
}
