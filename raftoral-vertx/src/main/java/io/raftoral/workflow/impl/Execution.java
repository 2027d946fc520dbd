package io.raftoral.workflow.impl;

import io.raftoral.workflow.CheckpointFailedException;
import io.raftoral.workflow.NonDeterminismException;
import io.raftoral.workflow.RetryPolicy;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowTerminatedException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's run of one workflow. It consumes the journal by position: the n-th checkpoint call reads entry n.
 * While this member owns the workflow, calls past the end of the journal are produced here and proposed
 * ("slots", kept by its {@link JournalWriter}); otherwise they wait for the owner's entries. Everything runs on the
 * group's context.
 *
 * <p>Ownership moving away while produced entries are not yet in the journal makes the run start over by replay:
 * the journal is the only truth, and a replay reaches the same point without guessing which of its own proposals
 * will still commit.
 */
final class Execution {

  private static final Logger LOG = LoggerFactory.getLogger(Execution.class);
  /** Journal values emitted synchronously in a row before one is emitted on a later turn (bounds stack depth). */
  private static final int MAX_SYNC_EMITS = 128;

  private final WorkflowRuntimeImpl rt;
  final String workflowId;
  private final WorkflowContextImpl ctx;
  /**
   * The workflow's journal, held from the start of this run (the record may be pruned meanwhile). Once the workflow
   * ended, the history retention may have trimmed it: trimmed entries read as null and end the run.
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
  /** The registration's default retry policy of computes that name none (read in {@link #begin()}). */
  private RetryPolicy defaultRetryPolicy = new RetryPolicy();
  private final TreeMap<Integer, CheckpointCall> waiting = new TreeMap<>();
  private final JournalWriter writer;
  private final QueryHandlers queries;
  private final RunSpans spans;

  Execution(WorkflowRuntimeImpl rt, String workflowId) {
    this.rt = rt;
    this.workflowId = workflowId;
    this.ctx = new WorkflowContextImpl(rt, this);
    this.writer = new JournalWriter(this, rt);
    this.queries = new QueryHandlers(workflowId);
    this.spans = new RunSpans(rt.tracing(), rt.nodeId(), rt.clusterId(), workflowId);
  }

  QueryHandlers queries() {
    return queries;
  }

  private WorkflowRecord record() {
    return rt.stateMachine().get(workflowId);
  }

  /** The workflow's type (what its meters are labelled with); null once its record is gone. */
  String workflowType() {
    WorkflowRecord r = record();
    return r == null ? null : r.type;
  }

  long me() {
    return rt.nodeId();
  }

  int position() {
    return position;
  }

  int computeSeq() {
    return writer.computeSeq();
  }

