package io.raftoral.grpc.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.grpc.api.proto.RunWorkflowAsyncResponse;
import io.raftoral.grpc.api.proto.RunWorkflowRequest;
import io.raftoral.grpc.api.proto.WatchEventsRequest;
import io.raftoral.grpc.api.proto.WatchEventsResponse;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcClient;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.testkit.PingPongCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code raftoral.WorkflowManagement/WatchEvents} on a 3-node cluster: filters, and a bad filter's status. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchEventsGrpcTest {

  private static final long WAIT_MILLIS = 60_000;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private Vertx vertx;
  private LocalRaftoralCluster cluster;
  private final Map<String, HttpServer> servers = new HashMap<>();
  private GrpcClient grpc;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    cluster = new LocalRaftoralCluster(vertx, PingPongCluster::registry);
    await(cluster.bootstrap().compose(n -> cluster.join()).compose(n -> cluster.join()));
    await(cluster.await(() -> cluster.nodes().size() == 3 && cluster.nodes().values().stream()
        .allMatch(n -> n.localRuntimes().values().stream().anyMatch(rt -> rt.group().leaderId() != 0)
            && n.view().clusters().values().stream().allMatch(c -> c.reportedVoters().size() == 3)),
        WAIT_MILLIS, "3 nodes in one execution cluster with a leader"));
    for (Map.Entry<String, RaftoralNode> e : cluster.nodes().entrySet()) {
      GrpcServer server = GrpcServer.server(vertx);
      RaftoralNode node = e.getValue();
      new WorkflowGrpcApi(vertx, node.jsonWorkflows(), node.management(), new GrpcApiOptions())
          .events(node.events()).addTo(server);
      servers.put(e.getKey(), await(vertx.createHttpServer().requestHandler(server).listen(0, "127.0.0.1")));
    }
    grpc = GrpcClient.client(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    await(grpc.close());
    for (HttpServer s : servers.values()) {
      await(s.close());
    }
    await(cluster.close());
    await(vertx.close());
  }

  private SocketAddress address(String node) {
    return SocketAddress.inetSocketAddress(servers.get(node).actualPort(), "127.0.0.1");
  }

  /** Opens the stream; its events as they arrive. The handler is set as the response arrives (no early loss). */
  private Future<GrpcClientResponse<WatchEventsRequest, WatchEventsResponse>> watch(String node, WatchEventsRequest r,
      List<WatchEventsResponse> seen) {
    return grpc.request(address(node), WorkflowManagementGrpcClient.WatchEvents)
        .compose(req -> req.send(r)).map(resp -> {
          resp.handler(seen::add);
          return resp;
        });
  }

  private String start(String node, String type, String input) throws Exception {
    RunWorkflowAsyncResponse r = await(WorkflowManagementGrpcClient.create(grpc, address(node))
        .runWorkflowAsync(RunWorkflowRequest.newBuilder().setWorkflowType(type).setVersion(1)
            .setInputJson(input).build()));
    return r.getWorkflowId();
  }

  private static int indexOf(List<WatchEventsResponse> seen, String kind, String workflowId) {
    for (int i = 0; i < seen.size(); i++) {
      WatchEventsResponse e = seen.get(i);
      if (e.getKind().equals(kind) && (workflowId == null || e.getFieldsJson().contains(workflowId))) {
        return i;
      }
    }
    return -1;
  }

  private static void waitFor(List<WatchEventsResponse> seen, Predicate<List<WatchEventsResponse>> condition, String what) {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.test(seen)) {
      assertThat(System.currentTimeMillis()).as("timed out waiting for %s; saw %s", what, seen).isLessThan(deadline);
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  @Test
  void aFilteredStreamShowsTheLeaderThenAWorkflowStartingAndCompleting() throws Exception {
    List<WatchEventsResponse> seen = new CopyOnWriteArrayList<>();
    await(watch("node-c", WatchEventsRequest.newBuilder()
        .addKinds("leader_elected").addKinds("workflow_started,workflow_completed").addClusterIds(1)
        .addWorkflowTypes("ping_pong").setHistory(100).build(), seen));
    String other = start("node-a", "forever", "\"x\"");
    String id = start("node-b", "ping_pong", "\"ping\"");
    waitFor(seen, s -> indexOf(s, "workflow_completed", id) >= 0, "ping_pong " + id + " completed");

    int leader = indexOf(seen, "leader_elected", null);
    assertThat(leader).as("leader elected in %s", seen).isGreaterThanOrEqualTo(0);
    assertThat(indexOf(seen, "workflow_started", id)).isGreaterThan(leader);
    assertThat(indexOf(seen, "workflow_completed", id)).isGreaterThan(indexOf(seen, "workflow_started", id));
    assertThat(seen).allSatisfy(e -> {
      assertThat(e.getClusterId()).isEqualTo(1L);
      assertThat(e.getNodeId()).isEqualTo(cluster.node("node-c").nodeId());
      assertThat(e.getFieldsJson()).doesNotContain(other);
    });
  }

  @Test
  void aCancelledCallIsUnsubscribed() throws Exception {
    RaftoralNode node = cluster.node("node-b");
    int before = node.events().subscriberCount();
    GrpcClientRequest<WatchEventsRequest, WatchEventsResponse> call =
        await(grpc.request(address("node-b"), WorkflowManagementGrpcClient.WatchEvents));
    await(call.send(WatchEventsRequest.getDefaultInstance()));
    waitUntil(() -> node.events().subscriberCount() == before + 1, "the call subscribed");
    call.cancel();
    waitUntil(() -> node.events().subscriberCount() == before, "the cancelled call unsubscribed");
  }

  private static void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("timed out waiting for %s", what).isLessThan(deadline);
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  @Test
  void aBadFilterIsInvalidArgument() throws Exception {
    for (WatchEventsRequest bad : List.of(WatchEventsRequest.newBuilder().addKinds("nope").build(),
        WatchEventsRequest.newBuilder().setHistory(100_000).build())) {
      List<WatchEventsResponse> seen = new CopyOnWriteArrayList<>();
      GrpcClientResponse<WatchEventsRequest, WatchEventsResponse> response = await(watch("node-a", bad, seen));
      await(response.end().otherwiseEmpty());
      assertThat(response.status()).as(bad.toString()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
      // a call refused before any message is a trailers-only answer: the code travels with the headers
      String code = response.trailers().get(GrpcErrors.ERROR_CODE_TRAILER);
      assertThat(code != null ? code : response.headers().get(GrpcErrors.ERROR_CODE_TRAILER))
          .isEqualTo("INVALID_ARGUMENT");
      assertThat(seen).isEmpty();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
