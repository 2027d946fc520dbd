package io.raftoral.raft;

import java.util.Map;

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
 * @param matchIndexes on the leader, the highest index known to be replicated on each member (§5.3 matchIndex,
 *     the leader included); empty on other servers. Lets a leader tell when a learner has caught up before
 *     promoting it (thesis §4.2.1).
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
    long leadTransferee,
    Map<Long, Long> matchIndexes) {

  public RaftStatus {
    matchIndexes = matchIndexes == null ? Map.of() : Map.copyOf(matchIndexes);
  }

  /** A status without replication progress (of a server that does not lead). */
  public RaftStatus(long id, Role role, long term, long leaderId, long commitIndex, long appliedIndex,
      long firstIndex, long lastIndex, Membership membership, long leadTransferee) {
    this(id, role, term, leaderId, commitIndex, appliedIndex, firstIndex, lastIndex, membership, leadTransferee,
        Map.of());
  }

  /** The leader's matchIndex of {@code nodeId}, or 0 when unknown (not the leader, or not a member). */
  public long matchIndex(long nodeId) {
    return matchIndexes.getOrDefault(nodeId, 0L);
  }
}
