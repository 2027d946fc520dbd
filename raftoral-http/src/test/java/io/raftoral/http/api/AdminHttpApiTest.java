package io.raftoral.http.api;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.admin.NodeAdmin;
import io.raftoral.group.RaftPreset;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.AdminTestCluster;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.testkit.PingPongCluster;
import io.raftoral.workflow.StartOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /admin} REST API of three whole nodes, each served on its own HTTP server (loopback, ephemeral port;
 * the nodes talk Raft in-JVM): topology, leadership transfer, snapshot, removal of a killed node, drain, and the
 * refusals (admin off, bad input, unknown node or group).
 */
class AdminHttpApiTest {

  private static final long WAIT_MILLIS = AdminTestCluster.WAIT_MILLIS;
  private static final long POLL_MILLIS = 100;

  private Vertx vertx;
  private AdminTestCluster cluster;
  private final Map<Long, Integer> ports = new TreeMap<>();
  private WebClient web;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    cluster = await(AdminTestCluster.start(vertx, true));
    for (Map.Entry<Long, NodeAdmin> e : cluster.admins().entrySet()) {
      ports.put(e.getKey(), serve(e.getValue()));
    }
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    await(cluster.close());
    await(vertx.close());
  }

  private int serve(NodeAdmin admin) throws Exception {
    Router router = Router.router(vertx);
    new AdminHttpApi(admin, new HttpApiOptions()).mount(router);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  // ----- topology -----------------------------------------------------------------------------------------------

  @Test
  void topologyShowsThreeNodesALeaderAndVoters() throws Exception {
    // a leader may be between terms at any moment (null while unknown): wait until node 1 knows both
    JsonObject t = pollTopology(1, x -> x.getLong("management_leader") != null
        && group(x, 0).getLong("leader") != null && group(x, 1).getLong("leader") != null,
        "node 1 knows the leaders of cluster 0 and cluster 1");
    assertThat(t.getLong("node_id")).isEqualTo(1);
    JsonArray nodes = t.getJsonArray("nodes");
    assertThat(nodes).hasSize(3);
    nodes.forEach(n -> assertThat(((JsonObject) n).getString("state")).isEqualTo("ALIVE"));
    assertThat(t.getLong("management_leader")).isNotNull();
    JsonObject zero = group(t, 0);
    assertThat(zero.getString("kind")).isEqualTo("management");
    assertThat(zero.getString("source")).isEqualTo("member");
    assertThat(zero.getLong("leader")).isNotNull();
    assertThat(zero.getJsonArray("voters")).hasSize(3);
    JsonObject one = group(t, 1);
    assertThat(one.getString("kind")).isEqualTo("execution");
    assertThat(one.getJsonArray("voters")).hasSize(3);
    assertThat(one.getLong("term")).isPositive();
    JsonObject self = member(one, 1);
    assertThat(self.getLong("commit_index")).isPositive();
    assertThat(self.getLong("applied_index")).isPositive();
    assertThat(self.getLong("last_index")).isGreaterThanOrEqualTo(self.getLong("commit_index"));
  }

  // ----- leadership ---------------------------------------------------------------------------------------------

  @Test
  void transferLeadershipMovesItAndIsRefusedByANonLeader() throws Exception {
    long leader = leaderOf(1);
    long target = leader == 3 ? 2 : 3;
    long bystander = 6 - leader - target;
    HttpResponse<Buffer> refused = post(bystander, "/admin/groups/1/transfer-leadership",
        new JsonObject().put("to", target));
    assertError(refused, 409, "FAILED_PRECONDITION");
    HttpResponse<Buffer> moved = post(leader, "/admin/groups/1/transfer-leadership",
        new JsonObject().put("to", target));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getLong("leader")).isEqualTo(target);
    pollTopology(bystander, t -> Long.valueOf(target).equals(group(t, 1).getLong("leader")),
        "node " + bystander + " sees node " + target + " lead cluster 1");
  }

  // ----- snapshot -----------------------------------------------------------------------------------------------

  @Test
  void aSnapshotRaisesTheSnapshotIndex() throws Exception {
    RaftoralNode node = cluster.cluster.nodeById(2);
    for (int i = 0; i < 3; i++) {
      await(node.jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
          .flatMap(s -> node.jsonWorkflows().await(s.workflowId(), s.executionClusterId(), Duration.ofSeconds(30))));
    }
    long before = member(group(topology(2), 1), 2).getLong("snapshot_index");
    HttpResponse<Buffer> r = post(2, "/admin/groups/1/snapshot", new JsonObject());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    long taken = r.bodyAsJsonObject().getLong("snapshot_index");
    assertThat(taken).isGreaterThan(before);
    assertThat(member(group(topology(2), 1), 2).getLong("snapshot_index")).isEqualTo(taken);
  }

  // ----- remove and drain ---------------------------------------------------------------------------------------

  @Test
  void aKilledNodeIsRemovedWhileAHealthyOneIsRefusedWithoutForce() throws Exception {
    assertError(post(1, "/admin/nodes/2/remove", new JsonObject()), 409, "FAILED_PRECONDITION");
    await(cluster.cluster.kill(cluster.address(3)));
    pollTopology(1, t -> "FAILED".equals(node(t, 3).getString("state")), "node 3 declared failed");
    HttpResponse<Buffer> r = post(1, "/admin/nodes/3/remove", new JsonObject().put("wait_seconds", 60));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getBoolean("removed")).as(r.bodyAsString()).isTrue();
    JsonObject t = topology(1);
    assertThat(t.getJsonArray("nodes")).hasSize(2);
    assertThat(group(t, 1).getJsonArray("voters")).doesNotContain(3);
    pollTopology(2, after -> !group(after, 0).getJsonArray("voters").contains(3)
        && !group(after, 1).getJsonArray("voters").contains(3), "node 3 out of every membership");
  }

  @Test
  void aDrainedNodeLeavesEveryMembershipAndComesBackWhenUndrained() throws Exception {
    HttpResponse<Buffer> r = post(1, "/admin/nodes/2/drain", new JsonObject().put("wait_seconds", 60));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject progress = r.bodyAsJsonObject();
    assertThat(progress.getBoolean("done")).as(progress.encode()).isTrue();
    assertThat(progress.getString("state")).isEqualTo("DRAINING");
    JsonObject t = topology(1);
    assertThat(group(t, 1).getJsonArray("voters")).doesNotContain(2);
    assertThat(group(t, 0).getJsonArray("voters")).doesNotContain(2);
    assertThat(node(t, 2).getBoolean("drained")).isTrue();
    assertThat(get(3, "/admin/nodes/2/drain").bodyAsJsonObject().getString("state")).isEqualTo("DRAINING");

    HttpResponse<Buffer> back = post(1, "/admin/nodes/2/undrain", new JsonObject());
    assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(200);
    pollTopology(1, after -> "ALIVE".equals(node(after, 2).getString("state"))
        && group(after, 0).getJsonArray("voters").contains(2), "node 2 alive and back in cluster 0");
  }

  // ----- refusals -----------------------------------------------------------------------------------------------

  @Test
  void badInputIs400AndUnknownNodesOrGroupsAre404() throws Exception {
    assertError(post(1, "/admin/groups/abc/snapshot", new JsonObject()), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/groups/1/transfer-leadership", new JsonObject()), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/groups/1/transfer-leadership", new JsonObject().put("to", "two")), 400,
        "INVALID_ARGUMENT");
    assertError(post(1, "/admin/nodes/0/drain", new JsonObject()), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/nodes/2/remove", new JsonObject().put("force", "yes")), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/nodes/2/drain", new JsonObject().put("wait_seconds", -1)), 400,
        "INVALID_ARGUMENT");
    assertError(postText(1, "/admin/nodes/2/drain", "{not json"), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/backup", new JsonObject()), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/backup", new JsonObject().put("path", "relative/dir")), 400, "INVALID_ARGUMENT");
    assertError(post(1, "/admin/nodes/99/drain", new JsonObject()), 404, "NOT_FOUND");
    assertError(post(1, "/admin/groups/42/snapshot", new JsonObject()), 404, "NOT_FOUND");
    assertError(post(1, "/admin/groups/1/transfer-leadership", new JsonObject().put("to", 99)), 404, "NOT_FOUND");
    assertError(get(1, "/admin/no-such-thing"), 404, "NOT_FOUND");
    // the nodes of this test keep their logs in memory: nothing to copy
    assertError(post(1, "/admin/backup", new JsonObject().put("path", "/tmp/raftoral-admin-test-backup")), 409,
        "FAILED_PRECONDITION");
    // the node still serves
    assertThat(topology(1).getJsonArray("nodes")).hasSize(3);
  }

  @Test
  void adminOperationsAreRefusedWith403WhenDisabled() throws Exception {
    LocalRaftoralCluster off = new LocalRaftoralCluster(vertx, PingPongCluster::registry,
        new NodeOptions().setPreset(RaftPreset.TESTING).setClusterName("admin-off"));
    try {
      RaftoralNode n = await(off.bootstrap());
      int port = serve(new NodeAdmin(vertx, n, off.store("node-a")));
      HttpResponse<Buffer> r = await(web.get(port, "127.0.0.1", "/admin/topology").send());
      assertError(r, 403, "PERMISSION_DENIED");
      HttpResponse<Buffer> drain = await(web.post(port, "127.0.0.1", "/admin/nodes/1/drain").send());
      assertError(drain, 403, "PERMISSION_DENIED");
    } finally {
      await(off.close());
    }
  }

  // ----- helpers ------------------------------------------------------------------------------------------------

  private JsonObject topology(long node) throws Exception {
    HttpResponse<Buffer> r = get(node, "/admin/topology");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private long leaderOf(long group) throws Exception {
    JsonObject[] seen = new JsonObject[1];
    pollTopology(1, t -> {
      seen[0] = t;
      return group(t, group).getLong("leader") != null;
    }, "a leader of group " + group);
    return group(seen[0], group).getLong("leader");
  }

  /** Polls node {@code node}'s topology until {@code condition} holds; answers the topology that met it. */
  private JsonObject pollTopology(long node, Predicate<JsonObject> condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    JsonObject last = null;
    while (System.currentTimeMillis() < deadline) {
      last = topology(node);
      if (condition.test(last)) {
        return last;
      }
      await(vertx.timer(POLL_MILLIS));
    }
    throw new AssertionError("timed out waiting for " + what + "; last topology " + last);
  }

  private static JsonObject group(JsonObject topology, long id) {
    return topology.getJsonArray("groups").stream().map(JsonObject.class::cast)
        .filter(g -> g.getLong("group_id") == id).findFirst().orElseThrow(() -> new AssertionError("no group " + id
            + " in " + topology));
  }

  private static JsonObject node(JsonObject topology, long id) {
    return topology.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> n.getLong("id") == id).findFirst().orElseThrow(() -> new AssertionError("no node " + id));
  }

  private static JsonObject member(JsonObject group, long id) {
    return group.getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> m.getLong("node_id") == id).findFirst().orElseThrow(() -> new AssertionError("no member " + id));
  }

  private HttpResponse<Buffer> get(long node, String path) throws Exception {
    return await(web.get(ports.get(node), "127.0.0.1", path).send());
  }

  private HttpResponse<Buffer> post(long node, String path, JsonObject body) throws Exception {
    return postText(node, path, body.encode());
  }

  private HttpResponse<Buffer> postText(long node, String path, String body) throws Exception {
    return await(web.post(ports.get(node), "127.0.0.1", path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getString("error_code")).isEqualTo(code);
  }
}
