package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.call;
import static io.raftoral.http.api.HttpAnswers.send;
import static io.raftoral.http.api.HttpRequestParams.bodyObject;
import static io.raftoral.http.api.HttpRequestParams.clusterHint;
import static io.raftoral.http.api.HttpRequestParams.inputJson;
import static io.raftoral.http.api.HttpRequestParams.invalid;
import static io.raftoral.http.api.HttpRequestParams.optionalString;
import static io.raftoral.http.api.HttpRequestParams.query;
import static io.raftoral.http.api.HttpRequestParams.requiredInt;
import static io.raftoral.http.api.HttpRequestParams.requiredWorkflowId;

import io.raftoral.management.ManagementEndpoint;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIds;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Objects;

/**
 * The REST API of a node, mounted on a Vert.x Web {@link Router} (so one HTTP server also serves the node-to-node
 * Raft endpoint). Request and response shapes follow the Raftoral quickstart, so its curl calls work unchanged:
 *
 * <pre>
 * POST /workflow/execute   {"name": "ping_pong", "version": 1, "input": "\"ping\""}
 *   200 {"workflow_id": "...", "success": true, "execution_cluster_id": "1", "result": null, "error": null, ...}
 * GET  /workflow/wait?workflow_id=...&amp;execution_cluster_id=1&amp;timeout_seconds=30
 *   200 {"success": true, "result": "\"pong\"", "error": null, ...}
 * </pre>
 *
 * <p>Endpoints: {@code POST /workflow/execute}, {@code GET /workflow/wait}, {@code GET /workflow/status},
 * {@code GET /workflow/list}, {@code POST /workflow/terminate}, {@code POST /workflow/signal} and
 * {@code GET /workflow/query} (served by {@link HttpSignalQueryRoutes}), {@code GET /workflow/history} (by
 * {@link HttpHistoryRoutes}), {@code GET /health}, {@code GET /discovery/peers},
 * {@code POST /discovery/register}, {@code POST /discovery/heartbeat}. Every answer is JSON; see the README's HTTP
 * API section for each shape.
 *
 * <p>Conventions:
 * <ul>
 *   <li>{@code input} is the workflow input as JSON text ({@code "\"ping\""}); any other JSON value (object, array,
 *       number, boolean) is taken as the input itself. {@code result} is the result as JSON text.</li>
 *   <li>{@code success} tells whether the workflow completed; a workflow that ran and failed (or was terminated) is
 *       answered 200 with {@code "success": false} and the failure in {@code error}: the call itself worked.</li>
 *   <li>Errors of the call are {@code {"success": false, "error": "...", "error_code": "..."}} with 400 (malformed
 *       JSON, wrong types, missing fields, invalid ids, unregistered workflow type/version), 404 (unknown
 *       workflow), 409 (workflow id used by another type/version), 413 (body over
 *       {@link HttpApiOptions#getBodyLimitBytes()}), 503 (no leader, cluster unavailable, no management endpoint
 *       on this node, heartbeat sent to a node that does not lead cluster 0) and <b>504 for a wait that ran out of
 *       time</b> (the workflow keeps running).</li>
 *   <li>{@code execution_cluster_id} is written as a decimal string (as in the quickstart); strings and numbers are
 *       accepted. Workflow ids are any 1-256 characters without control characters (callers may choose their own
 *       ids), so a malformed UUID is an unknown id (404), while an empty, overlong or control-character id is
 *       invalid (400).</li>
 * </ul>
 *
 * <p>Health and discovery are served by {@link HttpDiscoveryRoutes}, request parameters read by
 * {@link HttpRequestParams}, errors mapped by {@link HttpErrors}.
 *
 * <p>Threading: the handlers run on the HTTP server's event loop and never block; the workflow client's results
 * are brought back to the request's context before the response is written.
 */
public final class WorkflowHttpApi {

  private final JsonWorkflowClient workflows;
  private final HttpDiscoveryRoutes discovery;
  private final HttpApiOptions options;

  /**
   * @param workflows the workflow operations served
   * @param management the node's management endpoint, or null when the node serves none (discovery endpoints then
   *     answer 503)
   * @param options limits and defaults
   */
  public WorkflowHttpApi(JsonWorkflowClient workflows, ManagementEndpoint management, HttpApiOptions options) {
    this.workflows = Objects.requireNonNull(workflows, "workflows");
    this.discovery = new HttpDiscoveryRoutes(management);
    this.options = new HttpApiOptions(Objects.requireNonNull(options, "options"));
  }