  /** The retry policy of a compute that names none (this run's own copy: read it, never change it). */
  RetryPolicy defaultRetryPolicy() {
    return defaultRetryPolicy;
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
    if (producing) {
      spans.producing(r);
    }
    WorkflowRegistry.Definition def = rt.registry().find(r.type, r.version);
    if (def == null) {
      String msg = "workflow type '" + r.type + "' version " + r.version + " is not registered on node " + me();
      onFunctionFailure(new WorkflowNotRegisteredException(r.type, r.version, rt.registry().describe()), msg);
      return;
    }
    defaultRetryPolicy = def.retryPolicy();
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

  /** Journal entry {@code seq} as this run holds it, or null when the journal does not reach it. */
  JournalEntry journalEntry(int seq) {
    return seq < journal.size() ? journal.get(seq) : null;
  }

  /** A checkpoint call was subscribed to: give it the next position. */
  void onStep(CheckpointCall step) {
    if (cancelled) {
      step.emitter.fail(endedError());
      return;
    }
    WorkflowRecord r = record();
    if (position < journal.size()) {
      step.assign(position++);
      JournalEntry entry = journal.get(step.seq);
      if (entry == null) {
        step.emitter.fail(endedError()); // trimmed after the end: nothing left to check this run against
      } else {
        consume(step, entry);
      }
      return;
    }
    if (r == null || r.state != WorkflowState.RUNNING) {
      step.emitter.fail(endedError());
      return;
    }
    step.assign(position++);
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
  private void consume(CheckpointCall step, JournalEntry entry) {
    if (step.done) {
      return;
    }
    if (step.mayRetry() && WorkflowContext.ATTEMPT_FAILED_KEY.equals(entry.key())) {
      fail(step, attemptFailed(step, entry));
    } else if (!entry.key().equals(step.key)) {
      fail(step, new NonDeterminismException(workflowId, step.seq, entry.key(), step.key));
    } else if (entry.isFailure()) {
      fail(step, new CheckpointFailedException(step.key, entry.errorType(), entry.errorMessage(), step.attempt));
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

  /** What a journaled failed attempt means to the retry loop (or why it does not fit this attempt). */
  private RuntimeException attemptFailed(CheckpointCall step, JournalEntry entry) {
    AttemptFailure failure;
    try {
      failure = Payloads.decode(entry.value(), Payloads.type(AttemptFailure.class));
    } catch (IllegalArgumentException e) {
      return new IllegalStateException("failed attempt #" + step.seq + " of workflow " + workflowId
          + " cannot be read back: " + e.getMessage(), e);
    }
    if (failure.attempt() != step.attempt) {
      // The journal counted attempts differently: another policy or other code wrote it.
      return new NonDeterminismException(workflowId, step.seq,
          entry.key() + " (attempt " + failure.attempt() + ")", step.key + " (attempt " + step.attempt + ")");
    }
    return new AttemptFailedException(failure);
  }

  void emit(CheckpointCall step, Object value) {
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

  void fail(CheckpointCall step, Throwable failure) {
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
    spans.producing(r);
    List<CheckpointCall> toProduce = new ArrayList<>(waiting.tailMap(journal.size(), true).values());
    waiting.keySet().removeIf(seq -> seq >= journal.size());
    for (CheckpointCall s : toProduce) {
      produce(s);
    }
    if (functionDone && waiting.isEmpty()) {
      addFinishSlot();
    }
  }

  private void produce(CheckpointCall step) {
    spans.produced(step);
    writer.produce(step, rt.options().isPipelining());
  }

  private void addFinishSlot() {
    if (cancelled || writer.hasFinish()) {
      return;
    }
    int seq = position;
    if (position < journal.size()) {
      // The code ended where the journal goes on: it is not the code that wrote the journal.
      JournalEntry there = journal.get(position);
      localFailure = new NonDeterminismException(workflowId, position, there == null ? "<trimmed>" : there.key(),
          "<end of the workflow>");
      seq = journal.size();
    }
    Slot slot = new Slot(seq, null, true, Slot.State.READY);
    slot.queries = queries.answers();
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
    writer.finish(slot);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Notifications (deferred from the state machine)
  // ----------------------------------------------------------------------------------------------------------------

  void onAppended(int seq, JournalEntry entry) {
    if (cancelled) {
      return;
    }
    spans.committed(seq, entry);
    Slot slot = writer.remove(seq);
    if (slot != null) {
      if (slot.finish) {
        rt.restartExecution(this);
        return;
      }
      boolean same = entry.sameAs(slot.key(), slot.value, slot.errorType, slot.errorMessage);
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
      CheckpointCall step = waiting.remove(seq);
      if (step != null) {
        consume(step, entry);
      }
    }
    if (!cancelled) {
      writer.runComputes();
      writer.wakeWaits();
      writer.flush();
    }
  }

  /** A variable of the workflow changed: the owner's condition waits look again. */
  void onStateChanged() {
    if (!cancelled && producing) {
      writer.wakeWaits();
    }
  }

  /** A signal reached the workflow's inbox: the owner's waits look again. */
  void onSignalled() {
    if (!cancelled && producing) {
      writer.wakeWaits();
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
      spans.stopped("ownership moved to node " + r.owner);
      if (!writer.isEmpty()) {
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
      List<CheckpointCall> pending = new ArrayList<>(waiting.values());
      for (Slot s : writer.slots()) {
        if (s.step != null && !s.step.done) {
          pending.add(s.step);
        }
      }
      cancelled = true;
      for (CheckpointCall s : pending) {
        if (!s.done) {
          fail(s, t);
        }
      }
    }
    spans.ended(state, reason);
    cancel();
  }

  void cancel() {
    spans.stopped("run cancelled (replay or runtime closed)");
    cancelled = true;
    writer.cancelAll();
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
      spans.producing(r);
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
      spans.producing(r);
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
