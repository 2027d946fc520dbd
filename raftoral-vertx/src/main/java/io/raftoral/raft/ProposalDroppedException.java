package io.raftoral.raft;

/** A proposal was refused although this server leads: a transfer is in progress or a rule forbids it now. */
public class ProposalDroppedException extends RaftException {
  public ProposalDroppedException(String message) {
    super(message);
  }
}
