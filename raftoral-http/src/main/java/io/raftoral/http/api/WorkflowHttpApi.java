package io.raftoral.http.api;

import io.raftoral.management.ManagementEndpoint;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

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
 * {@code GET /workflow/list}, {@code POST /workflow/terminate}, {@code GET /health}, {@code GET /discovery/peers},
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
 * <p>Threading: the handlers run on the HTTP server's event loop and never block; the workflow client's results
 * are brought back to the request's context before the response is written.
 */
public final class WorkflowHttpApi {

  private static final String JSON = "application/json";
  private static final int MAX_WORKFLOW_ID_LENGTH = 256;
  private static final int MAX_ADDRESS_LENGTH = 1024;

  private final JsonWorkflowClient workflows;
  private final ManagementEndpoint management;
  private final HttpApiOptions options;

  /**
   * @param workflows the workflow operations served
   * @param management the node's management endpoint, or null when the node serves none (discovery endpoints then
   *     answer 503)
   * @param options limits and defaults
   */
  public WorkflowHttpApi(JsonWorkflowClient workflows, ManagementEndpoint management, HttpApiOptions options) {
    this.workflows = Objects.requireNonNull(workflows, "workflows");
    this.management = management;
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
    route(router.post("/workflow/execute"), body, this::execute);
    route(router.get("/workflow/wait"), null, this::await);
    route(router.get("/workflow/status"), null, this::status);
    route(router.get("/workflow/list"), null, this::list);
    route(router.post("/workflow/terminate"), body, this::terminate);
    route(router.get("/health"), null, this::health);
    route(router.get("/discovery/peers"), null, this::peers);
    route(router.post("/discovery/register"), body, this::register);
    route(router.post("/discovery/heartbeat"), body, this::heartbeat);
    // anything else under our prefixes gets a JSON answer instead of the router's plain-text 404/405
    router.route("/workflow/*").handler(this::unknownEndpoint).failureHandler(this::onFailure);
    router.route("/discovery/*").handler(this::unknownEndpoint).failureHandler(this::onFailure);
    return router;
  }

  private void route(io.vertx.ext.web.Route route, BodyHandler body, Handler<RoutingContext> handler) {
    if (body != null) {
      route.handler(body);
    }
    route.handler(rc -> {
      try {
        handler.handle(rc);
      } catch (RuntimeException e) {
        // validation errors and anything a handler did not expect: an answer, never a crash
        send(rc, ApiError.of(e));
      }
    }).failureHandler(this::onFailure);
  }

  // ----- workflows -------------------------------------------------------------------------------------------------

