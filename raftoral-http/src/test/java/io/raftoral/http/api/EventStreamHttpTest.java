package io.raftoral.http.api;

import static io.raftoral.http.api.HttpNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /events} as Server-Sent Events over a real socket, on a 3-node cluster: filters by kind, cluster and
 * workflow type; a bad filter is a 400; a client that stops reading holds up nobody.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStreamHttpTest {

  private static final long WAIT_MILLIS = 60_000;
  private static final long POLL_MILLIS = 20;

  private Vertx vertx;
  private HttpNodes nodes;
  private HttpClient http;
  private WebClient web;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    nodes = new HttpNodes(vertx, null).start();
    http = vertx.createHttpClient();
    web = WebClient.create(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    web.close();
    await(http.close());
    nodes.close();
    await(vertx.close());
  }

  /** The events of an SSE stream, as they arrive. */
  private List<JsonObject> follow(int port, String query) throws Exception {
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    RecordParser lines = RecordParser.newDelimited("\n", line -> {
      String text = line.toString(StandardCharsets.UTF_8);
      if (text.startsWith("data: ")) {
        seen.add(new JsonObject(text.substring("data: ".length())));
      }
    });
    // the handler is set as the response arrives, on its event loop, so that no early data is missed
    HttpClientResponse response = await(http.request(HttpMethod.GET, port, "127.0.0.1", "/events?" + query)
        .compose(req -> req.send()).map(r -> r.handler(lines)));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/event-stream");
    return seen;
  }

  private String start(int port, String type, Object input) throws Exception {
    HttpResponse<Buffer> r = await(web.post(port, "127.0.0.1", "/workflow/execute")
        .sendJsonObject(new JsonObject().put("name", type).put("version", 1).put("input", input)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getString("workflow_id");
  }

  private static void waitFor(List<JsonObject> seen, Predicate<List<JsonObject>> condition, String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.test(seen)) {
      assertThat(System.currentTimeMillis()).as("timed out waiting for %s; saw %s", what, seen).isLessThan(deadline);
      LockSupport.parkNanos(POLL_MILLIS * 1_000_000);
    }
  }

  private static int indexOf(List<JsonObject> seen, String kind, String workflowId) {
    for (int i = 0; i < seen.size(); i++) {
      JsonObject e = seen.get(i);
      if (e.getString("kind").equals(kind) && (workflowId == null
          || workflowId.equals(e.getJsonObject("fields").getString("workflow_id")))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aFilteredStreamShowsTheLeaderThenAWorkflowStartingAndCompleting() throws Exception {
    int port = nodes.port("node-b");
    List<JsonObject> seen = follow(port,
        "kind=leader_elected,workflow_started&kind=workflow_completed&cluster=1&workflow_type=ping_pong&history=100");
    String other = start(port, "forever", "\"x\"");
    String id = start(nodes.port("node-c"), "ping_pong", "\"ping\"");
    waitFor(seen, s -> indexOf(s, "workflow_completed", id) >= 0, "ping_pong " + id + " completed");

    int leader = indexOf(seen, "leader_elected", null);
    int started = indexOf(seen, "workflow_started", id);
    int completed = indexOf(seen, "workflow_completed", id);
    assertThat(leader).as("leader elected in %s; all: %s", seen, nodes.node("node-b").events().recent()).isGreaterThanOrEqualTo(0);
    assertThat(started).isGreaterThan(leader);
    assertThat(completed).isGreaterThan(started);
    JsonObject done = seen.get(completed);
    assertThat(done.getLong("cluster_id")).isEqualTo(1L);
    assertThat(done.getLong("node_id")).isEqualTo(nodes.node("node-b").nodeId());
    assertThat(done.getString("time")).endsWith("Z");
    assertThat(done.getJsonObject("fields").getString("workflow_type")).isEqualTo("ping_pong");
    assertThat(seen).allSatisfy(e -> {
      assertThat(e.getString("kind")).isIn("leader_elected", "workflow_started", "workflow_completed");
      assertThat(e.getLong("cluster_id")).isEqualTo(1L);
      assertThat(e.encode()).doesNotContain(other);
    });
  }

  @Test
  void nodeEventsOfClusterZeroAreReplayedToALateSubscriber() throws Exception {
    List<JsonObject> seen = follow(nodes.port("node-a"), "cluster=0&kind=node_joined&history=100");
    waitFor(seen, s -> s.stream().map(e -> e.getJsonObject("fields").getLong("node")).distinct().count() == 3,
        "3 nodes joined");
    assertThat(seen).allSatisfy(e -> assertThat(e.getLong("cluster_id")).isZero());
  }

  @Test
  void aClientThatGoesAwayIsUnsubscribed() throws Exception {
    int port = nodes.port("node-c");
    int before = nodes.node("node-c").events().subscriberCount();
    try (Socket client = new Socket("127.0.0.1", port)) {
      OutputStream out = client.getOutputStream();
      out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      waitUntil(() -> nodes.node("node-c").events().subscriberCount() == before + 1, "the stream subscribed");
    }
    waitUntil(() -> nodes.node("node-c").events().subscriberCount() == before, "the closed stream unsubscribed");
  }

  private static void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("timed out waiting for %s", what).isLessThan(deadline);
      LockSupport.parkNanos(POLL_MILLIS * 1_000_000);
    }
  }

  @Test
  void aBadFilterIsA400() throws Exception {
    for (String query : List.of("kind=leader_elected,nope", "cluster=one", "cluster=-1", "history=x")) {
      HttpResponse<Buffer> r = await(web.get(nodes.port("node-a"), "127.0.0.1", "/events?" + query).send());
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error_code")).isEqualTo("INVALID_ARGUMENT");
    }
  }

  @Test
  void aClientThatStopsReadingHoldsUpNobody() throws Exception {
    int port = nodes.port("node-a");
    // a subscriber that never reads a byte of its stream
    try (Socket stalled = new Socket("127.0.0.1", port)) {
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /events?history=500 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      List<JsonObject> seen = follow(port, "kind=workflow_completed");
      String last = null;
      for (int i = 0; i < 20; i++) {
        last = start(port, "ping_pong", "\"ping\"");
      }
      String id = last;
      waitFor(seen, s -> indexOf(s, "workflow_completed", id) >= 0, "the last of 20 workflows completed");
      assertThat(nodes.node("node-a").events().subscriberCount()).isGreaterThanOrEqualTo(2);
    }
  }
}
