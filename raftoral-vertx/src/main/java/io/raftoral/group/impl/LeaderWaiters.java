package io.raftoral.group.impl;

import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Proposals and reads issued while no leader is known (during an election, or cut off from the majority), run once
 * one is: callers see a short wait instead of a spurious {@link NotLeaderException}. Their own deadline still
 * applies.
 *
 * <p>Bounded: at most {@code capacity} requests wait (the group's {@code maxRequestsAwaitingLeader}); beyond that a
 * request is refused at once with a {@link RaftException} that says so. A request whose caller gave up meanwhile (its
 * deadline passed, or it was cancelled) no longer counts: it is dropped on the next tick, never replayed to the next
 * leader.
 *
 * <p>Confined to the group's event-loop context.
 */
final class LeaderWaiters {

  /** What runs once a leader is known, for the requests it serves; dropped once all of them are answered. */
  private record Waiter(List<? extends PendingRequest<?>> requests, Runnable action) {

    boolean abandoned() {
      return requests.stream().allMatch(PendingRequest::isDone);
    }
  }

  private final RaftGroupVerticle<?, ?> group;
  private final int capacity;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  /** The requests of {@link #waiting}, answered or not: kept at most {@link #capacity}. */
  private int waitingRequests;

  LeaderWaiters(RaftGroupVerticle<?, ?> group, int capacity) {
    this.group = group;
    this.capacity = capacity;
  }

  /**
   * Runs {@code action} once a leader is known, unless every one of {@code requests} was answered meanwhile. Admits
   * the requests, in order, while fewer than the capacity wait; refuses (fails) the others.
   *
   * @return how many of {@code requests} were admitted
   */
  int add(List<? extends PendingRequest<?>> requests, Runnable action) {
    if (waitingRequests + requests.size() > capacity) {
      dropAbandoned();
    }
    int admitted = Math.min(requests.size(), capacity - waitingRequests);
    if (admitted > 0) {
      waiting.add(new Waiter(List.copyOf(requests.subList(0, admitted)), action));
      waitingRequests += admitted;
    }
    if (admitted < requests.size()) {
      // last: a refused caller may react at once, on this thread, with a new request
      RaftException full = new RaftException("group " + group.groupId() + " on node " + group.nodeId() + " has "
          + waitingRequests + " requests waiting for a leader (maxRequestsAwaitingLeader " + capacity
          + "); no leader is known, retry later");
      requests.subList(admitted, requests.size()).forEach(r -> r.fail(full));
    }
    return admitted;
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
    add(List.of(request), () -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        request.fail(e);
      }
    });
  }

  /** Forgets the waiters whose callers all gave up (deadline passed, cancelled, or answered otherwise). */
  void dropAbandoned() {
    if (waiting.removeIf(Waiter::abandoned)) {
      waitingRequests = waiting.stream().mapToInt(w -> w.requests().size()).sum();
    }
  }

  /** How many requests wait for a leader (some of them possibly abandoned since the last tick). */
  int size() {
    return waitingRequests;
  }

  /** A leader is known now: runs, in order, what waited for one and still has a caller waiting. */
  void leaderKnown() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Waiter> run = new ArrayList<>(waiting);
    waiting.clear();
    waitingRequests = 0;
    for (Waiter w : run) {
      if (!w.abandoned()) {
        w.action().run();
      }
    }
  }
}
