package io.raftoral.workflow.impl;

import io.smallrye.mutiny.subscription.Cancellable;
import java.util.Map;

/**
 * A journal entry (or the workflow's end) that the owner's run produced and the journal does not show yet: a
 * compute still running, a value ready to propose, or a proposal awaiting its outcome.
 */
final class Slot {

  enum State {
    /** A compute's supplier has not answered yet. */
    RUNNING,
    /** The value or failure is known: to be proposed. */
    READY,
    /** Proposed; the outcome or the journal notification decides what follows. */
    PROPOSED
  }

  final int seq;
  /** The checkpoint call it answers; null for the end. */
  final CheckpointCall step;
  /** Whether this is the workflow's end (Finish) rather than an entry (Append). */
  final boolean finish;
  /**
   * The journal key when it is not the call's own: {@code $attempt-failed} for a failed attempt that is retried.
   */
  String entryKey;
  State state;
  boolean started;
  /** {@link System#nanoTime()} when a compute's supplier was called (for the compute latency). */
  long startedAtNanos;
  Cancellable running;
  String value;
  String errorType;
  String errorMessage;
  /** The inbox signal a signal wait's value consumes (so no later wait of this run takes it too), else -1. */
  long signalSeq = -1;
  /** The end's query answers (JSON text by name), or null. */
  Map<String, String> queries;
  /** Failed proposals so far (the retry delay doubles with each). */
  int failures;

  Slot(int seq, CheckpointCall step, boolean finish, State state) {
    this.seq = seq;
    this.step = step;
    this.finish = finish;
    this.state = state;
  }

  /** The key this slot is journaled under. */
  String key() {
    return entryKey != null ? entryKey : step.key;
  }

  /** A pipelined value the function has already continued with. */
  boolean isAssumedValue() {
    return !finish && step != null && step.done;
  }

  /** Records {@code failure} as this slot's outcome. */
  void failWith(Throwable failure) {
    value = null;
    errorType = failure.getClass().getName();
    errorMessage = String.valueOf(failure.getMessage());
  }
}
