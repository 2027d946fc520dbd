package io.raftoral.raft;

/**
 * The answer to a {@link RaftNode#readIndex(byte[])} request (thesis §6.4): once this server has applied
 * {@code index}, a read of its state machine is linearizable with respect to the request.
 *
 * @param index the commit index the read must wait for
 * @param context the caller's request context, returned unchanged
 */
public record ReadState(long index, byte[] context) {}
