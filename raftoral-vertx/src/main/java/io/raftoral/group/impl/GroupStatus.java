package io.raftoral.group.impl;

import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What any thread may read about a group: its last published {@link RaftStatus} (with the group's applied index)
 * and when each member was last heard from. Written on the group's context only.
 *
 * <p>Contact times are kept for the group's members only: a message from a server outside the configuration (a
 * removed node that does not know it yet, a stray sender) is not recorded, and a member's entry goes when a
 * configuration without it takes effect. The table never holds more entries than the group has members (or, while
 * the node has no configuration yet and is joining, than the servers that wrote to it since).
 */
final class GroupStatus {

  private volatile RaftStatus status;
  /** Member -> System.nanoTime() of the last message received from it. */
  private final Map<Long, Long> lastContactNanos = new ConcurrentHashMap<>();
  /** The configuration the contact table was last pruned to. */
  private Membership prunedTo = Membership.EMPTY;

  /** Publishes the core's status with {@code appliedIndex}, the index this group applied up to. */
  void refresh(RaftStatus core, long appliedIndex) {
    status = new RaftStatus(core.id(), core.role(), core.term(), core.leaderId(), core.commitIndex(), appliedIndex,
        core.firstIndex(), core.lastIndex(), core.membership(), core.leadTransferee(), core.matchIndexes());
    if (!core.membership().equals(prunedTo)) {
      prunedTo = core.membership();
      lastContactNanos.keySet().removeIf(peer -> !prunedTo.contains(peer));
    }
  }

  /** The last published status; null before the group started. */
  RaftStatus get() {
    return status;
  }

  /**
   * A message from {@code peer} arrived at {@code nanoTime} ({@link System#nanoTime()}) while {@code membership}
   * was in effect; recorded only when {@code peer} is a member (or the node, joining, has no configuration yet).
   */
  void heardFrom(long peer, long nanoTime, Membership membership) {
    if (membership.contains(peer) || membership.voters().isEmpty()) {
      lastContactNanos.put(peer, nanoTime);
    }
  }

  /** Milliseconds since {@code peer} was last heard from, or {@link Long#MAX_VALUE} if never. */
  long millisSinceContact(long peer) {
    Long at = lastContactNanos.get(peer);
    return at == null ? Long.MAX_VALUE : Duration.ofNanos(System.nanoTime() - at).toMillis();
  }
}
