package io.raftoral.group.impl;

import io.raftoral.raft.RaftStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What any thread may read about a group: its last published {@link RaftStatus} (with the group's applied index)
 * and when each peer was last heard from. Written on the group's context only.
 */
final class GroupStatus {

  private volatile RaftStatus status;
  /** Peer -> System.nanoTime() of the last message received from it. */
  private final Map<Long, Long> lastContactNanos = new ConcurrentHashMap<>();

  /** Publishes the core's status with {@code appliedIndex}, the index this group applied up to. */
  void refresh(RaftStatus core, long appliedIndex) {
    status = new RaftStatus(core.id(), core.role(), core.term(), core.leaderId(), core.commitIndex(), appliedIndex,
        core.firstIndex(), core.lastIndex(), core.membership(), core.leadTransferee(), core.matchIndexes());
  }

  /** The last published status; null before the group started. */
  RaftStatus get() {
    return status;
  }

  /** A message from {@code peer} arrived at {@code nanoTime} ({@link System#nanoTime()}). */
  void heardFrom(long peer, long nanoTime) {
    lastContactNanos.put(peer, nanoTime);
  }

  /** Milliseconds since {@code peer} was last heard from, or {@link Long#MAX_VALUE} if never. */
  long millisSinceContact(long peer) {
    Long at = lastContactNanos.get(peer);
    return at == null ? Long.MAX_VALUE : Duration.ofNanos(System.nanoTime() - at).toMillis();
  }
}
