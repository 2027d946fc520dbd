package io.raftoral.raft;

/** Base of the exceptions a Raft operation reports to its caller. Unchecked, as in Vert.x. */
public class RaftException extends RuntimeException {
  public RaftException(String message) {
    super(message);
  }
}
