package io.raftoral.http.api;

import io.raftoral.testkit.ApiOptionsContract;
import io.raftoral.testkit.FakeManagementEndpoint;
import io.raftoral.testkit.PingPongApiTest;
import io.raftoral.testkit.PingPongCluster;
import static io.raftoral.client.SeedManagementClient.seedOptions;
import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API on a real HTTP server (loopback, ephemeral port) over a 3-node execution cluster: the quickstart's
 * curl requests verbatim, failures, bad input, list/status/terminate, health and discovery, and the network
 * clients against the server.
 */
class WorkflowHttpApiTest extends PingPongApiTest {

  WorkflowHttpApiTest() {
    // the network clients' contract runs in PingPongApiTest
    super(new Clients(HttpWorkflowClient::new, HttpManagementClient::new, HttpApiException.class,
        "'input' must be JSON text"));
  }

  /** Small, so that the oversized-body test needs no large buffers. */
  private static final long BODY_LIMIT = 4096;

  private int port;
  private WebClient web;

  @Override
  protected Future<HttpServer> serveApi() {
    Router router = Router.router(vertx);
    new WorkflowHttpApi(cluster.client, management, new HttpApiOptions().setBodyLimitBytes(BODY_LIMIT))
        .mount(router);
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1");
  }

  @BeforeAll
  void start() {
    port = server.actualPort();
    web = WebClient.create(vertx);
  }

  @AfterAll
  void stop() {
    if (web != null) {
      web.close();
    }
  }

