package io.raftoral.workflow.impl;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The journaled value of an {@code awaitSignal}: which signal of the inbox the owner gave the workflow at that
 * position (its number and payload), or that the wait timed out ({@link #TIMED_OUT}, no payload). Every member and
 * every replay reads the same delivery at the same position; the state machine removes the named signal from the
 * inbox when the entry commits, so a signal is consumed once.
 *
 * @param seq the consumed signal's number, or {@link #TIMED_OUT}
 * @param payload its payload (JSON text), or null when timed out
 */
public record SignalDelivery(long seq, String payload) {

  /** The {@code seq} of a wait whose durable timer elapsed before a signal came. */
  static final long TIMED_OUT = -1;

  static SignalDelivery timeout() {
    return new SignalDelivery(TIMED_OUT, null);
  }

  @JsonIgnore
  boolean timedOut() {
    return seq == TIMED_OUT;
  }
}
