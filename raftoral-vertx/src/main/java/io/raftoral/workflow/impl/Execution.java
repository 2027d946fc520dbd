package io.raftoral.workflow.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.workflow.CheckpointFailedException;
import io.raftoral.workflow.NonDeterminismException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowTerminatedException;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's run of one workflow. It consumes the journal by position: the n-th checkpoint call reads entry n.
 * While this member owns the workflow, calls past the end of the journal are produced here and proposed
 * ("slots"); otherwise they wait for the owner's entries. Everything runs on the group's context.
 *
 * <p>Ownership moving away while produced entries are not yet in the journal makes the run start over by replay:
 * the journal is the only truth, and a replay reaches the same point without guessing which of its own proposals
 * will still commit.
 */
final class Execution {

  private static final Logger LOG = LoggerFactory.getLogger(Execution.class);
  /** Journal values emitted synchronously in a row before one is emitted on a later turn (bounds stack depth). */
  private static final int MAX_SYNC_EMITS = 128;

  enum Kind {
    /** A value from deterministic code: the owner may continue before it commits. */
    VALUE,
    /** A supplier run by the owner only, once earlier pipelined values commit; emits the committed outcome. */
    COMPUTE
  }

  /** One checkpoint call. */
  static final class Step {
    final String key;
    final JavaType type;
    final Kind kind;
    final Object value;
    final Supplier<Uni<?>> supplier;
    final UniEmitter<Object> emitter;
    int seq = -1;
    boolean done;

    Step(String key, JavaType type, Kind kind, Object value, Supplier<Uni<?>> supplier, UniEmitter<Object> emitter) {
      this.key = key;
      this.type = type;
      this.kind = kind;
      this.value = value;
      this.supplier = supplier;
      this.emitter = emitter;
    }
  }

  private enum SlotState { RUNNING, READY, PROPOSED }

  /** An entry (or the end) this member produced that the journal does not show yet. */
  private static final class Slot {
    final int seq;
    final Step step;
    final boolean finish;
    SlotState state;
    boolean started;
    Cancellable running;
    String value;
    String errorType;
    String errorMessage;
    int failures;

    Slot(int seq, Step step, boolean finish, SlotState state) {
      this.seq = seq;
      this.step = step;
      this.finish = finish;
      this.state = state;
    }

    /** A pipelined value the function has already continued with. */
    boolean isAssumedValue() {
      return !finish && step != null && step.done;
    }
  }

  private final WorkflowRuntimeImpl rt;
  final String workflowId;
  private final WorkflowContextImpl ctx;
  /**
   * The workflow's journal, held from the start of this run: the state machine swaps in an empty one when the
   * workflow ends, but a replica still catching up must check its remaining calls against the entries.
   */
  private List<JournalEntry> journal = List.of();
  private int position;
  private boolean cancelled;
  private boolean producing;
  private boolean functionDone;
  private Object localResult;
  private Throwable localFailure;
  private Cancellable subscription;
  private int syncEmits;
  private int computeSeq = -1;
  private final TreeMap<Integer, Step> waiting = new TreeMap<>();
  private final TreeMap<Integer, Slot> slots = new TreeMap<>();

  Execution(WorkflowRuntimeImpl rt, String workflowId) {
    this.rt = rt;
    this.workflowId = workflowId;
    this.ctx = new WorkflowContextImpl(rt, this);
  }

  private WorkflowRecord record() {
    return rt.stateMachine().get(workflowId);
  }

  long me() {
    return rt.nodeId();
  }

  int position() {
    return position;
  }

  int computeSeq() {
    return computeSeq;
  }

  boolean isCancelled() {
    return cancelled;
  }

