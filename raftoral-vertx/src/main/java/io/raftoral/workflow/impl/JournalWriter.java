package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.AsyncResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The owner's side of one {@link Execution}: the {@link Slot}s it produced past the end of the journal, by position.
 * Values are proposed at once; computes run once no uncommitted pipelined value precedes them (a compute's own value
 * is pipelined once it is known); timer wake-ups wait in the runtime's {@link TimerQueue} for their deadline; ready
 * slots are proposed in position order, several as one batch. A proposal whose outcome is unknown is proposed again after a growing delay (the state machine's
 * position check refuses a duplicate). Runs on the group's context.
 */
final class JournalWriter {

  /** First retry delay after a proposal failed (timeout, leader change); doubled per failure up to the maximum. */
  private static final long RETRY_BASE_MILLIS = 10;
  private static final long RETRY_MAX_MILLIS = 1_000;
  /** First retry delay after an earlier proposal of ours was not applied yet (POSITION_AHEAD). */
  private static final long AHEAD_RETRY_BASE_MILLIS = 2;
  private static final long AHEAD_RETRY_MAX_MILLIS = 200;
  /** Failures after which the retry delay stops doubling. */
  private static final int MAX_DOUBLINGS = 6;

  private final Execution execution;
  private final WorkflowRuntimeImpl rt;
  private final TreeMap<Integer, Slot> slots = new TreeMap<>();
  private final WaitingSlots waits;
  /** Whether a retry flush is scheduled (see {@link #retryLater}). */
  private boolean retryTimerSet;
  /** The position of the compute whose supplier is being called (for the idempotency key), else -1. */
  private int computeSeq = -1;

  JournalWriter(Execution execution, WorkflowRuntimeImpl rt) {
    this.execution = execution;
    this.rt = rt;
    this.waits = new WaitingSlots(execution, rt, this);
  }

