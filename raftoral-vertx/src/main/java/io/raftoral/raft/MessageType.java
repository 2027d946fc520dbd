package io.raftoral.raft;

/** The kinds of message Raft servers exchange. */
public enum MessageType {
  /** PreVote request (thesis §9.6): would you vote for me in {@code term}? Changes no state. */
  PRE_VOTE,
  PRE_VOTE_RESPONSE,
  /** RequestVote (§5.2). */
  VOTE,
  VOTE_RESPONSE,
  /** AppendEntries (§5.3); also a probe when it carries no entries. */
  APPEND,
  /** AppendEntries answer; also answers {@link #SNAPSHOT}. {@code index} is the follower's last matching index. */
  APPEND_RESPONSE,
  /** Heartbeat: leadership and commit index, without log matching (it carries {@code min(match, commit)}). */
  HEARTBEAT,
  HEARTBEAT_RESPONSE,
  /** InstallSnapshot (§7). */
  SNAPSHOT,
  /** Leadership transfer (thesis §3.10): start an election now, ignoring leases. */
  TIMEOUT_NOW,
  /** A follower forwards client proposals to the leader. */
  PROPOSE,
  /** A follower asks the leader for a read index (thesis §6.4). */
  READ_INDEX,
  READ_INDEX_RESPONSE
}
