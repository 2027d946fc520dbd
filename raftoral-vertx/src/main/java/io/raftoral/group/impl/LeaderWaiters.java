package io.raftoral.group.impl;

import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Proposals and reads issued while no leader is known (during an election), run once one is: callers see a short
 * wait instead of a spurious {@link NotLeaderException}. Their own deadline still applies.
 *
 * <p>Confined to the group's event-loop context.
 */
final class LeaderWaiters {

  private final RaftGroupVerticle<?, ?> group;
  private final List<Runnable> waiting = new ArrayList<>();

  LeaderWaiters(RaftGroupVerticle<?, ?> group) {
    this.group = group;
  }

  /** Runs {@code action} once a leader is known, unconditionally. */
  void add(Runnable action) {
    waiting.add(action);
  }

  /**
   * Runs {@code action} now if a leader is known, else once one is unless {@code request} was answered meanwhile;
   * what it throws then fails {@code request}.
   */
  void whenLeaderKnown(Runnable action, PendingRequest<?> request) {
    if (group.core().leaderId() != RaftNode.NONE) {
      action.run();
      return;
    }
    waiting.add(() -> {
      if (request.isDone()) {
        return;
      }
      try {
        action.run();
      } catch (RuntimeException e) {
        request.fail(e);
      }
    });
  }

  /** A leader is known now: runs what waited for one, in order. */
  void leaderKnown() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Runnable> run = new ArrayList<>(waiting);
    waiting.clear();
    run.forEach(Runnable::run);
  }
}
