package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.grpc.api.GrpcWorkflowClient;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end with real processes of {@code raftoral-node.jar} on loopback, for each transport: a 3-node cluster
 * forms, ping_pong runs through every node with the quickstart's HTTP calls, bad input is refused and the nodes keep
 * serving, a node killed with SIGKILL does not stop the others, and restarted on its storage it comes back with its
 * id and serves again.
 */
class ClusterProcessesIT {

  @TempDir
  Path dir;

  private static String execute(NodeProcesses n, String address, String input) throws Exception {
    // the quickstart's call, verbatim
    HttpResponse<String> r = n.post(address, "/workflow/execute", "application/json", ("{\n"
        + "    \"name\": \"ping_pong\",\n"
        + "    \"version\": 1,\n"
        + "    \"input\": " + input + "\n"
        + "  }").getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as("execute on %s: %s", address, r.body()).isEqualTo(200);
    return r.body();
  }

  /**
   * Runs ping_pong through {@code address}; right after a node died the cluster may answer 503 (no leader yet,
   * documented as "retry"): retried for up to 20 s, as a client would.
   */
  private static JsonObject pingPongRetrying(NodeProcesses n, String address) throws Exception {
    HttpResponse<String> r = n.startPingPongRetrying(address, 20);
    assertThat(r.statusCode()).as("execute on %s: %s", address, r.body()).isEqualTo(200);
    return waitFor(n, address, new JsonObject(r.body()));
  }

  private static JsonObject waitFor(NodeProcesses n, String address, JsonObject started) throws Exception {
    String id = started.getString("workflow_id");
    String cluster = started.getString("execution_cluster_id");
    HttpResponse<String> waited = n.get(address, "/workflow/wait?workflow_id=" + id + "&execution_cluster_id="
        + cluster + "&timeout_seconds=30");
    assertThat(waited.statusCode()).as("wait on %s: %s", address, waited.body()).isEqualTo(200);
    return new JsonObject(waited.body());
  }

  private static JsonObject pingPong(NodeProcesses n, String address) throws Exception {
    JsonObject started = new JsonObject(execute(n, address, "\"\\\"ping\\\"\""));
    assertThat(started.getBoolean("success")).isTrue();
    String id = started.getString("workflow_id");
    String cluster = started.getString("execution_cluster_id");
    HttpResponse<String> waited = n.get(address, "/workflow/wait?workflow_id=" + id + "&execution_cluster_id="
        + cluster + "&timeout_seconds=30");
    assertThat(waited.statusCode()).as("wait on %s: %s", address, waited.body()).isEqualTo(200);
    return new JsonObject(waited.body());
  }

  private static boolean threeVoters(NodeProcesses n, String address) {
    try {
      JsonObject d = new JsonObject(n.get(address, "/discovery/peers").body());
      return d.getJsonArray("execution_clusters").stream()
          .anyMatch(c -> ((JsonObject) c).getJsonArray("voters").size() == 3);
    } catch (Exception e) {
      return false;
    }
  }

  private static long nodeId(NodeProcesses n, String address) throws Exception {
    return new JsonObject(n.get(address, "/health").body()).getLong("node_id");
  }

  /**
   * Nodes started together by an orchestrator come up in any order: a new node whose peer does not listen yet keeps
   * asking it for the node directory (without it, it joined but could never answer cluster 0's leader, so it learned
   * no execution cluster: TlsClusterIT hit that when its second node won the race).
   */
  @Test
  @Timeout(120)
  void aNewNodeStartedBeforeItsPeerServesOnceThePeerIsUp() throws Exception {
    try (NodeProcesses n = new NodeProcesses(dir, "http")) {
      String a = "127.0.0.1:" + NodeProcesses.freePort();
      String b = "127.0.0.1:" + NodeProcesses.freePort();
      n.start(b, "--peers", a);
      n.await(() -> logContains(n, b, "discovery through " + a + " failed"), 30, "the new node to find no peer");
      n.start(a, "--bootstrap");
      n.await(() -> n.healthy(a) && n.healthy(b), 60, "both nodes");
      JsonObject done = pingPongRetrying(n, b);
      assertThat(done.getBoolean("success")).as(done.encode()).isTrue();
      assertThat(done.getString("result")).isEqualTo("\"pong\"");
    }
  }

  /** Two nodes on one storage would share a Raft identity: the second process is refused, the first serves on. */
  @Test
  @Timeout(120)
  void aSecondProcessOnARunningNodesStorageIsRefused() throws Exception {
    try (NodeProcesses n = new NodeProcesses(dir, "http")) {
      String a = "127.0.0.1:" + NodeProcesses.freePort();
      String b = "127.0.0.1:" + NodeProcesses.freePort();
      String storage = dir.resolve("shared").toString();
      n.start(a, "--bootstrap", "--storage-path", storage);
      n.await(() -> n.healthy(a), 60, "the first node");
      Process second = n.start(b, "--peers", a, "--storage-path", storage);
      assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the second process ends").isTrue();
      assertThat(second.exitValue()).as(n.log(b)).isNotZero();
      assertThat(n.log(b)).contains("in use by another process");
      JsonObject done = pingPongRetrying(n, a);
      assertThat(done.getBoolean("success")).as(done.encode()).isTrue();
    }
  }

  private static boolean logContains(NodeProcesses n, String address, String text) {
    try {
      return n.log(address).contains(text);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"grpc", "http"})
  @Timeout(240)
  void aThreeNodeClusterFormsServesSurvivesAKillAndResumes(String transport) throws Exception {
    try (NodeProcesses n = new NodeProcesses(dir, transport)) {
      try {
        run(n);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nnode logs:" + n.logs(), e);
      }
    }
  }

  private void run(NodeProcesses n) throws Exception {
    String transport = n.transport;
    {
      String a = "127.0.0.1:" + NodeProcesses.freePort();
      String b = "127.0.0.1:" + NodeProcesses.freePort();
      String c = "127.0.0.1:" + NodeProcesses.freePort();
      n.start(a, "--bootstrap", "--storage-path", dir.resolve("a").toString());
      n.await(() -> n.healthy(a), 60, "the bootstrap node");
      n.start(b, "--peers", a, "--storage-path", dir.resolve("b").toString());
      n.start(c, "--peers", a + "," + b, "--storage-path", dir.resolve("c").toString());
      n.await(() -> n.healthy(b) && n.healthy(c), 60, "the joining nodes");
      assertThat(List.of(nodeId(n, a), nodeId(n, b), nodeId(n, c))).doesNotHaveDuplicates();

      for (String node : List.of(a, b, c)) {
        JsonObject done = pingPong(n, node);
        assertThat(done.getBoolean("success")).isTrue();
        assertThat(done.getString("result")).isEqualTo("\"pong\"");
      }
      // the event stream as `client events` follows it (one JSON line per event), and the console's page
      List<String> events = n.cli(60, "client", "--address", a, "events", "--kind", "workflow_completed",
          "--workflow-type", "ping_pong", "--history", "100", "--count", "3");
      assertThat(events).hasSize(3).allSatisfy(line -> assertThat(new JsonObject(line).getString("kind"))
          .isEqualTo("workflow_completed"));
      assertThat(n.get(a, "/console/").body()).contains("Raftoral console");
      // the same through the gRPC API (served on the same port whatever the Raft transport), as the CLI client does
      Vertx vertx = Vertx.vertx();
      try (GrpcWorkflowClient grpc = new GrpcWorkflowClient(vertx,
          new NetworkClientOptions().setAddresses(List.of(c, a)))) {
        WorkflowStatus done = grpc.start("ping_pong", 1, "\"ping\"", null)
            .flatMap(s -> grpc.await(s.workflowId(), s.executionClusterId(), Duration.ofSeconds(30)))
            .await().atMost(Duration.ofSeconds(60));
        assertThat(done.resultJson()).isEqualTo("\"pong\"");
      } finally {
        vertx.close();
      }

      JsonObject failed = new JsonObject(n.get(a, "/workflow/wait?workflow_id=" + new JsonObject(
          execute(n, a, "\"\\\"pang\\\"\"")).getString("workflow_id") + "&timeout_seconds=30").body());
      assertThat(failed.getBoolean("success")).isFalse();
      assertThat(failed.getString("error")).contains("ping_pong expects the input");

      // bad input: clear errors, the node keeps serving
      assertThat(n.post(b, "/workflow/execute", "application/json", "{not json".getBytes()).statusCode())
          .isEqualTo(400);
      assertThat(n.post(b, "/workflow/execute", "application/json",
          "{\"name\":\"ping_pong\",\"version\":\"one\",\"input\":\"1\"}".getBytes()).statusCode()).isEqualTo(400);
      assertThat(n.post(b, "/workflow/execute", "application/json",
          "{\"name\":\"nope\",\"version\":1,\"input\":\"1\"}".getBytes()).statusCode()).isEqualTo(400);
      assertThat(n.get(b, "/workflow/wait?workflow_id=not-a-uuid&timeout_seconds=1").statusCode()).isIn(400, 404);
      assertThat(n.post(b, "/workflow/execute", "application/json", new byte[3 * 1024 * 1024]).statusCode())
          .isEqualTo(413);
      if (transport.equals("http")) {
        assertThat(n.post(b, "/raft/v1/batch", "application/x-protobuf", new byte[] {1, 2, 3, 4, 5})
            .statusCode()).isEqualTo(400);
      }
      assertThat(pingPong(n, b).getString("result")).isEqualTo("\"pong\"");

      // kill -9 one node (once the execution cluster has all three as voters: a 2-voter configuration cannot lose
      // one): the others keep running workflows
      n.await(() -> threeVoters(n, a), 60, "an execution cluster of three voters");
      long cId = nodeId(n, c);
      n.kill9(c);
      for (String node : List.of(a, b)) {
        assertThat(pingPongRetrying(n, node).getString("result")).isEqualTo("\"pong\"");
      }
      // restarted on its storage: same id, serves again
      n.restart(c);
      n.await(() -> n.healthy(c), 60, "the restarted node");
      assertThat(nodeId(n, c)).isEqualTo(cId);
      assertThat(pingPongRetrying(n, c).getString("result")).isEqualTo("\"pong\"");
    }
  }
}
