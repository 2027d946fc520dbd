package io.raftoral.group;

import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The handle of one Raft group on one node: propose commands, read linearizably, change membership.
 *
 * <p>Every method may be called from any thread. Futures complete on the group's event-loop context. A command
 * proposed on a follower is forwarded to the leader and completes when this node applies it; when no leader is
 * known the future fails with {@link io.raftoral.raft.NotLeaderException} (with the leader hint when there is
 * one). A timed-out proposal fails with {@link java.util.concurrent.TimeoutException}: its outcome is then
 * unknown (it may still commit).
 *
 * @param <C> command type
 * @param <R> result type
 */
public interface RaftGroup<C, R> {

  /** The group's cluster id. */
  long clusterId();

  /** This node's id. */
  long nodeId();

  /** Proposes {@code command} with the group's default timeout. */
  Future<Committed<R>> propose(C command);

  /** Proposes {@code command}; fails with a {@link java.util.concurrent.TimeoutException} after {@code timeout}. */
  Future<Committed<R>> propose(C command, Duration timeout);

  /**
   * Lazy variant of {@link #propose(Object)}: nothing is proposed until subscription. Callbacks run on the group's
   * event-loop context.
   */
  default Uni<Committed<R>> proposeUni(C command) {
    Objects.requireNonNull(command, "command");
    return Uni.createFrom().completionStage(() -> propose(command).toCompletionStage());
  }

  /**
   * Runs {@code query} against this node's state machine once it reflects every command committed before the call
   * (ReadIndex, thesis §6.4). The query runs on the group's context and must not block.
   */
  <T> Future<T> read(Supplier<T> query);

  /** Lazy variant of {@link #read(Supplier)}. */
  default <T> Uni<T> readUni(Supplier<T> query) {
    Objects.requireNonNull(query, "query");
    return Uni.createFrom().completionStage(() -> read(query).toCompletionStage());
  }

  /** Adds {@code nodeId} as a learner (on the leader); completes with the change's index once committed. */
  Future<Long> addLearner(long nodeId);

  /** Promotes learner {@code nodeId} to voter (on the leader); completes once committed. */
  Future<Long> promote(long nodeId);

  /** Removes {@code nodeId} (on the leader); completes once committed. */
  Future<Long> remove(long nodeId);

  /**
   * Asks the leader (this node) to hand leadership to {@code nodeId}; completes when this node sees {@code nodeId}
   * lead, fails if that does not happen within the request timeout.
   */
  Future<Void> transferLeadership(long nodeId);

  /**
   * The event-loop context the group runs on: state machine calls, future completions and the queries of
   * {@link #read} all happen there.
   */
  io.vertx.core.Context context();

  /**
   * Milliseconds since this node last received a Raft message from {@code peer} in this group, or
   * {@link Long#MAX_VALUE} if it never did (since this group started here). On the leader this tells which
   * members are alive: followers answer every heartbeat.
   */
  long millisSinceContact(long peer);

  /** Whether the group has been stopped on this node (its operations then fail). */
  boolean isStopped();

  /** A snapshot of the Raft state (thread-safe; may lag by one event-loop turn). */
  RaftStatus status();

  /** The leader known to this node, or {@link io.raftoral.raft.RaftNode#NONE}. */
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
