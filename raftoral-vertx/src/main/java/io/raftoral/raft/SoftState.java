package io.raftoral.raft;

/**
 * Volatile state worth reporting when it changes: who leads and what this server is.
 *
 * @param leaderId the known leader, or {@link RaftNode#NONE}
 * @param role this server's role
 * @param term the current term
 */
public record SoftState(long leaderId, Role role, long term) {}
