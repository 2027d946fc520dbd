package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bad-input sweep on a real node process, for each transport: malformed, oversized, mistyped and seeded random
 * requests to every REST route, every gRPC method and the Raft endpoint. Each is answered with a clear client error
 * (never a 500, never gRPC INTERNAL or UNKNOWN), the node keeps running, the workflow it held before the sweep is
 * still there with its result, and a new one runs.
 */
class BadInputSweepIT {

  private static final long SEED = 20261203L;
  private static final int RANDOM_BODIES_PER_ROUTE = 20;
  /** Above every body limit of the node (the HTTP API's default is 1 MiB). */
  private static final int OVERSIZED_BYTES = 20 * 1024 * 1024;
  /** A bad gRPC request must be answered (or reset), not left hanging. */
  private static final long GRPC_ANSWER_MILLIS = 15_000;

  private static final List<String> POST_ROUTES = List.of("/workflow/execute", "/workflow/terminate",
      "/discovery/register", "/discovery/heartbeat", "/raft/v1/batch", "/raftoral/v1/peer");
  private static final List<String> GET_ROUTES = List.of("/workflow/wait", "/workflow/status", "/workflow/list",
      "/discovery/peers", "/health", "/workflow/history");
  private static final List<String> GRPC_METHODS = List.of("/raftoral.WorkflowManagement/RunWorkflowAsync",
      "/raftoral.WorkflowManagement/WaitForWorkflowCompletion", "/raftoral.WorkflowManagement/RunWorkflowSync",
      "/raftoral.WorkflowManagement/ListWorkflows", "/raftoral.WorkflowManagement/GetWorkflow",
      "/raftoral.WorkflowManagement/TerminateWorkflow", "/raftoral.WorkflowManagement/GetWorkflowHistory",
      "/raftoral.RaftService/Discover",
      "/raftoral.RaftService/Register", "/raftoral.RaftService/Heartbeat", "/raftoral.v1.RaftTransport/Send",
      "/raftoral.NoSuchService/NoSuchMethod");
  private static final List<String> QUERIES = List.of("", "?workflow_id=", "?workflow_id=%00%ff",
      "?workflow_id=no-such-workflow", "?workflow_id=x&execution_cluster_id=abc", "?workflow_id=x&timeout_seconds=-1",
      "?workflow_id=x&timeout_seconds=1e308", "?limit=0", "?limit=99999999999", "?state=NOPE",
      "?started_after=yesterday", "?workflow_id=" + "x".repeat(10_000), "?workflow_id=x&page_size=abc",
      "?workflow_id=x&page_size=0", "?workflow_id=x&page_size=-1", "?workflow_id=x&page_size=1001",
      "?workflow_id=x&page_token=%00%ff", "?workflow_id=x&page_token=" + "t".repeat(10_000));

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc"})
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyRouteAnswersBadInputWithAClearErrorAndTheNodeLosesNothing(String transport) throws Exception {
    Random random = new Random(SEED);
    try (NodeProcesses n = new NodeProcesses(dir, transport)) {
      String address = "127.0.0.1:" + NodeProcesses.freePort();
      n.start(address, "--bootstrap", "--storage-path", dir.resolve("node").toString());
      n.await(() -> n.healthy(address), 60, "the node to be healthy");
      JsonObject before = startPingPong(n, address);
      String beforeId = before.getString("workflow_id");

      List<String> problems = new ArrayList<>();
      for (String route : POST_ROUTES) {
        for (byte[] body : badBodies(random)) {
          check(problems, "POST " + route, n.post(address, route, "application/json", body));
          check(problems, "POST " + route + " (protobuf)", n.post(address, route, "application/x-protobuf", body));
        }
      }
      for (String route : GET_ROUTES) {
        for (String query : QUERIES) {
          check(problems, "GET " + route + query, n.get(address, route + query));
        }
      }
      sweepGrpc(address, random, problems);
      assertThat(problems).as("answers that are not clear client errors").isEmpty();

      assertThat(n.running.get(address).isAlive()).as("the node survived the sweep").isTrue();
      HttpResponse<String> status = n.get(address, "/workflow/wait?workflow_id=" + beforeId + "&timeout_seconds=30");
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      assertThat(new JsonObject(status.body()).getString("result")).isEqualTo("\"pong\"");
      JsonObject after = startPingPong(n, address);
      HttpResponse<String> waited = n.get(address, "/workflow/wait?workflow_id=" + after.getString("workflow_id")
          + "&timeout_seconds=30");
      assertThat(new JsonObject(waited.body()).getString("result")).as(waited.body()).isEqualTo("\"pong\"");
    }
  }

