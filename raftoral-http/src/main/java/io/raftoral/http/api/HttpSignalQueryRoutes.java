package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.call;
import static io.raftoral.http.api.HttpRequestParams.bodyObject;
import static io.raftoral.http.api.HttpRequestParams.clusterHint;
import static io.raftoral.http.api.HttpRequestParams.inputJson;
import static io.raftoral.http.api.HttpRequestParams.invalid;
import static io.raftoral.http.api.HttpRequestParams.optionalString;
import static io.raftoral.http.api.HttpRequestParams.query;
import static io.raftoral.http.api.HttpRequestParams.requiredWorkflowId;

import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The signal and query endpoints of the REST API, in the style of {@code /workflow/execute}:
 *
 * <pre>
 * POST /workflow/signal  {"workflow_id": "...", "signal": "approve", "input": "\"Ada\""}   (optional execution_cluster_id)
 *   200 {"success": true, "workflow_id": "...", "execution_cluster_id": "1", "signal": "approve", "workflow": {...}}
 * GET  /workflow/query?workflow_id=...&amp;query=state                                    (optional execution_cluster_id)
 *   200 {"success": true, "result": "\"waiting\"", "workflow_id": "...", "query": "state"}
 * </pre>
 *
 * <p>{@code input} follows {@code /workflow/execute} (JSON text, or any other JSON value taken as the payload; absent
 * means {@code null}). Errors: 400 (missing or mistyped fields, malformed JSON), 404 (unknown workflow, or a query
 * name the workflow has not registered: {@code error_code} tells which), 409 {@code WORKFLOW_NOT_RUNNING} (a signal
 * to a workflow that has ended), 503 (cluster unavailable).
 */
final class HttpSignalQueryRoutes {

  private final JsonWorkflowClient workflows;

  HttpSignalQueryRoutes(JsonWorkflowClient workflows) {
    this.workflows = workflows;
  }

  void mount(Router router, BodyHandler body, Handler<RoutingContext> onFailure) {
    HttpAnswers.route(router.post("/workflow/signal"), body, this::signalWorkflow, onFailure);
    HttpAnswers.route(router.get("/workflow/query"), null, this::queryWorkflow, onFailure);
  }

  private void signalWorkflow(RoutingContext rc) {
    JsonObject body = bodyObject(rc);
    String id = requiredWorkflowId(optionalString(body, "workflow_id"));
    String name = requiredName(optionalString(body, "signal"), "signal", "approve");
    Long cluster = clusterHint(body.getValue("execution_cluster_id"));
    String payload = inputJson(body);
    String signalId = optionalString(body, "signal_id");
    call(rc, () -> workflows.signal(id, cluster, name, payload, signalId), s -> new JsonObject()
        .put("success", true)
        .put("workflow_id", s.workflowId())
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        .put("signal", name)
        .put("workflow", WorkflowJson.toJson(s)));
  }

  private void queryWorkflow(RoutingContext rc) {
    String id = requiredWorkflowId(query(rc, "workflow_id"));
    String name = requiredName(query(rc, "query"), "query", "state");
    Long cluster = clusterHint(query(rc, "execution_cluster_id"));
    call(rc, () -> workflows.query(id, cluster, name), answer -> new JsonObject()
        .put("success", true)
        .put("result", answer)
        .put("workflow_id", id)
        .put("query", name));
  }

  private static String requiredName(String name, String field, String example) {
    if (name == null || name.isBlank()) {
      throw invalid("missing '" + field + "' (e.g. \"" + example + "\")");
    }
    return name;
  }
}