  int computeSeq() {
    return computeSeq;
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  boolean hasFinish() {
    return slots.values().stream().anyMatch(s -> s.finish);
  }

  Collection<Slot> slots() {
    return slots.values();
  }

  /** Whether {@code slot} is still this writer's (not in the journal, not cancelled). */
  boolean holds(Slot slot) {
    return slots.get(slot.seq) == slot;
  }

  /** Signal and condition waits look again (a signal reached the inbox, a journal entry committed). */
  void wakeWaits() {
    waits.wake();
  }

  /** The slot of position {@code seq}, now in the journal: no longer this writer's. */
  Slot remove(int seq) {
    return slots.remove(seq);
  }

  /** Stops running computes and forgets every slot (the run is cancelled). */
  void cancelAll() {
    for (Slot s : slots.values()) {
      if (s.running != null) {
        s.running.cancel();
      }
    }
    slots.clear();
    waits.clear();
  }

  /** Produces checkpoint call {@code step} at its position (this member owns the workflow). */
  void produce(CheckpointCall step, boolean pipelining) {
    if (step.kind == CheckpointCall.Kind.VALUE) {
      Slot slot = new Slot(step.seq, step, false, Slot.State.READY);
      try {
        slot.value = Payloads.encode(step.value);
      } catch (IllegalArgumentException e) {
        execution.fail(step, e);
        slot.failWith(e);
      }
      slots.put(step.seq, slot);
      flush();
      if (!step.done && pipelining) {
        execution.emit(step, step.value);
      }
    } else if (step.kind == CheckpointCall.Kind.TIMER) {
      arm(step);
    } else if (step.kind == CheckpointCall.Kind.WAIT) {
      Slot slot = new Slot(step.seq, step, false, Slot.State.RUNNING);
      slot.started = true;
      slots.put(step.seq, slot);
      waits.add(step, slot);
    } else {
      slots.put(step.seq, new Slot(step.seq, step, false, Slot.State.RUNNING));
      runComputes();
    }
  }

  /**
   * A durable timer's wake-up at its position: it waits in the runtime's {@link TimerQueue} for the journaled
   * deadline (at once if it has passed, e.g. after a failover that outlasted it), then is proposed like a computed
   * value whose outcome is the owner's clock at firing. Cancelling the slot (ownership lost, run cancelled) drops it
   * from the queue.
   */
  private void arm(CheckpointCall step) {
    Slot slot = new Slot(step.seq, step, false, Slot.State.RUNNING);
    slot.started = true;
    slots.put(step.seq, slot);
    long deadline = ((Instant) step.value).toEpochMilli();
    String type = execution.workflowType();
    boolean[] pending = {true};
    Runnable settled = () -> {
      if (pending[0]) {
        pending[0] = false;
        rt.meters().timerSettled(type);
      }
    };
    rt.meters().timerArmed(type);
    Cancellable scheduled = rt.timers().schedule(deadline, () -> {
      settled.run();
      computed(slot, Instant.ofEpochMilli(System.currentTimeMillis()), null);
    });
    slot.running = () -> {
      settled.run();
      scheduled.cancel();
    };
  }

  /** Adds the workflow's end and proposes it with what precedes it. */
  void finish(Slot end) {
    slots.put(end.seq, end);
    flush();
  }

  /** Starts the suppliers no longer held back by an uncommitted pipelined value before them. */
  void runComputes() {
    if (!rt.catchUp().passed()) {
      // After a start or a restore, a supplier waits until this member has applied what it produced before.
      rt.catchUp().whenPassed(this::runComputes);
      return;
    }
    boolean assumedBefore = false;
    for (Slot slot : new ArrayList<>(slots.values())) {
      if (execution.isCancelled()) {
        return;
      }
      if (slot.state == Slot.State.RUNNING && !slot.started && !assumedBefore) {
        startCompute(slot);
      }
      assumedBefore |= slot.isAssumedValue();
    }
  }

  private void startCompute(Slot slot) {
    slot.started = true;
    slot.startedAtNanos = System.nanoTime();
    Uni<?> uni;
    computeSeq = slot.step.idempotencySeq();
    try {
      uni = slot.step.supplier.get();
      if (uni == null) {
        throw new NullPointerException("the supplier of checkpoint '" + slot.step.key + "' returned null");
      }
    } catch (RuntimeException e) {
      uni = Uni.createFrom().failure(e);
    } finally {
      computeSeq = -1;
    }
    slot.running = uni.subscribe().with(
        item -> rt.onContext(() -> computed(slot, item, null)),
        failure -> rt.onContext(() -> computed(slot, null, failure)));
  }

  /** {@code slot}'s outcome is known (a compute answered, a timer fired, a wait settled): propose it in turn. */
  void computed(Slot slot, Object item, Throwable failure) {
    if (execution.isCancelled() || slots.get(slot.seq) != slot || slot.state != Slot.State.RUNNING) {
      return;
    }
    slot.running = null;
    if (slot.startedAtNanos != 0) {
      rt.meters().computed(execution.workflowType(), slot.startedAtNanos);
    }
    if (failure == null) {
      try {
        slot.value = Payloads.encode(item);
      } catch (IllegalArgumentException e) {
        failure = e;
      }
    }
    if (failure != null && slot.step.mayRetry() && slot.step.retry.policy.isRetryable(failure)) {
      // Journaled as a failed attempt: every member then takes the backoff and the next attempt.
      slot.entryKey = WorkflowContext.ATTEMPT_FAILED_KEY;
      slot.value = Payloads.encode(AttemptFailure.of(slot.step.attempt, failure));
    } else if (failure != null) {
      slot.failWith(failure);
    }
    slot.state = Slot.State.READY;
    if (failure == null && slot.step.kind == CheckpointCall.Kind.COMPUTE && rt.options().isPipelining()) {
      continueWithOutcome(slot);
    }
    flush();
  }

  /**
   * Lets the function continue with a compute's value before it commits, as with a pipelined checkpoint: the side
   * effect already happened, and the rule that makes it durable before the workflow goes on is kept where it shows,
   * since the next supplier waits for this entry to commit ({@link #runComputes}) and the end is proposed behind it.
   * What the function does meanwhile is deterministic code; its next entries (and its end) join this one's proposal,
   * so a compute that ends the workflow costs one commit round, not two. The value is read back from its journal
   * form, as a replay would see it. Failures and failed attempts still wait for their commit.
   */
  private void continueWithOutcome(Slot slot) {
    Object value;
    try {
      value = Payloads.decode(slot.value, slot.step.type);
    } catch (IllegalArgumentException e) {
      return; // the commit's consume reports it
    }
    execution.emit(slot.step, value);
  }

  /** Proposes ready slots in position order, up to the first still computing, as one proposal. */
  void flush() {
    List<Slot> ready = new ArrayList<>();
    for (Slot slot : slots.values()) {
      if (execution.isCancelled() || slot.state == Slot.State.RUNNING) {
        break;
      }
      if (slot.state == Slot.State.READY) {
        slot.state = Slot.State.PROPOSED;
        ready.add(slot);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    if (ready.size() == 1) {
      Slot slot = ready.get(0);
      Bridge.future(rt.group().propose(command(slot)), rt.context())
          .onComplete(ar -> onProposed(slot, ar.map(c -> c.result())));
      return;
    }
    List<WorkflowCommand> parts = new ArrayList<>(ready.size());
    ready.forEach(s -> parts.add(command(s)));
    Bridge.future(rt.group().propose(new WorkflowCommand.Batch(parts)), rt.context()).onComplete(ar -> {
      for (int i = 0; i < ready.size(); i++) {
        int part = i;
        onProposed(ready.get(i), ar.map(c -> c.result().parts().get(part)));
      }
    });
  }

  private WorkflowCommand command(Slot slot) {
    String id = execution.workflowId;
    Long prev = digestBefore(slot.seq);
    return slot.finish
        ? new WorkflowCommand.Finish(id, rt.nodeId(), slot.seq, slot.value, slot.errorType, slot.errorMessage,
            System.currentTimeMillis(), prev, slot.queries, rt.options().getHistoryRetention().keptAtEnd())
        : new WorkflowCommand.Append(id, rt.nodeId(), slot.seq, slot.key(), slot.value, slot.errorType,
            slot.errorMessage, prev, System.currentTimeMillis());
  }

  /**
   * The digest of the entry before {@code seq} as this run saw it (its own slot, else the journal's entry), which
   * fences the proposal to this run: see {@link WorkflowCommand.Append#prev()}. Null for the first position.
   */
  private Long digestBefore(int seq) {
    if (seq == 0) {
      return null;
    }
    Slot own = slots.get(seq - 1);
    if (own != null && !own.finish) {
      return JournalEntry.digest(own.key(), own.value, own.errorType, own.errorMessage);
    }
    JournalEntry seen = execution.journalEntry(seq - 1);
    return seen == null ? null : seen.digest();
  }

  private void onProposed(Slot slot, AsyncResult<CommandOutcome> ar) {
    if (execution.isCancelled() || slots.get(slot.seq) != slot || slot.state != Slot.State.PROPOSED) {
      return;
    }
    if (ar.failed() && rt.group().isStopped()) {
      rt.closeNow();
      return;
    }
    if (ar.failed()) {
      // Outcome unknown (timeout, leader change): proposing again is safe, the position check rejects a duplicate.
      retryLater(slot, RETRY_BASE_MILLIS, RETRY_MAX_MILLIS);
      return;
    }
    CommandOutcome outcome = ar.result();
    if (outcome.accepted()) {
      return; // the journal notification confirms it
    }
    Rejection why = outcome.rejection();
    if (why == Rejection.POSITION_AHEAD) {
      // An earlier proposal of ours has not been applied yet (reordered or lost): try again shortly.
      retryLater(slot, AHEAD_RETRY_BASE_MILLIS, AHEAD_RETRY_MAX_MILLIS);
    } else if ((why == Rejection.POSITION_TAKEN && slot.finish) || why == Rejection.DIVERGED
        || why == Rejection.SIGNAL_NOT_PENDING) {
      // The journal has more entries than this run produced, or another run's entry precedes this one: an earlier
      // run's proposals committed. SIGNAL_NOT_PENDING: another entry consumed the signal this run gave a wait.
      // Either way, replay.
      rt.restartExecution(execution);
    }
    // NOT_OWNER, NOT_RUNNING: the ownership or end notification handles it. POSITION_TAKEN for an entry: the
    // journal notification of that position compares it with what this run produced.
  }

  /**
   * Makes {@code slot} ready again and flushes after {@code base * 2^failures} ms, at most {@code max}. One retry
   * timer at a time: a refused batch of N slots would otherwise set N timers, each flushing (and, while proposals
   * are refused, failing) all of them again, and the timers would multiply without bound.
   */
  private void retryLater(Slot slot, long base, long max) {
    slot.failures++;
    slot.state = Slot.State.READY;
    if (retryTimerSet) {
      return;
    }
    retryTimerSet = true;
    long delay = Math.min(max, base << Math.min(slot.failures, MAX_DOUBLINGS));
    rt.context().owner().setTimer(delay, id -> {
      retryTimerSet = false;
      flush();
    });
  }
}
