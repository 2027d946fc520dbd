package io.raftoral.node.impl;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.raftoral.async.Bridge;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowRuntime;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;

/**
 * The serving side of the router: runs a request ({@code op} start, await, status, terminate,
 * signal, query, history or list, on execution
 * cluster {@code clusterId}) on this node's runtime of that cluster, whether the request came from this node's
 * {@link RoutingWorkflowClient} or was forwarded by another node's.
 */
final class ForwardedRequestHandler {

  private final long nodeId;
  private final Map<Long, WorkflowRuntime> local;
  private final RequestSpans spans;

  ForwardedRequestHandler(long nodeId, Map<Long, WorkflowRuntime> local, RequestSpans spans) {
    this.nodeId = nodeId;
    this.local = local;
    this.spans = spans;
  }

  /**
   * Runs {@code req}, sent by this node's router; always completes with a {@link RoutedReply}, never fails. It
   * runs under the trace context the request carries (a start's workflow run continues it).
   */
  Future<JsonObject> handle(JsonObject req) {
    return handleUnder(req, spans.local(req));
  }

  /** Runs {@code req}, forwarded by another node, in a {@code forwarded <op>} span; as {@link #handle}. */
  Future<JsonObject> handleForwarded(JsonObject req) {
    Span span = spans.forwarded(req);
    return RequestSpans.endWithReply(span, handleUnder(req, Context.root().with(span)));
  }

  private Future<JsonObject> handleUnder(JsonObject req, Context trace) {
    // Current while the runtime call is made: a start captures it (synchronously) into its Start command.
    try (Scope ignored = trace.makeCurrent()) {
      return dispatch(req).recover(e -> Future.succeededFuture(RoutedReply.error(req, e)));
    } catch (RuntimeException e) {
      return Future.succeededFuture(RoutedReply.error(req, e));
    }
  }

  private Future<JsonObject> dispatch(JsonObject req) {
    Long cluster = req.getLong("clusterId");
    WorkflowRuntime rt = cluster == null ? null : local.get(cluster);
    if (rt == null) {
      return Future.succeededFuture(RoutedReply.notHosted(nodeId, cluster));
    }
    String op = String.valueOf(req.getString("op"));
    Uni<JsonObject> call = switch (op) {
      case "start" -> {
        StartOptions opts = new StartOptions();
        if (req.getString("workflowId") != null) {
          opts.setWorkflowId(req.getString("workflowId"));
        }
        yield rt.startJson(req.getString("name"), req.getInteger("version"), req.getString("input"), opts)
            .map(RoutedReply::ok);
      }
      case "await" -> rt.result(req.getString("workflowId"), Duration.ofMillis(req.getLong("timeoutMillis")))
          .map(RoutedReply::ok);
      case "status" -> rt.status(req.getString("workflowId")).map(RoutedReply::ok);
      case "terminate" -> rt.terminate(req.getString("workflowId"), req.getString("reason")).map(RoutedReply::ok);
      case "signal" -> rt.signal(req.getString("workflowId"), req.getString("name"), req.getString("input"),
              req.getString("signalId"))
          .map(RoutedReply::ok);
      case "query" -> rt.query(req.getString("workflowId"), req.getString("name"))
          .map(answer -> new JsonObject().put("ok", true).put("result", answer));
      case "history" -> rt.history(req.getString("workflowId"), req.getInteger("pageSize"),
              req.getString("pageToken"))
          .map(RoutedHistory::ok);
      case "list" -> rt.list(WorkflowFilter.fromJson(req.getJsonObject("filter", new JsonObject())))
          .map(RoutedReply::ok);
      default -> throw new IllegalArgumentException("unknown operation '" + op + "'");
    };
    return Bridge.future(call);
  }
}