  /** Runs the workflow function from the start of the journal. */
  void begin() {
    WorkflowRecord r = record();
    if (r == null || r.state != WorkflowState.RUNNING) {
      cancelled = true;
      return;
    }
    journal = r.journal;
    producing = r.owner == me();
    WorkflowRegistry.Definition def = rt.registry().find(r.type, r.version);
    if (def == null) {
      String msg = "workflow type '" + r.type + "' version " + r.version + " is not registered on node " + me();
      onFunctionFailure(new io.raftoral.workflow.WorkflowNotRegisteredException(r.type, r.version,
          rt.registry().describe()), msg);
      return;
    }
    Uni<Object> body;
    try {
      Object input = Payloads.decode(r.input, Payloads.type(def.inputType()));
      body = def.function().run(input, ctx);
      if (body == null) {
        throw new NullPointerException("workflow function of '" + r.type + "' v" + r.version + " returned null");
      }
    } catch (RuntimeException e) {
      body = Uni.createFrom().failure(e);
    }
    subscription = body.subscribe().with(
        item -> rt.onContext(() -> onFunctionItem(item)),
        failure -> rt.onContext(() -> onFunctionFailure(failure, null)));
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Checkpoint calls
  // ----------------------------------------------------------------------------------------------------------------

  /** A checkpoint call was subscribed to: give it the next position. */
  void onStep(Step step) {
    if (cancelled) {
      step.emitter.fail(endedError());
      return;
    }
    WorkflowRecord r = record();
    if (position < journal.size()) {
      step.seq = position++;
      consume(step, journal.get(step.seq));
      return;
    }
    if (r == null || r.state != WorkflowState.RUNNING) {
      step.emitter.fail(endedError());
      return;
    }
    step.seq = position++;
    if (r.owner == me()) {
      becomeProducer(r);
      produce(step);
    } else {
      waiting.put(step.seq, step);
    }
  }

  private Throwable endedError() {
    WorkflowRecord r = record();
    if (r != null && r.state == WorkflowState.TERMINATED) {
      return new WorkflowTerminatedException(workflowId, r.errorMessage);
    }
    return new CancellationException("the execution of workflow " + workflowId + " on node " + me() + " has ended");
  }

  /** Emits the journal's entry for {@code step}, or fails it when the keys differ (non-determinism). */
  private void consume(Step step, JournalEntry entry) {
    if (step.done) {
      return;
    }
    if (!entry.key().equals(step.key)) {
      fail(step, new NonDeterminismException(workflowId, step.seq, entry.key(), step.key));
    } else if (entry.isFailure()) {
      fail(step, new CheckpointFailedException(step.key, entry.errorType(), entry.errorMessage()));
    } else {
      Object value;
      try {
        value = Payloads.decode(entry.value(), step.type);
      } catch (IllegalArgumentException e) {
        fail(step, new IllegalStateException("checkpoint '" + step.key + "' #" + step.seq + " of workflow "
            + workflowId + " cannot be read back: " + e.getMessage(), e));
        return;
      }
      emit(step, value);
    }
  }

  private void emit(Step step, Object value) {
    step.done = true;
    if (syncEmits >= MAX_SYNC_EMITS) {
      // A long journal replayed synchronously would nest one stack frame chain per checkpoint.
      rt.context().runOnContext(v -> step.emitter.complete(value));
      return;
    }
    syncEmits++;
    try {
      step.emitter.complete(value);
    } finally {
      syncEmits--;
    }
  }

  private void fail(Step step, Throwable failure) {
    step.done = true;
    step.emitter.fail(failure);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Producing (owner)
  // ----------------------------------------------------------------------------------------------------------------

  /** This member owns the workflow: waiting calls past the journal's end are now produced here, in order. */
  private void becomeProducer(WorkflowRecord r) {
    if (producing) {
      return;
    }
    producing = true;
    List<Step> toProduce = new ArrayList<>(waiting.tailMap(journal.size(), true).values());
    waiting.keySet().removeIf(seq -> seq >= journal.size());
    for (Step s : toProduce) {
      produce(s);
    }
    if (functionDone && waiting.isEmpty()) {
      addFinishSlot();
    }
  }

  private void produce(Step step) {
    if (step.kind == Kind.VALUE) {
      Slot slot = new Slot(step.seq, step, false, SlotState.READY);
      try {
        slot.value = Payloads.encode(step.value);
      } catch (IllegalArgumentException e) {
        fail(step, e);
        slot.value = null;
        slot.errorType = e.getClass().getName();
        slot.errorMessage = String.valueOf(e.getMessage());
      }
      slots.put(step.seq, slot);
      flush();
      if (!step.done && rt.options().isPipelining()) {
        emit(step, step.value);
      }
    } else {
      slots.put(step.seq, new Slot(step.seq, step, false, SlotState.RUNNING));
      runComputes();
    }
  }

  /** Starts the suppliers no longer held back by an uncommitted pipelined value before them. */
  private void runComputes() {
    boolean assumedBefore = false;
    for (Slot slot : new ArrayList<>(slots.values())) {
      if (cancelled) {
        return;
      }
      if (slot.state == SlotState.RUNNING && !slot.started && !assumedBefore) {
        startCompute(slot);
      }
      assumedBefore |= slot.isAssumedValue();
    }
  }

  private void startCompute(Slot slot) {
    slot.started = true;
    Uni<?> uni;
    computeSeq = slot.seq;
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

  private void computed(Slot slot, Object item, Throwable failure) {
    if (cancelled || slots.get(slot.seq) != slot || slot.state != SlotState.RUNNING) {
      return;
    }
    slot.running = null;
    if (failure == null) {
      try {
        slot.value = Payloads.encode(item);
      } catch (IllegalArgumentException e) {
        failure = e;
      }
    }
    if (failure != null) {
      slot.value = null;
      slot.errorType = failure.getClass().getName();
      slot.errorMessage = String.valueOf(failure.getMessage());
    }
    slot.state = SlotState.READY;
    flush();
  }

  private void addFinishSlot() {
    if (cancelled || slots.values().stream().anyMatch(s -> s.finish)) {
      return;
    }
    WorkflowRecord r = record();
    int seq = position;
    if (position < journal.size()) {
      // The code ended where the journal goes on: it is not the code that wrote the journal.
      localFailure = new NonDeterminismException(workflowId, position, journal.get(position).key(),
          "<end of the workflow>");
      seq = journal.size();
    }
    Slot slot = new Slot(seq, null, true, SlotState.READY);
    if (localFailure == null) {
      try {
        slot.value = Payloads.encode(localResult);
      } catch (IllegalArgumentException e) {
        slot.errorType = e.getClass().getName();
        slot.errorMessage = e.getMessage();
      }
    } else if (localFailure instanceof CheckpointFailedException c) {
      slot.errorType = c.errorType();
      slot.errorMessage = c.errorMessage();
    } else {
      slot.errorType = localFailure.getClass().getName();
      slot.errorMessage = String.valueOf(localFailure.getMessage());
    }
    slots.put(seq, slot);
    flush();
  }

  /** Proposes ready slots in position order, up to the first still computing, as one proposal. */
  private void flush() {
    List<Slot> ready = new ArrayList<>();
    for (Slot slot : slots.values()) {
      if (cancelled || slot.state == SlotState.RUNNING) {
        break;
      }
      if (slot.state == SlotState.READY) {
        slot.state = SlotState.PROPOSED;
        ready.add(slot);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    if (ready.size() == 1) {
      Slot slot = ready.get(0);
      rt.group().propose(command(slot)).onComplete(ar -> onProposed(slot, ar.map(c -> c.result())));
      return;
    }
    List<WorkflowCommand> parts = new ArrayList<>(ready.size());
    ready.forEach(s -> parts.add(command(s)));
    rt.group().propose(new WorkflowCommand.Batch(parts)).onComplete(ar -> {
      for (int i = 0; i < ready.size(); i++) {
        int part = i;
        onProposed(ready.get(i), ar.map(c -> c.result().parts().get(part)));
      }
    });
  }

  private WorkflowCommand command(Slot slot) {
    return slot.finish
        ? new WorkflowCommand.Finish(workflowId, me(), slot.seq, slot.value, slot.errorType, slot.errorMessage,
            System.currentTimeMillis())
        : new WorkflowCommand.Append(workflowId, me(), slot.seq, slot.step.key, slot.value, slot.errorType,
            slot.errorMessage);
  }

  private void onProposed(Slot slot, AsyncResult<CommandOutcome> ar) {
    if (cancelled || slots.get(slot.seq) != slot || slot.state != SlotState.PROPOSED) {
      return;
    }
    if (ar.failed() && rt.group().isStopped()) {
      rt.closeNow();
      return;
    }
    if (ar.failed()) {
      // Outcome unknown (timeout, leader change): proposing again is safe, the position check rejects a duplicate.
      slot.failures++;
      slot.state = SlotState.READY;
      long delay = Math.min(1_000, 10L << Math.min(slot.failures, 6));
      rt.context().owner().setTimer(delay, id -> flush());
      return;
    }
    CommandOutcome outcome = ar.result();
    if (outcome.accepted()) {
      return; // the journal notification confirms it
    }
    Rejection why = outcome.rejection();
    if (why == Rejection.POSITION_AHEAD) {
      // An earlier proposal of ours has not been applied yet (reordered or lost): try again shortly.
      slot.failures++;
      slot.state = SlotState.READY;
      rt.context().owner().setTimer(Math.min(200, 2L << Math.min(slot.failures, 6)), id -> flush());
    } else if (why == Rejection.POSITION_TAKEN && slot.finish) {
      // The journal has more entries than this run produced: an earlier run's proposals committed. Replay.
      rt.restartExecution(this);
    }
    // NOT_OWNER, NOT_RUNNING: the ownership or end notification handles it. POSITION_TAKEN for an entry: the
    // journal notification of that position compares it with what this run produced.
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Notifications (deferred from the state machine)
  // ----------------------------------------------------------------------------------------------------------------

  void onAppended(int seq, JournalEntry entry) {
    if (cancelled) {
      return;
    }
    Slot slot = slots.remove(seq);
    if (slot != null) {
      if (slot.finish) {
        rt.restartExecution(this);
        return;
      }
      boolean same = entry.sameAs(slot.step.key, slot.value, slot.errorType, slot.errorMessage);
      if (slot.running != null) {
        slot.running.cancel();
      }
      if (slot.step.done) {
        if (!same) {
          // This run continued with a value that is not the committed one (an earlier run's proposal won).
          rt.restartExecution(this);
          return;
        }
      } else {
        consume(slot.step, entry);
      }
    } else {
      Step step = waiting.remove(seq);
      if (step != null) {
        consume(step, entry);
      }
    }
    if (!cancelled) {
      runComputes();
      flush();
    }
  }

  /** The workflow's owner may have changed. */
  void onOwnershipChanged() {
    WorkflowRecord r = record();
    if (cancelled || r == null || r.state != WorkflowState.RUNNING) {
      return;
    }
    if (r.owner == me()) {
      becomeProducer(r);
    } else if (producing) {
      producing = false;
      if (!slots.isEmpty()) {
        rt.restartExecution(this);
      }
    }
  }

  /** The workflow ended: pending calls fail (terminated) or are dropped, and the run stops. */
  void onEnded(WorkflowState state, String reason) {
    if (cancelled) {
      return;
    }
    if (state == WorkflowState.TERMINATED) {
      WorkflowTerminatedException t = new WorkflowTerminatedException(workflowId, reason);
      List<Step> pending = new ArrayList<>(waiting.values());
      for (Slot s : slots.values()) {
        if (s.step != null && !s.step.done) {
          pending.add(s.step);
        }
      }
      cancelled = true;
      for (Step s : pending) {
        if (!s.done) {
          fail(s, t);
        }
      }
    }
    cancel();
  }

  void cancel() {
    cancelled = true;
    for (Slot s : slots.values()) {
      if (s.running != null) {
        s.running.cancel();
      }
    }
    slots.clear();
    waiting.clear();
    if (subscription != null) {
      subscription.cancel();
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // The function's outcome
  // ----------------------------------------------------------------------------------------------------------------

  private void onFunctionItem(Object item) {
    if (cancelled) {
      return;
    }
    functionDone = true;
    localResult = item;
    WorkflowRecord r = record();
    if (r != null && r.state == WorkflowState.RUNNING && r.owner == me()) {
      producing = true;
      addFinishSlot();
    }
  }

  private void onFunctionFailure(Throwable failure, String why) {
    if (cancelled) {
      return;
    }
    WorkflowRecord r = record();
    boolean running = r != null && r.state == WorkflowState.RUNNING;
    functionDone = true;
    localFailure = failure;
    if (running && r.owner == me()) {
      producing = true;
      addFinishSlot();
    } else if (failure instanceof NonDeterminismException || (running && why != null)) {
      LOG.warn("workflow {} on node {} (cluster {}): this replica's run failed: {}", workflowId, me(),
          rt.clusterId(), why != null ? why : failure.getMessage());
      rt.publish(WorkflowRuntime.EVENT_REPLICA_FAILED, workflowId,
          Map.of("errorType", failure.getClass().getName(), "error", String.valueOf(failure.getMessage())));
    }
  }

  WorkflowContextImpl context() {
    return ctx;
  }
}
