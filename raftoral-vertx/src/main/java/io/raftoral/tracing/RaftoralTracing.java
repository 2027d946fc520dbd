package io.raftoral.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tracer Raftoral's spans come from, and the W3C {@code traceparent} of a context as one string: what a node
 * forwarding a request puts in it, and what a Start command carries to the workflow's owner.
 *
 * <p>Off by default: {@link #disabled()} uses {@link OpenTelemetry#noop()}, whose spans record nothing and whose
 * trace context is never written. The W3C format is used whatever propagators the application configured, since the
 * string travels inside Raftoral's own messages (a JSON field, a command field), not in a carrier the application
 * controls. Thread-safe.
 */
public final class RaftoralTracing {

  /** The instrumentation scope of Raftoral's spans. */
  public static final String INSTRUMENTATION_SCOPE = "io.raftoral";
  /** The field (forwarded requests) and header name of the W3C trace context. */
  public static final String TRACEPARENT = "traceparent";

  public static final AttributeKey<String> WORKFLOW_TYPE = AttributeKey.stringKey("raftoral.workflow.type");
  public static final AttributeKey<Long> WORKFLOW_VERSION = AttributeKey.longKey("raftoral.workflow.version");
  /** Span attributes may carry ids (metric labels may not): one workflow's spans are found by it. */
  public static final AttributeKey<String> WORKFLOW_ID = AttributeKey.stringKey("raftoral.workflow.id");
  public static final AttributeKey<String> WORKFLOW_STATE = AttributeKey.stringKey("raftoral.workflow.state");
  public static final AttributeKey<Long> EXECUTION_CLUSTER_ID =
      AttributeKey.longKey("raftoral.execution_cluster.id");
  public static final AttributeKey<Long> NODE_ID = AttributeKey.longKey("raftoral.node.id");
  /** The node a request was forwarded to. */
  public static final AttributeKey<Long> PEER_NODE_ID = AttributeKey.longKey("raftoral.peer.node.id");
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("raftoral.operation");
  public static final AttributeKey<String> CHECKPOINT_KEY = AttributeKey.stringKey("raftoral.checkpoint.key");
  /** The checkpoint's position in the workflow's journal (0 for the first checkpoint). */
  public static final AttributeKey<Long> JOURNAL_POSITION = AttributeKey.longKey("raftoral.journal.position");
  /** Why a run span ended without the workflow ending (ownership moved, replay, runtime closed). */
  public static final AttributeKey<String> RUN_END = AttributeKey.stringKey("raftoral.run.end");

  private static final RaftoralTracing DISABLED = new RaftoralTracing(OpenTelemetry.noop(), false);

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final boolean enabled;

  private RaftoralTracing(OpenTelemetry openTelemetry, boolean enabled) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_SCOPE);
    this.enabled = enabled;
  }

  /** Tracing through {@code openTelemetry}; {@link #disabled()} when it is null. */
  public static RaftoralTracing of(OpenTelemetry openTelemetry) {
    return openTelemetry == null ? DISABLED : new RaftoralTracing(openTelemetry, true);
  }

  /** No tracing: no-op spans, no trace context written. */
  public static RaftoralTracing disabled() {
    return DISABLED;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The W3C {@code traceparent} of {@code context}'s span, or null when tracing is off or there is no span. */
  public String traceparent(Context context) {
    if (!enabled || context == null) {
      return null;
    }
    Map<String, String> carrier = new TreeMap<>();
    W3CTraceContextPropagator.getInstance().inject(context, carrier, Map::put);
    return carrier.get(TRACEPARENT);
  }

  /** The W3C {@code traceparent} of the current context's span (see {@link #traceparent(Context)}). */
  public String currentTraceparent() {
    return enabled ? traceparent(Context.current()) : null;
  }

  /**
   * The context a span continuing {@code traceparent} takes as parent: the remote span it names, else (null,
   * malformed, tracing off) the root context, so the span starts a trace of its own.
   */
  public Context parent(String traceparent) {
    if (!enabled || traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(TRACEPARENT, traceparent),
        MAP_GETTER);
  }
}
