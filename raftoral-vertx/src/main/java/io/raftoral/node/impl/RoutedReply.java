package io.raftoral.node.impl;

import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.raftoral.workflow.ExecutionClusterUnavailableException;
import io.raftoral.workflow.RemoteCall;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * The replies of requests a node runs for the router ({@link RoutingWorkflowClient}), locally or forwarded from
 * another node: {@code {"ok": true, ...}}, or {@code {"ok": false, "error": code, "message": ...}} where the code is
 * an {@link ErrorCode} name (classified by {@link ClientError#of}) or {@value #NOT_HOSTED}. The router rebuilds the
 * exception a reply stands for, so a routed call fails as an in-process call would; failures of the Raft group
 * reach clients as {@link ExecutionClusterUnavailableException}, never as the Raft layer's own exceptions.
 */
final class RoutedReply {

  /**
   * Not an error a client sees: the node asked is no member of the execution cluster (any more); the router tries
   * another member.
   */
  static final String NOT_HOSTED = "NOT_HOSTED";

  private RoutedReply() {
  }

  static JsonObject ok(WorkflowStatus status) {
    return new JsonObject().put("ok", true).put("status", status.toJson());
  }

  static JsonObject ok(List<WorkflowStatus> statuses) {
    JsonArray arr = new JsonArray();
    statuses.forEach(s -> arr.add(s.toJson()));
    return new JsonObject().put("ok", true).put("statuses", arr);
  }

  static JsonObject notHosted(long nodeId, Long cluster) {
    return new JsonObject().put("ok", false).put("error", NOT_HOSTED)
        .put("message", "node " + nodeId + " is no member of execution cluster " + cluster);
  }

  /** The reply to {@code req} that failed with {@code failure}. */
  static JsonObject error(JsonObject req, Throwable failure) {
    Throwable e = ClientError.unwrap(failure);
    JsonObject r = new JsonObject().put("ok", false).put("message", String.valueOf(e.getMessage()))
        .put("workflowId", req.getString("workflowId"));
    // a malformed forwarded request (a field missing or of the wrong type) is the caller's error too
    ErrorCode code = e instanceof NullPointerException || e instanceof ClassCastException
        ? ErrorCode.INVALID_ARGUMENT : ClientError.of(e).code();
    switch (code) {
      case WORKFLOW_NOT_FOUND, WORKFLOW_ID_CONFLICT, INVALID_ARGUMENT, WORKFLOW_NOT_RUNNING, QUERY_NOT_FOUND ->
          r.put("error", code.name());
      case WORKFLOW_NOT_REGISTERED -> {
        WorkflowNotRegisteredException nr = (WorkflowNotRegisteredException) e;
        r.put("error", code.name()).put("name", nr.workflowType()).put("version", nr.version());
      }
      case WAIT_TIMEOUT -> r.put("error", code.name()).put("timeoutMillis", req.getLong("timeoutMillis", 0L));
      default -> r.put("error", ErrorCode.UNAVAILABLE.name())
          .put("message", "execution cluster " + req.getLong("clusterId") + ": " + e);
    }
    return r;
  }

  /** Whether another member of the execution cluster may serve what this reply refused. */
  static boolean isWorthAnotherMember(JsonObject reply) {
    String error = reply.getString("error");
    return NOT_HOSTED.equals(error) || isUnavailable(reply);
  }

  static boolean isUnavailable(JsonObject reply) {
    return ErrorCode.UNAVAILABLE.name().equals(reply.getString("error"));
  }

  /** The reply itself when it is ok, else the exception it stands for. */
  static Future<JsonObject> unwrap(JsonObject reply) {
    return reply.getBoolean("ok", false) ? Future.succeededFuture(reply) : Future.failedFuture(toException(reply));
  }

  /** The exception an error reply stands for. */
  static RuntimeException toException(JsonObject reply) {
    String code = reply.getString("error", ErrorCode.UNAVAILABLE.name());
    String message = reply.getString("message", code);
    RemoteCall call = new RemoteCall(reply.getString("workflowId", "?"), reply.getString("name", "?"),
        reply.getInteger("version", 0), Duration.ofMillis(reply.getLong("timeoutMillis", 0L)));
    RuntimeException rebuilt = call.exception(code, message);
    return rebuilt != null ? rebuilt : new ExecutionClusterUnavailableException(message);
  }
}