  private void execute(RoutingContext rc) {
    JsonObject body = bodyObject(rc);
    String name = optionalString(body, "name");
    String type = optionalString(body, "workflow_type");
    if (name != null && type != null && !name.equals(type)) {
      throw ApiError.badRequest("'name' and 'workflow_type' differ; give one of them").exception();
    }
    String workflowType = name != null ? name : type;
    if (workflowType == null || workflowType.isBlank()) {
      throw ApiError.badRequest("missing field 'name' (the workflow type, e.g. \"ping_pong\")").exception();
    }
    int version = requiredInt(body, "version");
    String inputJson = inputJson(body);
    StartOptions start = new StartOptions();
    String workflowId = optionalString(body, "workflow_id");
    if (workflowId != null) {
      start.setWorkflowId(checkWorkflowId(workflowId));
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
    Duration timeout = waitTimeout(query(rc, "timeout_seconds"));
    call(rc, () -> workflows.await(id, cluster, timeout), WorkflowHttpApi::outcome);
  }

  /** The quickstart's wait answer (success, result, error) plus the full status. */
  static JsonObject outcome(WorkflowStatus s) {
    boolean completed = s.state() == WorkflowState.COMPLETED;
    return new JsonObject()
        .put("success", completed)
        .put("result", completed ? s.resultJson() : null)
        .put("error", completed ? null : errorText(s))
        .put("workflow_id", s.workflowId())
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        .put("state", s.state().name())
        .put("error_type", s.errorType())
        .put("workflow", WorkflowJson.toJson(s));
  }

  private static String errorText(WorkflowStatus s) {
    if (s.state() == WorkflowState.TERMINATED) {
      return "workflow terminated" + (s.errorMessage() == null ? "" : ": " + s.errorMessage());
    }
    if (s.state() == WorkflowState.RUNNING) {
      return "workflow still running";
    }
    return s.errorMessage() == null ? s.errorType() : s.errorMessage();
  }

  private void status(RoutingContext rc) {
    String id = requiredWorkflowId(query(rc, "workflow_id"));
    Long cluster = clusterHint(query(rc, "execution_cluster_id"));
    call(rc, () -> workflows.status(id, cluster),
        s -> new JsonObject().put("success", true).put("workflow", WorkflowJson.toJson(s)));
  }

  private void list(RoutingContext rc) {
    WorkflowFilter filter = WorkflowFilter.all();
    Set<WorkflowState> states = EnumSet.noneOf(WorkflowState.class);
    for (String value : rc.queryParam("state")) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          states.add(state(part.trim()));
        }
      }
    }
    if (!states.isEmpty()) {
      WorkflowState[] more = states.stream().skip(1).toArray(WorkflowState[]::new);
      filter.states(states.iterator().next(), more);
    }
    String type = query(rc, "type");
    if (type == null) {
      type = query(rc, "workflow_type");
    }
    if (type != null && !type.isEmpty()) {
      filter.workflowType(type);
    }
    String after = query(rc, "started_after");
    if (after != null) {
      filter.startedAfter(instant("started_after", after));
    }
    String before = query(rc, "started_before");
    if (before != null) {
      filter.startedBefore(instant("started_before", before));
    }
    String limitText = query(rc, "limit");
    int limit = options.getDefaultListLimit();
    if (limitText != null) {
      limit = (int) parseLong("limit", limitText, 1, options.getMaxListLimit());
    }
    filter.limit(limit);
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
    call(rc, () -> workflows.terminate(id, cluster, why),
        s -> new JsonObject().put("success", true).put("workflow", WorkflowJson.toJson(s)));
  }

  // ----- health and discovery --------------------------------------------------------------------------------------

  /**
   * {@code {"status": "ok", "node_id": 1, "is_leader": true}}: 200 once the node has joined (its own registration
   * is in its view of the node directory), else 503 with {@code "status": "starting"}, so that scripts and load
   * balancers can wait for a node with {@code GET /health}. {@code is_leader} tells whether the node leads
   * cluster 0. Without a management endpoint the node answers "ok" with a null node id.
   */
  private void health(RoutingContext rc) {
    JsonObject body = new JsonObject();
    boolean ready = isReady(management);
    body.put("status", ready ? "ok" : "starting");
    if (management == null) {
      body.put("node_id", null).put("is_leader", false);
    } else {
      long leader = management.managementLeaderId();
      body.put("node_id", management.nodeId())
          .put("is_leader", management.isManagementLeader())
          .put("management_leader_node_id", leader == 0 ? null : leader);
    }
    send(rc, ready ? 200 : 503, body);
  }

  /** Whether the node has joined: no management endpoint, or its own registration is in its directory view. */
  static boolean isReady(ManagementEndpoint m) {
    return m == null || m.view().nodes().containsKey(m.nodeId());
  }

  private void peers(RoutingContext rc) {
    ManagementEndpoint m = requireManagement();
    send(rc, 200, discovery(m));
  }

  /** The quickstart's discovery answer, plus the node directory as {@code peers}. */
  static JsonObject discovery(ManagementEndpoint m) {
    ManagementView view = m.view();
    long self = m.nodeId();
    long leader = m.managementLeaderId();
    long highest = Math.max(self, Math.max(view.nextNodeId() - 1, view.nodes().isEmpty() ? 0 : view.nodes().lastKey()));
    int voters = m.managementVoters().size();
    JsonArray peers = new JsonArray();
    for (NodeRecord n : view.nodes().values()) {
      peers.add(new JsonObject().put("node_id", n.id()).put("address", n.address()).put("state", n.state().name()));
    }
    return new JsonObject()
        .put("node_id", self)
        .put("highest_known_node_id", highest)
        .put("address", view.node(self).map(NodeRecord::address).orElse(null))
        .put("management_leader_node_id", leader == 0 ? null : leader)
        .put("management_leader_address", leader == 0 ? null : view.node(leader).map(NodeRecord::address).orElse(null))
        .put("should_join_as_voter", voters < m.maxVoters())
        .put("current_voter_count", voters)
        .put("max_voters", m.maxVoters())
        .put("peers", peers)
        .put("execution_clusters", executionClusters(view));
  }

  /** Each execution cluster's desired members and the Raft membership its leader last reported. */
  private static JsonArray executionClusters(ManagementView view) {
    JsonArray out = new JsonArray();
    view.clusters().values().forEach(c -> out.add(new JsonObject()
        .put("execution_cluster_id", c.id())
        .put("members", new JsonArray(new java.util.ArrayList<>(c.desiredMembers())))
        .put("voters", new JsonArray(new java.util.ArrayList<>(c.reportedVoters())))
        .put("learners", new JsonArray(new java.util.ArrayList<>(c.reportedLearners())))));
    return out;
  }

  private void register(RoutingContext rc) {
    ManagementEndpoint m = requireManagement();
    JsonObject body = bodyObject(rc);
    String address = optionalString(body, "address");
    if (address == null || address.isBlank() || address.length() > MAX_ADDRESS_LENGTH) {
      throw ApiError.badRequest("missing or invalid field 'address' (where the registering node is reached, "
          + "host:port)").exception();
    }
    String requestId = optionalString(body, "request_id");
    // the address identifies a retry as well as a request id does (see ManagementClient#register)
    String request = requestId == null || requestId.isBlank() ? "address:" + address : requestId;
    Context ctx = Vertx.currentContext();
    Future<Long> registered;
    try {
      registered = m.handleRegister(address, request);
    } catch (RuntimeException e) {
      registered = Future.failedFuture(e);
    }
    Future.fromCompletionStage(registered.toCompletionStage(), ctx).onComplete(ar -> {
      if (ar.succeeded()) {
        send(rc, 200, new JsonObject().put("success", true).put("node_id", ar.result()));
      } else {
        ApiError e = ApiError.of(ar.cause());
        // a member not (yet) able to register anyone (not started, own registration not applied): another seed may
        send(rc, e.status() == 500 ? new ApiError(503, ApiError.UNAVAILABLE, ar.cause().getMessage()) : e);
      }
    });
  }

  private void heartbeat(RoutingContext rc) {
    ManagementEndpoint m = requireManagement();
    JsonObject body = bodyObject(rc);
    long nodeId = requiredLong(body, "node_id", 1, Long.MAX_VALUE);
    if (!m.isManagementLeader()) {
      send(rc, 503, notLeader(m));
      return;
    }
    Context ctx = Vertx.currentContext();
    Future.fromCompletionStage(m.handleHeartbeat(nodeId).toCompletionStage(), ctx).onComplete(ar -> {
      if (ar.succeeded()) {
        send(rc, 200, new JsonObject().put("success", true).put("leader_node_id", m.nodeId()));
      } else {
        // lost the leadership meanwhile
        send(rc, 503, notLeader(m));
      }
    });
  }

  private static JsonObject notLeader(ManagementEndpoint m) {
    long leader = m.managementLeaderId();
    String address = leader == 0 ? null : m.view().node(leader).map(NodeRecord::address).orElse(null);
    String message = "node " + m.nodeId() + " is not the management leader; "
        + (leader == 0 ? "it knows no leader" : "leader is node " + leader + (address == null ? "" : " at " + address));
    return new ApiError(503, ApiError.NOT_LEADER, message).toJson()
        .put("leader_node_id", leader == 0 ? null : leader)
        .put("leader_address", address);
  }

  private ManagementEndpoint requireManagement() {
    if (management == null) {
      throw new ApiError(503, ApiError.UNAVAILABLE, "this node serves no management endpoint").exception();
    }
    return management;
  }

  private void unknownEndpoint(RoutingContext rc) {
    send(rc, new ApiError(404, ApiError.NOT_FOUND, "no endpoint " + rc.request().method() + " " + rc.request().path()));
  }

  private void onFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    int code = rc.statusCode();
    ApiError error;
    if (code == 413) {
      error = new ApiError(413, ApiError.PAYLOAD_TOO_LARGE,
          "request body larger than " + options.getBodyLimitBytes() + " bytes");
    } else if (failure != null) {
      error = ApiError.of(failure);
    } else if (code >= 400 && code < 500) {
      error = new ApiError(code, ApiError.INVALID_ARGUMENT, "bad request (HTTP " + code + ")");
    } else {
      error = new ApiError(500, ApiError.INTERNAL, "internal error (HTTP " + code + ")");
    }
    send(rc, error);
  }

  // ----- calls and answers -----------------------------------------------------------------------------------------

  /**
   * Runs {@code call} and answers 200 with {@code ok} of its result, or the error its failure maps to. The result
   * is brought back to this request's context; a client that goes away cancels the call (e.g. a long wait).
   */
  private <T> void call(RoutingContext rc, Supplier<Uni<T>> call, Function<T, JsonObject> ok) {
    Context ctx = Vertx.currentContext();
    CompletableFuture<T> result = call.get().subscribeAsCompletionStage();
    rc.response().closeHandler(v -> result.cancel(false));
    Future.fromCompletionStage(result, ctx).onComplete(ar -> {
      if (ar.failed()) {
        send(rc, ApiError.of(ar.cause()));
        return;
      }
      JsonObject body;
      try {
        body = ok.apply(ar.result());
      } catch (RuntimeException e) {
        send(rc, ApiError.of(e));
        return;
      }
      send(rc, 200, body);
    });
  }

  private static void send(RoutingContext rc, ApiError error) {
    send(rc, error.status(), error.toJson());
  }

  private static void send(RoutingContext rc, int status, JsonObject body) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", JSON).end(body.encode());
  }

  // ----- request parsing (every problem is a 400 with a message naming the field) ----------------------------------

  private static JsonObject bodyObject(RoutingContext rc) {
    Buffer buffer = rc.body() == null ? null : rc.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw ApiError.badRequest("the request body must be a JSON object").exception();
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ApiError.badRequest("malformed JSON in the request body: " + firstLine(e.getMessage())).exception();
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiError.badRequest("the request body must be a JSON object, not " + typeName(value)).exception();
    }
    return object;
  }

  private static String inputJson(JsonObject body) {
    if (!body.containsKey("input") || body.getValue("input") == null) {
      return "null";
    }
    Object input = body.getValue("input");
    if (input instanceof String text) {
      try {
        Json.decodeValue(text);
      } catch (DecodeException e) {
        throw ApiError.badRequest("'input' must be JSON text, e.g. \"\\\"ping\\\"\" for the string ping; "
            + firstLine(e.getMessage())).exception();
      }
      return text;
    }
    return Json.encode(input);
  }

  private static String optionalString(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiError.badRequest("field '" + field + "' must be a string, not " + typeName(v)).exception();
    }
    return s;
  }

  private static int requiredInt(JsonObject body, String field) {
    return (int) requiredLong(body, field, 0, Integer.MAX_VALUE);
  }

  private static long requiredLong(JsonObject body, String field, long min, long max) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiError.badRequest("missing field '" + field + "'").exception();
    }
    if (!(v instanceof Number n) || !isWhole(n)) {
      throw ApiError.badRequest("field '" + field + "' must be a whole number, not " + typeName(v)).exception();
    }
    long value = n.longValue();
    if (value < min || value > max || !isInRange(n)) {
      throw ApiError.badRequest("field '" + field + "' must be between " + min + " and " + max + ", was " + n)
          .exception();
    }
    return value;
  }

  private static boolean isWhole(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return !Double.isInfinite(d) && d == Math.rint(d);
    }
    if (n instanceof java.math.BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0;
    }
    return true;
  }

  private static boolean isInRange(Number n) {
    if (n instanceof java.math.BigInteger b) {
      return b.bitLength() < 64;
    }
    if (n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal) {
      return Math.abs(n.doubleValue()) < 9.0e18;
    }
    return true;
  }

  private static String query(RoutingContext rc, String name) {
    List<String> values = rc.queryParam(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private static String requiredWorkflowId(String id) {
    if (id == null) {
      throw ApiError.badRequest("missing 'workflow_id'").exception();
    }
    return checkWorkflowId(id);
  }

  private static String checkWorkflowId(String id) {
    if (id.isBlank() || id.length() > MAX_WORKFLOW_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.badRequest("invalid workflow_id: must be 1-" + MAX_WORKFLOW_ID_LENGTH
          + " characters, not blank, without control characters").exception();
    }
    return id;
  }

  /** The execution cluster hint: absent, empty or 0 mean "find it". */
  private static Long clusterHint(Object value) {
    if (value == null || "".equals(value)) {
      return null;
    }
    long id;
    if (value instanceof Number n && isWhole(n) && isInRange(n)) {
      id = n.longValue();
    } else if (value instanceof String s) {
      id = parseLong("execution_cluster_id", s, 0, Long.MAX_VALUE);
    } else {
      throw ApiError.badRequest("'execution_cluster_id' must be a whole number or a decimal string, not "
          + typeName(value)).exception();
    }
    if (id < 0) {
      throw ApiError.badRequest("'execution_cluster_id' must be >= 0, was " + id).exception();
    }
    return id == 0 ? null : id;
  }

  private Duration waitTimeout(String text) {
    double seconds = options.getDefaultWaitTimeoutSeconds();
    if (text != null && !text.isEmpty()) {
      try {
        seconds = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("'timeout_seconds' must be a number, was '" + text + "'").exception();
      }
      if (Double.isNaN(seconds) || seconds < 0 || seconds > options.getMaxWaitTimeoutSeconds()) {
        throw ApiError.badRequest("'timeout_seconds' must be between 0 and " + options.getMaxWaitTimeoutSeconds()
            + ", was " + text).exception();
      }
      if (seconds == 0) {
        // as in the gRPC API, where 0 is the unset value
        seconds = options.getDefaultWaitTimeoutSeconds();
      }
    }
    return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
  }

  private static long parseLong(String field, String text, long min, long max) {
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("'" + field + "' must be a whole number, was '" + text + "'").exception();
    }
    if (value < min || value > max) {
      throw ApiError.badRequest("'" + field + "' must be between " + min + " and " + max + ", was " + value)
          .exception();
    }
    return value;
  }

  private static WorkflowState state(String text) {
    try {
      return WorkflowState.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (WorkflowState s : WorkflowState.values()) {
        names.add(s.name());
      }
      throw ApiError.badRequest("unknown state '" + text + "'; one of " + names).exception();
    }
  }

  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("'" + field + "' must be an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z), was '"
          + text + "'").exception();
    }
  }

  private static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "a number (" + v + ")";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    return v.getClass().getSimpleName();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
