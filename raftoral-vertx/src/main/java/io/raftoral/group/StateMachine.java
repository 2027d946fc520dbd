package io.raftoral.group;

/**
 * A deterministic state machine replicated by a Raft group. Every member applies the same commands in the same
 * order, so every member computes the same results.
 *
 * <p>All methods are called on the group's event-loop context, one at a time: they must not block. Given the same
 * snapshot and the same commands, {@link #apply} must return the same results on every member.
 *
 * @param <C> command type
 * @param <R> result type
 */
public interface StateMachine<C, R> {

  /**
   * Applies a committed command.
   *
   * @param index the command's log index (strictly increasing)
   * @param command the command
   * @return the result handed to the proposer
   */
  R apply(long index, C command);

  /** Serializes the whole state (taken after applying everything up to some index). */
  byte[] snapshot();

  /** Replaces the whole state by a snapshot taken by {@link #snapshot()} (possibly on another member). */
  void restore(byte[] snapshot);
}