  private HttpResponse<Buffer> post(String path, String body) throws Exception {
    return await(web.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)));
  }

  private HttpResponse<Buffer> get(String pathAndQuery) throws Exception {
    return await(web.get(port, "127.0.0.1", pathAndQuery).send());
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code, String messagePart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("content-type")).startsWith("application/json");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getString("error_code")).isEqualTo(code);
    assertThat(body.getString("error")).contains(messagePart);
  }

  // ----- the quickstart, verbatim -------------------------------------------------------------------------------

  @Test
  void quickstartExecuteThenWaitAnswersPong() throws Exception {
    // curl -X POST http://127.0.0.1:7001/workflow/execute -H "Content-Type: application/json" -d '{...}'
    HttpResponse<Buffer> started = post("/workflow/execute", """
        {
            "name": "ping_pong",
            "version": 1,
            "input": "\\"ping\\""
          }""");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(200);
    JsonObject s = started.bodyAsJsonObject();
    assertThat(s.getBoolean("success")).isTrue();
    assertThat(s.getString("workflow_id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(s.getValue("execution_cluster_id")).isEqualTo("1");
    assertThat(s.containsKey("result")).isTrue();
    assertThat(s.getValue("result")).isNull();
    assertThat(s.containsKey("error")).isTrue();
    assertThat(s.getValue("error")).isNull();

    // curl -X GET "http://127.0.0.1:7001/workflow/wait?workflow_id=abc-123&execution_cluster_id=1&timeout_seconds=30"
    HttpResponse<Buffer> waited = get("/workflow/wait?workflow_id=" + s.getString("workflow_id")
        + "&execution_cluster_id=" + s.getString("execution_cluster_id") + "&timeout_seconds=30");
    assertThat(waited.statusCode()).as(waited.bodyAsString()).isEqualTo(200);
    // "result": "\"pong\"": the result's JSON text, as a JSON string
    assertThat(waited.bodyAsString()).contains("\"result\":\"\\\"pong\\\"\"");
    JsonObject w = waited.bodyAsJsonObject();
    assertThat(w.getBoolean("success")).isTrue();
    assertThat(w.getString("result")).isEqualTo("\"pong\"");
    assertThat(w.containsKey("error")).isTrue();
    assertThat(w.getValue("error")).isNull();
    assertThat(w.getString("state")).isEqualTo("COMPLETED");
  }

  @Test
  void theApprovalDemoIsSignalledAndQueriedWithTheReadmeCurlShapes() throws Exception {
    String id = post("/workflow/execute", "{\"name\":\"approval\",\"version\":1,\"input\":\"\\\"invoice 7\\\"\"}")
        .bodyAsJsonObject().getString("workflow_id");
    HttpResponse<Buffer> waiting = pollUntil(() -> get("/workflow/query?workflow_id=" + id + "&query=state"),
        r -> r.statusCode() == 200);
    assertThat(waiting.bodyAsJsonObject().getBoolean("success")).isTrue();
    assertThat(waiting.bodyAsJsonObject().getString("result")).isEqualTo("\"waiting\"");

    // curl -X POST http://127.0.0.1:7001/workflow/signal -d '{"workflow_id": "...", "signal": "approve", ...}'
    HttpResponse<Buffer> signalled = post("/workflow/signal",
        new JsonObject().put("workflow_id", id).put("signal", "approve").put("input", "\"Ada\"").encode());
    assertThat(signalled.statusCode()).as(signalled.bodyAsString()).isEqualTo(200);
    JsonObject sig = signalled.bodyAsJsonObject();
    assertThat(sig.getBoolean("success")).isTrue();
    assertThat(sig.getString("workflow_id")).isEqualTo(id);
    assertThat(sig.getString("execution_cluster_id")).isEqualTo("1");
    assertThat(sig.getString("signal")).isEqualTo("approve");

    JsonObject done = get("/workflow/wait?workflow_id=" + id + "&timeout_seconds=30").bodyAsJsonObject();
    assertThat(done.getString("result")).isEqualTo("\"approved by Ada\"");
    JsonObject approved = get("/workflow/query?workflow_id=" + id + "&query=state&execution_cluster_id=1")
        .bodyAsJsonObject();
    assertThat(approved.getString("result")).isEqualTo("\"approved\"");
    assertError(post("/workflow/signal", new JsonObject().put("workflow_id", id).put("signal", "approve").encode()),
        409, "WORKFLOW_NOT_RUNNING", "is not running");
  }

  @Test
  void signalAndQueryRefuseBadInputAndUnknownIds() throws Exception {
    assertError(post("/workflow/signal", "{\"workflow_id\": "), 400, "INVALID_ARGUMENT", "");
    assertError(post("/workflow/signal", "{\"signal\":\"approve\"}"), 400, "INVALID_ARGUMENT", "workflow_id");
    assertError(post("/workflow/signal", "{\"workflow_id\":\"w\"}"), 400, "INVALID_ARGUMENT", "'signal'");
    assertError(post("/workflow/signal", "{\"workflow_id\":\"w\",\"signal\":7}"), 400, "INVALID_ARGUMENT",
        "'signal' must be a string");
    assertError(post("/workflow/signal", "{\"workflow_id\":\"w\",\"signal\":\"approve\",\"input\":\"Ada\"}"), 400,
        "INVALID_ARGUMENT", "'input' must be JSON text");
    assertError(post("/workflow/signal", "{\"workflow_id\":\"no-such-workflow\",\"signal\":\"approve\"}"), 404,
        "WORKFLOW_NOT_FOUND", "no-such-workflow");
    assertError(get("/workflow/query?workflow_id=w"), 400, "INVALID_ARGUMENT", "'query'");
    assertError(get("/workflow/query?query=state"), 400, "INVALID_ARGUMENT", "workflow_id");
    assertError(get("/workflow/query?workflow_id=no-such-workflow&query=state"), 404, "WORKFLOW_NOT_FOUND",
        "no-such-workflow");
    String id = post("/workflow/execute", "{\"name\":\"forever\",\"version\":1,\"input\":\"\\\"x\\\"\"}")
        .bodyAsJsonObject().getString("workflow_id");
    assertError(get("/workflow/query?workflow_id=" + id + "&query=state"), 404, "QUERY_NOT_FOUND", "state");
    post("/workflow/terminate", new JsonObject().put("workflow_id", id).encode());
  }

  /** Calls {@code call} until its answer passes {@code done} (polled; a workflow's run starts on a later turn). */
  private static HttpResponse<Buffer> pollUntil(ThrowingCall call, Predicate<HttpResponse<Buffer>> done)
      throws Exception {
    long deadline = System.currentTimeMillis() + POLL_DEADLINE_MILLIS;
    HttpResponse<Buffer> r = call.call();
    while (!done.test(r) && System.currentTimeMillis() < deadline) {
      await(Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(POLL_MILLIS)));
      r = call.call();
    }
    return r;
  }

  private static final long POLL_DEADLINE_MILLIS = 10_000;
  private static final long POLL_MILLIS = 20;

  /** A request that may throw. */
  private interface ThrowingCall {
    HttpResponse<Buffer> call() throws Exception;
  }

  @Test
  void aFailedWorkflowIsAnsweredWithSuccessFalseAndItsError() throws Exception {
    JsonObject s = post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"pang\\\"\"}")
        .bodyAsJsonObject();
    HttpResponse<Buffer> waited = get("/workflow/wait?workflow_id=" + s.getString("workflow_id")
        + "&execution_cluster_id=1&timeout_seconds=30");
    assertThat(waited.statusCode()).isEqualTo(200);
    JsonObject w = waited.bodyAsJsonObject();
    assertThat(w.getBoolean("success")).isFalse();
    assertThat(w.getValue("result")).isNull();
    assertThat(w.getString("error")).contains(PingPongCluster.NOT_PING).contains("pang");
    assertThat(w.getString("state")).isEqualTo("FAILED");
    assertThat(w.getString("error_type")).isEqualTo(IllegalArgumentException.class.getName());
  }

  @Test
  void workflowTypeAndObjectInputsAreAcceptedToo() throws Exception {
    // gRPC's field name, and a JSON value instead of JSON text
    HttpResponse<Buffer> r = post("/workflow/execute", "{\"workflow_type\":\"ping_pong\",\"version\":1,\"input\":\"ping\"}");
    assertError(r, 400, "INVALID_ARGUMENT", "'input' must be JSON text");
    JsonObject s = post("/workflow/execute",
        new JsonObject().put("workflow_type", "ping_pong").put("version", 1).put("input", "\"ping\"").encode())
        .bodyAsJsonObject();
    assertThat(s.getBoolean("success")).isTrue();
    JsonObject w = get("/workflow/wait?workflow_id=" + s.getString("workflow_id")).bodyAsJsonObject();
    assertThat(w.getString("result")).isEqualTo("\"pong\"");
  }

  // ----- bad input ----------------------------------------------------------------------------------------------

  @Test
  void badInputIsAnsweredWithClearErrorsAndTheServerKeepsServing() throws Exception {
    assertError(post("/workflow/execute", "{\"name\": \"ping_pong\", \"version\": "), 400, "INVALID_ARGUMENT",
        "malformed JSON");
    assertError(post("/workflow/execute", ""), 400, "INVALID_ARGUMENT", "must be a JSON object");
    assertError(post("/workflow/execute", "[1,2]"), 400, "INVALID_ARGUMENT", "not an array");
    assertError(post("/workflow/execute", "{\"version\":1}"), 400, "INVALID_ARGUMENT", "missing field 'name'");
    assertError(post("/workflow/execute", "{\"name\":\"ping_pong\"}"), 400, "INVALID_ARGUMENT",
        "missing field 'version'");
    assertError(post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":\"one\"}"), 400, "INVALID_ARGUMENT",
        "'version' must be a whole number");
    assertError(post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":1.5}"), 400, "INVALID_ARGUMENT",
        "'version' must be a whole number");
    assertError(post("/workflow/execute", "{\"name\":42,\"version\":1}"), 400, "INVALID_ARGUMENT",
        "'name' must be a string");
    assertError(post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":99999999999}"), 400,
        "INVALID_ARGUMENT", "'version' must be between");
    assertError(post("/workflow/execute", "{\"name\":\"no_such_flow\",\"version\":1,\"input\":\"null\"}"), 400,
        "WORKFLOW_NOT_REGISTERED", "'no_such_flow' version 1 is not registered");
    assertError(post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"{\\\"a\\\":1}\"}"), 400,
        "INVALID_ARGUMENT", "");

    assertError(get("/workflow/wait"), 400, "INVALID_ARGUMENT", "missing 'workflow_id'");
    assertError(get("/workflow/wait?workflow_id=%01bad"), 400, "INVALID_ARGUMENT", "invalid workflow_id");
    assertError(get("/workflow/wait?workflow_id=" + "x".repeat(300)), 400, "INVALID_ARGUMENT", "invalid workflow_id");
    // a malformed UUID could still be a caller-chosen id: it is unknown, not invalid
    assertError(get("/workflow/wait?workflow_id=550e8400-e29b-41d4-zzzz&timeout_seconds=1"), 404,
        "WORKFLOW_NOT_FOUND", "550e8400-e29b-41d4-zzzz");
    assertError(get("/workflow/wait?workflow_id=abc&execution_cluster_id=one"), 400, "INVALID_ARGUMENT",
        "'execution_cluster_id' must be a whole number");
    assertError(get("/workflow/wait?workflow_id=abc&execution_cluster_id=-1"), 400, "INVALID_ARGUMENT",
        "'execution_cluster_id' must be between");
    assertError(get("/workflow/wait?workflow_id=abc&timeout_seconds=soon"), 400, "INVALID_ARGUMENT",
        "'timeout_seconds' must be a number");
    assertError(get("/workflow/wait?workflow_id=abc&timeout_seconds=999999"), 400, "INVALID_ARGUMENT",
        "'timeout_seconds' must be between");
    assertError(get("/workflow/status?workflow_id=no-such-workflow"), 404, "WORKFLOW_NOT_FOUND",
        "no-such-workflow");
    assertError(get("/workflow/list?state=SLEEPING"), 400, "INVALID_ARGUMENT", "unknown state 'SLEEPING'");
    assertError(get("/workflow/list?limit=0"), 400, "INVALID_ARGUMENT", "'limit' must be between");
    assertError(get("/workflow/list?started_after=yesterday"), 400, "INVALID_ARGUMENT", "ISO-8601");
    assertError(post("/workflow/terminate", "{\"workflow_id\": 5}"), 400, "INVALID_ARGUMENT",
        "'workflow_id' must be a string");
    assertError(get("/workflow/nothing-here"), 404, "NOT_FOUND", "GET /workflow/nothing-here");

    // oversized body: 413, from the body handler's limit
    String big = "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"" + "p".repeat((int) BODY_LIMIT * 2)
        + "\\\"\"}";
    assertError(post("/workflow/execute", big), 413, "PAYLOAD_TOO_LARGE", "larger than " + BODY_LIMIT);

    // still serving
    JsonObject s = post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"ping\\\"\"}")
        .bodyAsJsonObject();
    assertThat(s.getBoolean("success")).isTrue();
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  // ----- wait timeout, terminate, list, status, conflicts -------------------------------------------------------

  @Test
  void aWaitThatRunsOutOfTimeIs504AndTerminationEndsTheWorkflow() throws Exception {
    JsonObject s = post("/workflow/execute", "{\"name\":\"forever\",\"version\":1,\"input\":\"\\\"x\\\"\"}")
        .bodyAsJsonObject();
    String id = s.getString("workflow_id");
    assertError(get("/workflow/wait?workflow_id=" + id + "&execution_cluster_id=1&timeout_seconds=0.2"), 504,
        "WAIT_TIMEOUT", "did not finish");

    JsonObject status = get("/workflow/status?workflow_id=" + id).bodyAsJsonObject();
    assertThat(status.getBoolean("success")).isTrue();
    assertThat(status.getJsonObject("workflow").getString("state")).isEqualTo("RUNNING");
    assertThat(status.getJsonObject("workflow").getString("workflow_type")).isEqualTo("forever");

    HttpResponse<Buffer> terminated = post("/workflow/terminate",
        new JsonObject().put("workflow_id", id).put("execution_cluster_id", "1").put("reason", "test over").encode());
    assertThat(terminated.statusCode()).as(terminated.bodyAsString()).isEqualTo(200);
    assertThat(terminated.bodyAsJsonObject().getJsonObject("workflow").getString("state")).isEqualTo("TERMINATED");

    JsonObject waited = get("/workflow/wait?workflow_id=" + id).bodyAsJsonObject();
    assertThat(waited.getBoolean("success")).isFalse();
    assertThat(waited.getString("error")).isEqualTo("workflow terminated: test over");
    assertThat(waited.getString("state")).isEqualTo("TERMINATED");
  }

  @Test
  void listFiltersByStateTypeAndLimit() throws Exception {
    String id = post("/workflow/execute", "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"ping\\\"\"}")
        .bodyAsJsonObject().getString("workflow_id");
    get("/workflow/wait?workflow_id=" + id);
    JsonObject list = get("/workflow/list?state=completed&type=ping_pong&limit=1000").bodyAsJsonObject();
    assertThat(list.getBoolean("success")).isTrue();
    JsonArray items = list.getJsonArray("workflows");
    assertThat(list.getInteger("count")).isEqualTo(items.size());
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("workflow_id"))).contains(id);
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("state"))).containsOnly("COMPLETED");
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("workflow_type"))).containsOnly("ping_pong");
    JsonObject one = items.stream().map(o -> (JsonObject) o).filter(o -> o.getString("workflow_id").equals(id))
        .findFirst().orElseThrow();
    assertThat(one.getString("result")).isEqualTo("\"pong\"");
    assertThat(one.getString("input")).isEqualTo("\"ping\"");
    assertThat(one.getString("execution_cluster_id")).isEqualTo("1");
    assertThat(one.getString("started_at")).isNotNull();
    assertThat(one.getString("ended_at")).isNotNull();

    assertThat(get("/workflow/list?limit=1").bodyAsJsonObject().getJsonArray("workflows")).hasSize(1);
    assertThat(get("/workflow/list?state=RUNNING,FAILED&type=no_such_type").bodyAsJsonObject()
        .getJsonArray("workflows")).isEmpty();
  }

  @Test
  void aCallerChosenIdMakesTheStartIdempotentAndConflictsWithAnotherType() throws Exception {
    String body = "{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"ping\\\"\",\"workflow_id\":\"order-17\"}";
    JsonObject first = post("/workflow/execute", body).bodyAsJsonObject();
    JsonObject again = post("/workflow/execute", body).bodyAsJsonObject();
    assertThat(first.getString("workflow_id")).isEqualTo("order-17");
    assertThat(again.getString("workflow_id")).isEqualTo("order-17");
    assertError(post("/workflow/execute", "{\"name\":\"forever\",\"version\":1,\"workflow_id\":\"order-17\"}"), 409,
        "WORKFLOW_ID_CONFLICT", "order-17");
  }

  // ----- health and discovery -----------------------------------------------------------------------------------

  @Test
  void healthAnswersTheQuickstartShape() throws Exception {
    HttpResponse<Buffer> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject h = r.bodyAsJsonObject();
    assertThat(h.getString("status")).isEqualTo("ok");
    assertThat(h.getValue("node_id")).isEqualTo(1);
    assertThat(h.getBoolean("is_leader")).isTrue();
  }

  @Test
  void aNodeThatHasNotJoinedYetIsNotHealthy() throws Exception {
    FakeManagementEndpoint joining = new FakeManagementEndpoint(3, 1).node(1, "127.0.0.1:7001");
    HttpServer other = await(vertx.createHttpServer()
        .requestHandler(new WorkflowHttpApi(cluster.client, joining, new HttpApiOptions()).router(vertx))
        .listen(0, "127.0.0.1"));
    try {
      HttpResponse<Buffer> r = await(web.get(other.actualPort(), "127.0.0.1", "/health").send());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("starting");
      assertThat(r.bodyAsJsonObject().getLong("node_id")).isEqualTo(3);
      joining.node(3, "127.0.0.1:7003");
      assertThat(await(web.get(other.actualPort(), "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
    } finally {
      await(other.close());
    }
  }

  @Test
  void discoveryPeersAnswersTheQuickstartShape() throws Exception {
    JsonObject d = get("/discovery/peers").bodyAsJsonObject();
    assertThat(d.getLong("node_id")).isEqualTo(1);
    assertThat(d.getLong("highest_known_node_id")).isEqualTo(2);
    assertThat(d.getString("address")).isEqualTo("127.0.0.1:7001");
    assertThat(d.getLong("management_leader_node_id")).isEqualTo(1);
    assertThat(d.getString("management_leader_address")).isEqualTo("127.0.0.1:7001");
    assertThat(d.getBoolean("should_join_as_voter")).isTrue();
    assertThat(d.getInteger("current_voter_count")).isEqualTo(2);
    assertThat(d.getInteger("max_voters")).isEqualTo(5);
    assertThat(d.getJsonArray("peers")).hasSize(2);
    assertThat(d.getJsonArray("peers").getJsonObject(1).getString("address")).isEqualTo("127.0.0.1:7002");
  }

  @Test
  void registerAndHeartbeatValidateTheirInput() throws Exception {
    assertError(post("/discovery/register", "{}"), 400, "INVALID_ARGUMENT", "'address'");
    assertError(post("/discovery/register", "{\"address\": 7}"), 400, "INVALID_ARGUMENT", "must be a string");
    assertError(post("/discovery/heartbeat", "{\"node_id\": \"two\"}"), 400, "INVALID_ARGUMENT",
        "'node_id' must be a whole number");
    assertError(post("/discovery/heartbeat", "{\"node_id\": 0}"), 400, "INVALID_ARGUMENT", "between 1");
    HttpResponse<Buffer> r = post("/discovery/register", "{\"address\":\"127.0.0.1:7009\",\"request_id\":\"r-1\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getLong("node_id")).isEqualTo(42);
    assertThat(management.registrations).contains("127.0.0.1:7009/r-1");
  }

  @Test
  void withoutAManagementEndpointDiscoveryIs503AndHealthStillAnswers() throws Exception {
    Router router = new WorkflowHttpApi(cluster.client, null, new HttpApiOptions()).router(vertx);
    HttpServer other = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      int p = other.actualPort();
      HttpResponse<Buffer> peers = await(web.get(p, "127.0.0.1", "/discovery/peers").send());
      assertError(peers, 503, "UNAVAILABLE", "no management endpoint");
      HttpResponse<Buffer> reg = await(web.post(p, "127.0.0.1", "/discovery/register")
          .sendJsonObject(new JsonObject().put("address", "h:1")));
      assertError(reg, 503, "UNAVAILABLE", "no management endpoint");
      JsonObject health = await(web.get(p, "127.0.0.1", "/health").send()).bodyAsJsonObject();
      assertThat(health.getString("status")).isEqualTo("ok");
      assertThat(health.getBoolean("is_leader")).isFalse();
    } finally {
      await(other.close());
    }
  }

  @Test
  void aNodeThatDoesNotLeadRefusesHeartbeatsNamingTheLeaderAndTheClientFollowsIt() throws Exception {
    // node 1 (this class's server) leads; node 2 does not and knows node 1 at our port
    FakeManagementEndpoint follower = new FakeManagementEndpoint(2, 1)
        .node(1, "127.0.0.1:" + port).node(2, "127.0.0.1:7002");
    HttpServer other = await(vertx.createHttpServer()
        .requestHandler(new WorkflowHttpApi(cluster.client, follower, new HttpApiOptions()).router(vertx))
        .listen(0, "127.0.0.1"));
    HttpManagementClient client = new HttpManagementClient(vertx,
        seedOptions(List.of("127.0.0.1:" + other.actualPort())));
    try {
      HttpResponse<Buffer> refused = await(web.post(other.actualPort(), "127.0.0.1", "/discovery/heartbeat")
          .sendJsonObject(new JsonObject().put("node_id", 3)));
      assertError(refused, 503, "NOT_LEADER", "node 2 is not the management leader; leader is node 1 at 127.0.0.1:"
          + port);
      assertThat(refused.bodyAsJsonObject().getLong("leader_node_id")).isEqualTo(1);
      assertThat(refused.bodyAsJsonObject().getString("leader_address")).isEqualTo("127.0.0.1:" + port);

      await(client.heartbeat(3));
      assertThat(management.heartbeats).contains(3L);
      assertThat(follower.heartbeats).isEmpty();
      // a registration is served by any member; the client goes to the leader it learnt of first
      assertThat(await(client.register("127.0.0.1:7010", "r-10"))).isEqualTo(42);
      assertThat(management.registrations).contains("127.0.0.1:7010/r-10");
      HttpManagementClient fresh = new HttpManagementClient(vertx,
          seedOptions(List.of("127.0.0.1:" + other.actualPort())));
      try {
        assertThat(await(fresh.register("127.0.0.1:7013", "r-13"))).isEqualTo(42);
        assertThat(follower.registrations).contains("127.0.0.1:7013/r-13");
      } finally {
        fresh.close();
      }
    } finally {
      client.close();
      await(other.close());
    }
  }

  @Test
  void unknownMethodsOnKnownPathsGetJson() throws Exception {
    HttpResponse<Buffer> r = await(web.request(HttpMethod.DELETE, port, "127.0.0.1", "/workflow/execute").send());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getBoolean("success")).isFalse();
  }
  @Test
  void optionsRoundTripThroughJson() {
    ApiOptionsContract.roundTripsThroughJson(new HttpApiOptions().setBodyLimitBytes(10)
        .setDefaultWaitTimeoutSeconds(2.5).setMaxWaitTimeoutSeconds(60).setDefaultListLimit(7).setMaxListLimit(70),
        HttpApiOptions::new, HttpApiOptions::new, o -> o.setBodyLimitBytes(0));
  }

}
