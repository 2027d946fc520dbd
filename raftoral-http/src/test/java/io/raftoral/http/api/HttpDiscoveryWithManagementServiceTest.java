package io.raftoral.http.api;

import io.raftoral.testkit.PingPongCluster;
import static io.raftoral.client.SeedManagementClient.seedOptions;
import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftPreset;
import io.raftoral.management.InJvmManagementNetwork;
import io.raftoral.management.ManagementOptions;
import io.raftoral.management.ManagementService;
import io.raftoral.testkit.LocalRaftCluster;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowRuntime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Discovery endpoints over a real {@link ManagementService} (a one-node cluster 0 in one JVM): registration through
 * Raft with idempotent retries, the directory in {@code /discovery/peers}, heartbeats at the leader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpDiscoveryWithManagementServiceTest {

  @Test
  void registrationHeartbeatsAndPeersGoThroughTheManagementService() throws Exception {
    Vertx vertx = Vertx.vertx();
    LocalRaftCluster local = new LocalRaftCluster(vertx);
    WebClient web = WebClient.create(vertx);
    try {
      await(local.startNodes(1));
      // the workflow side is not under test here: an execution runtime on the same host serves it
      WorkflowRuntime runtime = await(WorkflowRuntime.builder(local.node(1).host, 100)
          .registry(PingPongCluster.registry()).groupOptions(RaftPreset.TESTING.groupOptions()).members(1).start());
      Router router = Router.router(vertx);
      HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      String address = "127.0.0.1:" + server.actualPort();

      ManagementService service = new ManagementService(local.node(1).host, address, true,
          new InJvmManagementNetwork().client(),
          (host, clusterId, founders) -> {
            var b = host.group(clusterId, new KeyValueStore(), KeyValueStore.CODEC)
                .options(RaftPreset.TESTING.groupOptions());
            if (!founders.isEmpty()) {
              b.members(founders.stream().mapToLong(Long::longValue).toArray());
            }
            return b.start().map(g -> (RaftGroup<?, ?>) g);
          },
          new ManagementOptions().setHeartbeatIntervalMillis(50).setReconcileIntervalMillis(20),
          RaftPreset.TESTING.groupOptions());
      Promise<String> deployed = Promise.promise();
      // from a context of its own, not the test's
      ((VertxInternal) vertx).createEventLoopContext().runOnContext(v -> vertx.deployVerticle(service)
          .onComplete(deployed));
      await(deployed.future());
      await(local.await(() -> service.isManagementLeader() && service.view().nodes().containsKey(1L), 20_000,
          "node 1 leads cluster 0 and is registered"));
      new WorkflowHttpApi(JsonWorkflowClient.of(runtime), service, new HttpApiOptions()).mount(router);

      HttpManagementClient client = new HttpManagementClient(vertx, seedOptions(List.of("127.0.0.1:1", address)));
      long id = await(client.register("10.0.0.2:7001", "join-2"));
      assertThat(id).isGreaterThan(1);
      // a retry with the same request id gets the same id
      assertThat(await(client.register("10.0.0.2:7001", "join-2"))).isEqualTo(id);
      await(client.heartbeat(id));

      JsonObject peers = await(web.get(server.actualPort(), "127.0.0.1", "/discovery/peers").send())
          .bodyAsJsonObject();
      assertThat(peers.getLong("node_id")).isEqualTo(1);
      assertThat(peers.getString("address")).isEqualTo(address);
      assertThat(peers.getLong("management_leader_node_id")).isEqualTo(1);
      assertThat(peers.getString("management_leader_address")).isEqualTo(address);
      assertThat(peers.getLong("highest_known_node_id")).isEqualTo(id);
      assertThat(peers.getInteger("current_voter_count")).isEqualTo(1);
      assertThat(peers.getInteger("max_voters")).isEqualTo(ManagementOptions.DEFAULT_MAX_VOTERS);
      assertThat(peers.getBoolean("should_join_as_voter")).isTrue();
      assertThat(peers.getJsonArray("peers").stream().map(o -> ((JsonObject) o).getString("address")))
          .contains(address, "10.0.0.2:7001");

      JsonObject health = await(web.get(server.actualPort(), "127.0.0.1", "/health").send()).bodyAsJsonObject();
      assertThat(health).isEqualTo(new JsonObject().put("status", "ok").put("node_id", 1).put("is_leader", true)
          .put("management_leader_node_id", 1));
      client.close();
    } finally {
      web.close();
      await(local.close().recover(e -> Future.succeededFuture()));
      await(vertx.close());
    }
  }
}
