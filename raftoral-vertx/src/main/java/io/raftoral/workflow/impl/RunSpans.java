package io.raftoral.workflow.impl;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.workflow.WorkflowState;
import java.util.HashMap;
import java.util.Map;

/**
 * The spans of one {@link Execution} while its member owns the workflow (README "Traces"): {@code workflow <type>}
 * from the moment this member produces until the workflow ends, with a child {@code checkpoint <key>},
 * {@code compute <key>} or {@code timer <key>} per journal entry it produces, from the call until the entry
 * commits. Replicas that only follow the owner's journal trace nothing.
 *
 * <p>The run span is a child of the start request's span, named by the W3C trace context the Start command carried
 * (so a workflow started through any node is in the trace of that request); a run that starts over (a replay, a
 * new owner after a failover) is another run span under the same parent. A run span that ends without the workflow
 * ending says why in {@link RaftoralTracing#RUN_END}. Runs on the group's context, like the execution.
 */
final class RunSpans {

  private final RaftoralTracing tracing;
  private final long nodeId;
  private final long clusterId;
  private final String workflowId;
  private final Map<Integer, Span> steps = new HashMap<>();
  private Span run;

  RunSpans(RaftoralTracing tracing, long nodeId, long clusterId, String workflowId) {
    this.tracing = tracing;
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.workflowId = workflowId;
  }

  /** This member produces the workflow's journal from now on: the run span starts (once). */
  void producing(WorkflowRecord r) {
    if (run != null || !tracing.isEnabled()) {
      return;
    }
    run = tracing.tracer().spanBuilder("workflow " + r.type).setParent(tracing.parent(r.traceparent))
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(RaftoralTracing.WORKFLOW_TYPE, r.type)
        .setAttribute(RaftoralTracing.WORKFLOW_VERSION, (long) r.version)
        .setAttribute(RaftoralTracing.WORKFLOW_ID, workflowId)
        .setAttribute(RaftoralTracing.EXECUTION_CLUSTER_ID, clusterId)
        .setAttribute(RaftoralTracing.NODE_ID, nodeId)
        .startSpan();
  }

  /** Checkpoint call {@code step} is produced at its journal position: its span starts. */
  void produced(CheckpointCall step) {
    if (run == null) {
      return;
    }
    String kind = switch (step.kind) {
      case VALUE -> "checkpoint ";
      case COMPUTE -> "compute ";
      case TIMER -> "timer ";
      case WAIT -> "wait ";
    };
    Span span = tracing.tracer().spanBuilder(kind + step.key).setParent(Context.root().with(run))
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(RaftoralTracing.CHECKPOINT_KEY, step.key)
        .setAttribute(RaftoralTracing.JOURNAL_POSITION, (long) step.seq)
        .startSpan();
    Span earlier = steps.put(step.seq, span);
    if (earlier != null) {
      earlier.end();
    }
  }

  /** Journal entry {@code seq} committed: its span ends (an error status when it is a failure). */
  void committed(int seq, JournalEntry entry) {
    if (steps.isEmpty()) {
      return; // tracing off, or a replica's run: no boxing and lookup per applied entry
    }
    Span span = steps.remove(seq);
    if (span != null) {
      if (entry.isFailure()) {
        span.setStatus(StatusCode.ERROR, entry.errorType() + ": " + entry.errorMessage());
      }
      span.end();
    }
  }

  /** The workflow ended in {@code state}: the run span ends with it. */
  void ended(WorkflowState state, String reason) {
    if (run == null) {
      return;
    }
    run.setAttribute(RaftoralTracing.WORKFLOW_STATE, state.name());
    if (state != WorkflowState.COMPLETED) {
      run.setStatus(StatusCode.ERROR, reason != null ? reason : state.name());
    }
    endAll();
  }

  /** The run stops without the workflow ending ({@code why}: ownership moved, a replay, the runtime closed). */
  void stopped(String why) {
    if (run == null) {
      return;
    }
    run.setAttribute(RaftoralTracing.RUN_END, why);
    endAll();
  }

  private void endAll() {
    for (Span span : steps.values()) {
      span.end();
    }
    steps.clear();
    run.end();
    run = null;
  }
}
