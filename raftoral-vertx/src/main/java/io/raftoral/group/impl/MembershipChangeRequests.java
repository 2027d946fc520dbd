package io.raftoral.group.impl;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * Membership changes this node proposed as leader (thesis §4.1), each waiting for its configuration entry to be
 * applied here. A change is answered with its index when the entry applied at that index is the change proposed in
 * the same term; it fails when another entry took that index, or when this node stops leading before it committed
 * (it may still commit, but this node can no longer tell).
 *
 * <p>Confined to the group's event-loop context.
 */
final class MembershipChangeRequests {

  private static final class Change extends PendingRequest<Long> {
    final long term;

    Change(Promise<Long> promise, long term) {
      super(promise);
      this.term = term;
    }
  }

  private final RaftGroupVerticle<?, ?> group;
  /** By the index of the proposed configuration entry. */
  private final PendingRequests<Long, Change> pending;

  MembershipChangeRequests(RaftGroupVerticle<?, ?> group, Vertx vertx) {
    this.group = group;
    this.pending = new PendingRequests<>(vertx);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  void failAll(Throwable cause) {
    pending.failAll(cause);
  }

  /** Proposes {@code change} (this node must lead) and starts its deadline. */
  void propose(ConfigChange change, Promise<Long> promise, long timeoutMillis) {
    long index = group.core().proposeConfigChange(change);
    pending.add(index, new Change(promise, group.core().term()), timeoutMillis,
        () -> new TimeoutException(change + " not committed within " + timeoutMillis + " ms; its outcome is unknown"));
  }

  /** The caller notification for the change waiting on {@code applied}'s index, or null when none waits. */
  Runnable onApplied(Entry applied) {
    Change change = pending.remove(applied.index());
    if (change == null) {
      return null;
    }
    long index = applied.index();
    if (applied.type() == EntryType.CONFIG_CHANGE && applied.term() == change.term) {
      return () -> change.complete(index);
    }
    RaftException lost = new RaftException("leadership changed before the membership change at index " + index
        + " committed; it was not applied");
    return () -> change.fail(lost);
  }

  /**
   * This node stopped leading: fails the changes above {@code commitIndex} as unknown. Those already committed here
   * are settled by {@link #onApplied} (a leader that removed itself steps down in the very step that commits its
   * removal).
   */
  void onLeadershipLost(long commitIndex, long leaderHint) {
    if (pending.isEmpty()) {
      return;
    }
    for (Change c : pending.removeIf((index, c) -> index > commitIndex)) {
      c.fail(new NotLeaderException(group.nodeId(), leaderHint));
    }
  }
}
