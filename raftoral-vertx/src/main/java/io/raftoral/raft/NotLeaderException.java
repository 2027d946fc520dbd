package io.raftoral.raft;

/** The operation needs the leader and this server is not it. Carries the leader hint, if any. */
public class NotLeaderException extends RaftException {
  private final long leaderHint;

  public NotLeaderException(long self, long leaderHint) {
    super("node " + self + " is not the leader" + (leaderHint == RaftNode.NONE ? " and knows no leader" : "; leader is " + leaderHint));
    this.leaderHint = leaderHint;
  }

  /** The leader this server knows of, or {@link RaftNode#NONE}. */
  public long leaderHint() {
    return leaderHint;
  }
}
