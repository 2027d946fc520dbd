package io.raftoral.workflow.impl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The owner's side of signal and condition waits ({@link CheckpointCall.Kind#WAIT}) of one {@link Execution}: each
 * is a {@link Slot} of the {@link JournalWriter} that stays running until its outcome is known, then is proposed
 * like a computed value. {@link #wake()} looks again (a signal reached the inbox, a journal entry committed); a
 * deadline waits in the runtime's {@link TimerQueue}. Waits are settled in position order, so two waits for the
 * same signal name take its signals in commit order, and a signal taken by an uncommitted wait is never given to
 * another. Runs on the group's context.
 */
final class WaitingSlots {

  private final Execution execution;
  private final WorkflowRuntimeImpl rt;
  private final JournalWriter writer;
  private final TreeMap<Integer, Slot> waiting = new TreeMap<>();

  WaitingSlots(Execution execution, WorkflowRuntimeImpl rt, JournalWriter writer) {
    this.execution = execution;
    this.rt = rt;
    this.writer = writer;
  }

  /** Waits for {@code step}'s signal or condition at its position (this member owns the workflow). */
  void add(CheckpointCall step, Slot slot) {
    WaitSpec spec = (WaitSpec) step.value;
    waiting.put(slot.seq, slot);
    if (spec.hasDeadline()) {
      // A deadline that passed (a failover outlasted it) fires on the next turn: a pending signal still wins now.
      slot.running = rt.timers().schedule(spec.deadlineMillis(), () -> settle(slot, spec.timedOutValue(), null));
    }
    wake();
  }

  /** Looks again whether each wait, in position order, can be settled. */
  void wake() {
    for (Slot slot : new ArrayList<>(waiting.values())) {
      if (execution.isCancelled()) {
        return;
      }
      tryToSettle(slot);
    }
  }

  /** Forgets every wait (their slots are cancelled with the writer's). */
  void clear() {
    waiting.clear();
  }

  private void tryToSettle(Slot slot) {
    if (!writer.holds(slot)) {
      // The journal took this position (an earlier run's entry): the execution consumed that instead.
      waiting.remove(slot.seq);
      return;
    }
    WaitSpec spec = (WaitSpec) slot.step.value;
    if (spec.signal() != null) {
      PendingSignal s = SignalInbox.firstPending(rt.stateMachine().get(execution.workflowId), spec.signal(),
          claimed());
      if (s != null) {
        slot.signalSeq = s.seq();
        settle(slot, new SignalDelivery(s.seq(), s.payload()), null);
      }
      return;
    }
    boolean held;
    try {
      held = Boolean.TRUE.equals(spec.condition().get());
    } catch (RuntimeException e) {
      // A failing condition is the workflow's failure at this position, journaled like a compute's.
      settle(slot, null, e);
      return;
    }
    if (held) {
      settle(slot, Boolean.TRUE, null);
    }
  }

  private void settle(Slot slot, Object value, Throwable failure) {
    if (waiting.remove(slot.seq) != slot) {
      return;
    }
    if (slot.running != null) {
      slot.running.cancel();
      slot.running = null;
    }
    writer.computed(slot, value, failure);
  }

  /** The signals the writer's slots consume and the journal does not show yet. */
  private Set<Long> claimed() {
    Set<Long> seqs = new HashSet<>();
    for (Slot s : writer.slots()) {
      if (s.signalSeq >= 0) {
        seqs.add(s.signalSeq);
      }
    }
    return seqs;
  }
}
