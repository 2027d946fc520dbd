package io.raftoral.raft;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (§5.3 nextIndex/matchIndex) plus the flow-control state of etcd raft:
 * PROBE sends one append at a time until the follower's position is known, REPLICATE pipelines appends up to the
 * in-flight limits, SNAPSHOT waits for a snapshot to be installed.
 */
final class Progress {

  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  boolean paused;
  long pendingSnapshot;
  int ticksInSnapshot;
  boolean recentActive;
  boolean learner;

  private final ArrayDeque<long[]> inflights = new ArrayDeque<>();
  private long inflightBytes;
  private final int maxInflightMessages;
  private final long maxInflightBytes;

  Progress(long next, boolean learner, int maxInflightMessages, long maxInflightBytes) {
    this.next = next;
    this.learner = learner;
    this.maxInflightMessages = maxInflightMessages;
    this.maxInflightBytes = maxInflightBytes;
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      next = Math.max(match + 1, pendingSnapshot + 1);
    } else {
      next = match + 1;
    }
    state = State.PROBE;
    paused = false;
    pendingSnapshot = 0;
    clearInflights();
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    paused = false;
    pendingSnapshot = 0;
    clearInflights();
  }

  void becomeSnapshot(long snapshotIndex) {
    state = State.SNAPSHOT;
    pendingSnapshot = snapshotIndex;
    ticksInSnapshot = 0;
    paused = false;
    clearInflights();
  }

  /** Records an acknowledged index; returns whether it moved {@code match} forward. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      paused = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /**
   * Handles a rejected append at {@code rejected}; {@code hint} is where the follower suggests probing.
   * Returns false when the rejection is stale.
   */
  boolean maybeDecrTo(long rejected, long hint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, hint + 1), match + 1);
    paused = false;
    return true;
  }

  /** Bookkeeping after sending entries up to {@code last}, {@code bytes} in total. */
  void sentEntries(long last, long bytes, int count) {
    switch (state) {
      case REPLICATE -> {
        if (count > 0) {
          next = last + 1;
          inflights.addLast(new long[] {last, bytes});
          inflightBytes += bytes;
        }
        paused = inflightsFull();
      }
      case PROBE -> paused = true;
      default -> throw new IllegalStateException("sending entries in state " + state);
    }
  }

  /** Frees the in-flight slots of appends acknowledged up to {@code index}. */
  void freeInflightsUpTo(long index) {
    while (!inflights.isEmpty() && inflights.peekFirst()[0] <= index) {
      inflightBytes -= inflights.pollFirst()[1];
    }
    if (state == State.REPLICATE) {
      paused = inflightsFull();
    }
  }

  void freeFirstInflight() {
    if (!inflights.isEmpty()) {
      inflightBytes -= inflights.pollFirst()[1];
    }
  }

  boolean inflightsFull() {
    return inflights.size() >= maxInflightMessages || inflightBytes >= maxInflightBytes;
  }

  private void clearInflights() {
    inflights.clear();
    inflightBytes = 0;
  }

  @Override
  public String toString() {
    return state + "{match=" + match + ", next=" + next + (paused ? ", paused" : "") + (learner ? ", learner" : "") + "}";
  }
}