  /** A new router serving only this API. */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    mount(router);
    return router;
  }

  /** Adds this API's routes to {@code router} (other routes of the router are left alone). */
  public Router mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.getBodyLimitBytes());
    HttpAnswers.route(router.post("/workflow/execute"), body, this::execute, this::onFailure);
    HttpAnswers.route(router.get("/workflow/wait"), null, this::await, this::onFailure);
    HttpAnswers.route(router.get("/workflow/status"), null, this::status, this::onFailure);
    HttpAnswers.route(router.get("/workflow/list"), null, this::list, this::onFailure);
    HttpAnswers.route(router.post("/workflow/terminate"), body, this::terminate, this::onFailure);
    new HttpSignalQueryRoutes(workflows).mount(router, body, this::onFailure);
    new HttpHistoryRoutes(workflows).mount(router, this::onFailure);
    discovery.mount(router, body, this::onFailure);
    // anything else under our prefixes gets a JSON answer instead of the router's plain-text 404/405
    router.route("/workflow/*").handler(this::unknownEndpoint).failureHandler(this::onFailure);
    router.route("/discovery/*").handler(this::unknownEndpoint).failureHandler(this::onFailure);
    return router;
  }

  private void execute(RoutingContext rc) {
    JsonObject body = bodyObject(rc);
    String name = optionalString(body, "name");
    String type = optionalString(body, "workflow_type");
    if (name != null && type != null && !name.equals(type)) {
      throw invalid("'name' and 'workflow_type' differ; give one of them");
    }
    String workflowType = name != null ? name : type;
    if (workflowType == null || workflowType.isBlank()) {
      throw invalid("missing field 'name' (the workflow type, e.g. \"ping_pong\")");
    }
    int version = requiredInt(body, "version");
    String inputJson = inputJson(body);
    StartOptions start = new StartOptions();
    String workflowId = optionalString(body, "workflow_id");
    if (workflowId != null) {
      start.setWorkflowId(WorkflowIds.check("workflow_id", workflowId));
    }
    call(rc, () -> workflows.start(workflowType, version, inputJson, start), s -> new JsonObject()
        .put("workflow_id", s.workflowId())
        .put("success", true)
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        // an asynchronous start answers as the quickstart shows: the result comes from /workflow/wait (a workflow
        // may well have finished already; "state" and "workflow" tell)
        .put("result", null)
        .put("error", null)
        .put("state", s.state().name())
        .put("workflow", WorkflowJson.toJson(s)));
  }

  private void await(RoutingContext rc) {
    String id = requiredWorkflowId(query(rc, "workflow_id"));
    Long cluster = clusterHint(query(rc, "execution_cluster_id"));
    Duration timeout = HttpRequestParams.waitTimeout(query(rc, "timeout_seconds"), options);
    call(rc, () -> workflows.await(id, cluster, timeout), WorkflowHttpApi::outcome);
  }

  /** The quickstart's wait answer (success, result, error) plus the full status. */
  static JsonObject outcome(WorkflowStatus s) {
    boolean completed = s.state() == WorkflowState.COMPLETED;
    return new JsonObject()
        .put("success", completed)
        .put("result", completed ? s.resultJson() : null)
        .put("error", s.failureText())
        .put("workflow_id", s.workflowId())
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        .put("state", s.state().name())
        .put("error_type", s.errorType())
        .put("workflow", WorkflowJson.toJson(s));
  }

  private void status(RoutingContext rc) {
    String id = requiredWorkflowId(query(rc, "workflow_id"));
    Long cluster = clusterHint(query(rc, "execution_cluster_id"));
    call(rc, () -> workflows.status(id, cluster), WorkflowHttpApi::workflowAnswer);
  }

  private void list(RoutingContext rc) {
    WorkflowFilter filter = HttpRequestParams.listFilter(rc, options);
    call(rc, () -> workflows.list(filter), all -> {
      JsonArray items = new JsonArray();
      all.forEach(s -> items.add(WorkflowJson.toJson(s)));
      return new JsonObject().put("success", true).put("count", items.size()).put("workflows", items);
    });
  }

  private void terminate(RoutingContext rc) {
    JsonObject body = bodyObject(rc);
    String id = requiredWorkflowId(optionalString(body, "workflow_id"));
    Long cluster = clusterHint(body.getValue("execution_cluster_id"));
    String reason = optionalString(body, "reason");
    String why = reason == null || reason.isBlank() ? "terminated through the HTTP API" : reason;
    call(rc, () -> workflows.terminate(id, cluster, why), WorkflowHttpApi::workflowAnswer);
  }

  private static JsonObject workflowAnswer(WorkflowStatus s) {
    return new JsonObject().put("success", true).put("workflow", WorkflowJson.toJson(s));
  }

  private void unknownEndpoint(RoutingContext rc) {
    send(rc, new ClientError(ErrorCode.NOT_FOUND, "no endpoint " + rc.request().method() + " "
        + rc.request().path()));
  }

  /** Failures of the router itself (a body over the limit, a handler's failure) as JSON error answers. */
  private void onFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    int code = rc.statusCode();
    if (code == HttpErrors.PAYLOAD_TOO_LARGE) {
      send(rc, new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
          "request body larger than " + options.getBodyLimitBytes() + " bytes"));
    } else if (failure != null) {
      send(rc, ClientError.of(failure));
    } else if (code >= HttpErrors.BAD_REQUEST && code < HttpErrors.INTERNAL_SERVER_ERROR) {
      send(rc, code, ClientError.invalid("bad request (HTTP " + code + ")"));
    } else {
      send(rc, new ClientError(ErrorCode.INTERNAL, "internal error (HTTP " + code + ")"));
    }
  }
}
