package io.raftoral.group;

import io.raftoral.raft.Membership;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.RaftStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The handle of one Raft group on one node: propose commands, read linearizably, change membership.
 *
 * <p>Every method may be called from any thread. Every operation a caller awaits returns a lazy {@link Uni}: nothing
 * is proposed, read or changed until it is subscribed to, and each subscription is a new request (re-subscribing
 * after a failure retries; a proposal retried that way may be applied twice). Items and failures arrive on the
 * group's event-loop {@link #context()}.
 *
 * <p>A command proposed on a follower is forwarded to the leader and completes when this node applies it; when no
 * leader is known the request waits for one until its timeout. A timed-out proposal or membership change fails with
 * {@link TimeoutException}: its outcome is then unknown (it may still commit). Operations only the leader can do
 * (membership changes, leadership transfers) fail with {@link NotLeaderException} on another node (with the leader
 * hint when there is one).
 *
 * @param <C> command type
 * @param <R> result type
 */
public interface RaftGroup<C, R> {

  /** The id of this Raft group (the execution cluster id for workflow groups, 0 for the management group). */
  long groupId();

  /** This node's id. */
  long nodeId();

  /**
   * Proposes {@code command} with the group's default timeout
   * ({@link RaftGroupOptions#getRequestTimeoutMillis()}). The item is the state machine's result on this node and
   * the index the command was applied at, delivered on the group's context.
   */
  Uni<Committed<R>> propose(C command);

  /**
   * Proposes {@code command}; fails with a {@link TimeoutException} when it is not applied here within
   * {@code timeout}. The item arrives on the group's context.
   */
  Uni<Committed<R>> propose(C command, Duration timeout);

  /**
   * Runs {@code query} against this node's state machine once it reflects every command committed before the
   * subscription (ReadIndex, thesis §6.4). The query runs on the group's context and must not block; its result
   * arrives there.
   */
  <T> Uni<T> read(Supplier<T> query);

  /** Adds {@code nodeId} as a learner (on the leader); the item, on the group's context, is the change's index. */
  Uni<Long> addLearner(long nodeId);

  /** Promotes learner {@code nodeId} to voter (on the leader); the item, on the group's context, is its index. */
  Uni<Long> promote(long nodeId);

  /** Removes {@code nodeId} (on the leader); the item, on the group's context, is the change's index. */
  Uni<Long> remove(long nodeId);

  /**
   * Asks the leader (this node) to hand leadership to {@code nodeId}; completes, on the group's context, when this
   * node sees {@code nodeId} lead, fails if that does not happen within the request timeout.
   */
  Uni<Void> transferLeadership(long nodeId);

  /**
   * Takes a state-machine snapshot of this node's member now (as the group does by itself every
   * {@link RaftGroupOptions#getSnapshotEveryEntries()} entries) and compacts its log up to it: what an operator asks
   * for before a backup or to shrink a long log. The item, on the group's context, is the index of the newest
   * snapshot afterwards (unchanged when nothing was applied since the last one). Any member may take one.
   */
  Uni<Long> snapshot();

  /**
   * The event-loop context the group runs on: state machine calls, the items of every {@code Uni} above and the
   * queries of {@link #read} all happen there.
   */
  Context context();

  /**
   * Milliseconds since this node last received a Raft message from {@code peer} in this group, or
   * {@link Long#MAX_VALUE} if it never did (since this group started here) or {@code peer} is not a member (contact
   * times are kept for members only). On the leader this tells which members are alive: followers answer every
   * heartbeat. A group that quiesces when idle (and so sends no heartbeats) counts any message from the peer's node.
   */
  long millisSinceContact(long peer);

  /** Whether the group has been stopped on this node (its operations then fail). */
  boolean isStopped();

  /** A snapshot of the Raft state (thread-safe; may lag by one event-loop turn). */
  RaftStatus status();

  /** The leader known to this node, or {@link RaftNode#NONE}. */
  default long leaderId() {
    return status().leaderId();
  }

  default boolean isLeader() {
    return status().leaderId() == nodeId();
  }

  default Membership membership() {
    return status().membership();
  }
}
