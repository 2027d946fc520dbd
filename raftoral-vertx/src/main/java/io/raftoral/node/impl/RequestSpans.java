package io.raftoral.node.impl;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.raftoral.tracing.RaftoralTracing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The spans of routed client requests (README "Traces"): {@code route <op>} on the node a client called, and
 * {@code forwarded <op>} on the member that serves a request another node forwarded, continuing the W3C trace
 * context the request carries in its {@value RaftoralTracing#TRACEPARENT} field. With tracing off both are no-op
 * spans and no field is written, so forwarded requests keep their shape.
 */
final class RequestSpans {

  private final RaftoralTracing tracing;
  private final long nodeId;

  RequestSpans(RaftoralTracing tracing, long nodeId) {
    this.tracing = tracing;
    this.nodeId = nodeId;
  }

  /**
   * Starts the entry span of {@code req} under {@code parent} (the caller's context: a REST or gRPC server span, an
   * application's span) and writes its trace context into {@code req}, which every member it is tried on receives.
   */
  Span route(JsonObject req, Context parent) {
    String op = req.getString("op");
    Span span = tracing.tracer().spanBuilder("route " + op).setParent(parent).setSpanKind(SpanKind.INTERNAL)
        .setAttribute(RaftoralTracing.OPERATION, op).setAttribute(RaftoralTracing.NODE_ID, nodeId)
        .startSpan();
    String workflowId = req.getString("workflowId");
    if (workflowId != null) {
      span.setAttribute(RaftoralTracing.WORKFLOW_ID, workflowId);
    }
    String type = req.getString("name");
    if (type != null) {
      span.setAttribute(RaftoralTracing.WORKFLOW_TYPE, type);
    }
    carry(req, Context.root().with(span));
    return span;
  }

  /** Writes {@code context}'s trace context into {@code req} unless it carries one already. */
  void carry(JsonObject req, Context context) {
    if (!req.containsKey(RaftoralTracing.TRACEPARENT)) {
      String traceparent = tracing.traceparent(context);
      if (traceparent != null) {
        req.put(RaftoralTracing.TRACEPARENT, traceparent);
      }
    }
  }

  /**
   * Starts the serving span of a request forwarded by another node: a child of the span its trace context names
   * (a trace of its own when it carries none).
   */
  Span forwarded(JsonObject req) {
    String op = String.valueOf(req.getString("op"));
    Span span = tracing.tracer().spanBuilder("forwarded " + op)
        .setParent(tracing.parent(req.getString(RaftoralTracing.TRACEPARENT))).setSpanKind(SpanKind.SERVER)
        .setAttribute(RaftoralTracing.OPERATION, op).setAttribute(RaftoralTracing.NODE_ID, nodeId)
        .startSpan();
    Long cluster = req.getLong("clusterId");
    if (cluster != null) {
      span.setAttribute(RaftoralTracing.EXECUTION_CLUSTER_ID, cluster);
    }
    String workflowId = req.getString("workflowId");
    if (workflowId != null) {
      span.setAttribute(RaftoralTracing.WORKFLOW_ID, workflowId);
    }
    return span;
  }

  /** The context a locally served request runs under: the span its trace context names, if any. */
  Context local(JsonObject req) {
    return tracing.parent(req.getString(RaftoralTracing.TRACEPARENT));
  }

  /** Ends {@code span} when {@code result} completes (an error status when it failed). */
  static <T> Future<T> endWith(Span span, Future<T> result) {
    return result.andThen(ar -> {
      if (ar.failed()) {
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause().getMessage()));
      }
      span.end();
    });
  }

  /** Ends {@code span} when the reply {@code reply} is ready (an error status for an error reply). */
  static Future<JsonObject> endWithReply(Span span, Future<JsonObject> reply) {
    return reply.andThen(ar -> {
      if (ar.failed()) {
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause().getMessage()));
      } else if (!ar.result().getBoolean("ok", false)) {
        span.setStatus(StatusCode.ERROR, ar.result().getString("error", "error"));
      }
      span.end();
    });
  }
}