  private static JsonObject startPingPong(NodeProcesses n, String address) throws Exception {
    HttpResponse<String> r = n.startPingPongRetrying(address, 60);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** Malformed, mistyped, empty, oversized and seeded random bodies. */
  private static List<byte[]> badBodies(Random random) {
    List<byte[]> bodies = new ArrayList<>();
    for (String text : List.of("", "{", "[]", "null", "42", "\"text\"", "{\"name\": 42}", "{\"version\": \"one\"}",
        "{\"name\": \"ping_pong\", \"version\": -1, \"input\": \"\\\"ping\\\"\"}",
        "{\"name\": \"no_such_workflow\", \"version\": 1, \"input\": \"1\"}",
        "{\"name\": \"ping_pong\", \"version\": 1, \"input\": \"{not json\"}",
        "{\"workflow_id\": [], \"node_id\": \"x\", \"address\": 7, \"blocked_peers\": {}}",
        "{\"node_id\": 999999, \"address\": \"nowhere:0\", \"request_id\": \"r\"}", "\u0000\u0001\u0002")) {
      bodies.add(text.getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < RANDOM_BODIES_PER_ROUTE; i++) {
      byte[] b = new byte[1 + random.nextInt(512)];
      random.nextBytes(b);
      bodies.add(b);
    }
    bodies.add(new byte[OVERSIZED_BYTES]);
    return bodies;
  }

  private static void check(List<String> problems, String what, HttpResponse<String> r) {
    int s = r.statusCode();
    boolean clear = (s >= 400 && s < 500) || s == 503 || s == 504 || (s >= 200 && s < 300);
    if (!clear) {
      problems.add(what + " -> " + s + " " + abbreviate(r.body()));
    }
  }

  /** Each gRPC method gets garbage, a truncated frame, an empty message and an oversized one over HTTP/2. */
  private static void sweepGrpc(String address, Random random, List<String> problems) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      String host = address.substring(0, address.indexOf(':'));
      int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
      for (String method : GRPC_METHODS) {
        byte[] garbage = new byte[64];
        random.nextBytes(garbage);
        List<Buffer> bodies = List.of(frame(garbage), Buffer.buffer(new byte[] {0, 0, 0, 1}), frame(new byte[0]),
            frame(new byte[OVERSIZED_BYTES]), Buffer.buffer(garbage));
        for (Buffer body : bodies) {
          String status = await(h2.request(HttpMethod.POST, port, host, method).compose(req -> req
              .idleTimeout(GRPC_ANSWER_MILLIS).putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(body)
              .compose(resp -> resp.body().map(b -> {
                String st = resp.getHeader("grpc-status") != null ? resp.getHeader("grpc-status")
                    : resp.getTrailer("grpc-status");
                return resp.statusCode() + "/" + st + "/" + resp.getHeader("grpc-message")
                    + resp.getTrailer("grpc-message");
              }))).recover(e -> Future.succeededFuture("reset/" + e.getMessage())));
          // 13 INTERNAL and 2 UNKNOWN would mean a handler crashed on the input
          if (status.contains("/13/") || status.contains("/2/") || status.startsWith("500")
              || status.contains("timeout")) {
            problems.add("gRPC " + method + " (" + body.length() + " bytes) -> " + abbreviate(status));
          }
        }
      }
    } finally {
      await(vertx.close());
    }
  }

  private static Buffer frame(byte[] message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
