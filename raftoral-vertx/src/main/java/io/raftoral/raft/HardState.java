package io.raftoral.raft;

/**
 * The state a server must persist before answering RPCs (§5, Figure 2), plus the commit index so that a restarted
 * server can re-apply committed entries without waiting for a leader.
 *
 * @param term latest term the server has seen
 * @param vote candidate that received this server's vote in {@code term}, or {@link RaftNode#NONE}
 * @param commit highest log index known to be committed
 */
public record HardState(long term, long vote, long commit) {
  public static final HardState EMPTY = new HardState(0, RaftNode.NONE, 0);
}
