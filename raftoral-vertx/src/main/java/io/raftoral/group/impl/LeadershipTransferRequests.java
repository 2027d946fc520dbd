package io.raftoral.group.impl;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * Leadership transfers this node asked for as leader (thesis §3.10), each answered when this node sees its target
 * lead, or failed when that does not happen before its deadline.
 *
 * <p>Confined to the group's event-loop context.
 */
final class LeadershipTransferRequests {

  private static final class Transfer extends PendingRequest<Void> {
    final long target;

    Transfer(Promise<Void> promise, long target) {
      super(promise);
      this.target = target;
    }
  }

  private final RaftGroupVerticle<?, ?> group;
  /** By a sequence number: several callers may ask for the same target. */
  private final PendingRequests<Long, Transfer> pending;
  private long sequence;

  LeadershipTransferRequests(RaftGroupVerticle<?, ?> group, Vertx vertx) {
    this.group = group;
    this.pending = new PendingRequests<>(vertx);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  void failAll(Throwable cause) {
    pending.failAll(cause);
  }

  /** Hands leadership to {@code target} (answered at once when it already leads) and starts the deadline. */
  void transfer(long target, Promise<Void> promise, long timeoutMillis) {
    if (group.core().leaderId() == target) {
      promise.complete();
      return;
    }
    group.core().transferLeadership(target);
    pending.add(++sequence, new Transfer(promise, target), timeoutMillis,
        () -> new TimeoutException("node " + target + " did not take over within " + timeoutMillis + " ms"));
  }

  /** This node sees {@code leaderId} lead: the transfers to it are done. */
  void onLeader(long leaderId) {
    if (pending.isEmpty()) {
      return;
    }
    pending.removeIf((seq, t) -> t.target == leaderId).forEach(t -> t.complete(null));
  }
}
