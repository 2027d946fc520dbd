package io.raftoral.raft;

/**
 * A read-only view of a {@link RaftNode}, for monitoring and tests.
 *
 * @param id this server
 * @param role its role
 * @param term current term
 * @param leaderId known leader or {@link RaftNode#NONE}
 * @param commitIndex highest committed index known
 * @param appliedIndex highest index handed to the application
 * @param firstIndex first index still in the log (after the snapshot)
 * @param lastIndex last index in the log
 * @param membership configuration in effect
 * @param leadTransferee target of an ongoing leadership transfer, or {@link RaftNode#NONE}
 */
public record RaftStatus(
    long id,
    Role role,
    long term,
    long leaderId,
    long commitIndex,
    long appliedIndex,
    long firstIndex,
    long lastIndex,
    Membership membership,
    long leadTransferee) {}
