package io.raftoral.workflow.impl;

import java.util.function.Supplier;

/**
 * What a {@link CheckpointCall.Kind#WAIT} call waits for: a signal named {@code signal}, or {@code condition} to
 * hold; until the journaled deadline {@code deadlineMillis} (epoch ms) or {@link #NO_DEADLINE}.
 */
record WaitSpec(String signal, Supplier<Boolean> condition, long deadlineMillis) {

  static final long NO_DEADLINE = Long.MIN_VALUE;

  static WaitSpec signal(String name, long deadlineMillis) {
    return new WaitSpec(name, null, deadlineMillis);
  }

  static WaitSpec condition(Supplier<Boolean> condition, long deadlineMillis) {
    return new WaitSpec(null, condition, deadlineMillis);
  }

  boolean hasDeadline() {
    return deadlineMillis != NO_DEADLINE;
  }

  /** The journaled value of this wait when its deadline passes first. */
  Object timedOutValue() {
    return signal != null ? SignalDelivery.timeout() : Boolean.FALSE;
  }
}
