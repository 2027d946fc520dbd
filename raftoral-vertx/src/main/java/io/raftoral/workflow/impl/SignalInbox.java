package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.raftoral.workflow.WorkflowContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The signal inbox of a workflow ({@link WorkflowRecord#signals}), as the state machine keeps it: a committed
 * {@link WorkflowCommand.Signal} is added in commit order; a committed journal entry under a
 * {@value WorkflowContext#SIGNAL_KEY_PREFIX}{@code <name>} key consumes the signal it names (its
 * {@link SignalDelivery}). The inbox is part of the record, hence of snapshots: a signal sent before the workflow
 * waits survives restarts and failovers until it is consumed. Deterministic; called on the group's context.
 */
final class SignalInbox {

  /** How many signal ids a workflow remembers to refuse a retried send (the oldest are forgotten first). */
  public static final int REMEMBERED_SIGNAL_IDS = 1_000;

  private SignalInbox() {
  }

  /** Whether {@code c} carries an id a signal already sent to {@code r} had (a retried send). */
  static boolean isDuplicate(WorkflowRecord r, WorkflowCommand.Signal c) {
    return c.signalId() != null && r.signalIds != null && r.signalIds.contains(c.signalId());
  }

  /** Adds a committed signal to {@code r}'s inbox, numbered in commit order, and remembers its id. */
  static PendingSignal deliver(WorkflowRecord r, WorkflowCommand.Signal c) {
    if (c.signalId() != null) {
      if (r.signalIds == null) {
        r.signalIds = new LinkedHashSet<>();
      }
      r.signalIds.add(c.signalId());
      if (r.signalIds.size() > REMEMBERED_SIGNAL_IDS) {
        // insertion order, kept through snapshots (a LinkedHashSet read back in order): every replica forgets alike
        Iterator<String> oldest = r.signalIds.iterator();
        oldest.next();
        oldest.remove();
      }
    }
    PendingSignal s = new PendingSignal(r.signalCount++, c.name(), c.payload());
    if (!(r.signals instanceof ArrayList)) {
      r.signals = new ArrayList<>(r.signals);
    }
    r.signals.add(s);
    return s;
  }

  /** Whether journal entry {@code e} consumes a signal (a delivery, not a timeout or a recorded failure). */
  static boolean consumes(JournalEntry e) {
    return e.key().startsWith(WorkflowContext.SIGNAL_KEY_PREFIX) && !e.isFailure() && !delivery(e).timedOut();
  }

  /**
   * Removes the signal entry {@code e} consumes from the inbox; false (nothing changed) when the inbox does not hold
   * it under that name, which a stale owner's entry can only be refused for.
   */
  static boolean consume(WorkflowRecord r, JournalEntry e) {
    SignalDelivery d = delivery(e);
    String name = e.key().substring(WorkflowContext.SIGNAL_KEY_PREFIX.length());
    for (Iterator<PendingSignal> it = r.signals.iterator(); it.hasNext(); ) {
      PendingSignal s = it.next();
      if (s.seq() == d.seq()) {
        if (!s.name().equals(name)) {
          return false;
        }
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** The oldest pending signal named {@code name} that {@code claimed} does not hold, or null. */
  static PendingSignal firstPending(WorkflowRecord r, String name, Set<Long> claimed) {
    for (PendingSignal s : r.signals) {
      if (s.name().equals(name) && !claimed.contains(s.seq())) {
        return s;
      }
    }
    return null;
  }

  /** Whether a signal named {@code name} is pending (none when {@code r} is null). */
  static boolean hasPending(WorkflowRecord r, String name) {
    return r != null && r.signals.stream().anyMatch(s -> s.name().equals(name));
  }

  private static SignalDelivery delivery(JournalEntry e) {
    try {
      return Payloads.mapper().readValue(e.value(), SignalDelivery.class);
    } catch (JsonProcessingException | IllegalArgumentException bad) {
      // Not a delivery the runtime wrote: treat it as consuming nothing (a timeout).
      return SignalDelivery.timeout();
    }
  }
}
