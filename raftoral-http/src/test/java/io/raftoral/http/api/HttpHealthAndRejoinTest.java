package io.raftoral.http.api;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.testkit.FakeManagementEndpoint;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node restarted after it was taken out of the cluster sees over HTTP (issue #12 item 1): {@code /health}
 * not ready with a reason while it is out of contact with the management leader; a rejoin's node id is checked.
 * (The management client's rejoin through the directory it learned is in the network client contract.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpHealthAndRejoinTest {

  /** No workflow route is called here. */
  private static final JsonWorkflowClient NO_WORKFLOWS = (JsonWorkflowClient) Proxy.newProxyInstance(
      HttpHealthAndRejoinTest.class.getClassLoader(), new Class<?>[] {JsonWorkflowClient.class}, (p, m, a) -> {
        throw new UnsupportedOperationException(m.getName());
      });
  private Vertx vertx;
  private WebClient web;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    await(vertx.close());
  }

  private HttpServer serve(FakeManagementEndpoint endpoint) throws Exception {
    return await(vertx.createHttpServer()
        .requestHandler(new WorkflowHttpApi(NO_WORKFLOWS, endpoint, new HttpApiOptions()).router(vertx))
        .listen(0, "127.0.0.1"));
  }

  @Test
  void aNodeOutOfContactWithTheManagementLeaderIsNotReadyAndSaysWhy() throws Exception {
    FakeManagementEndpoint isolated = new FakeManagementEndpoint(5, 0).node(5, "127.0.0.1:7005")
        .notReady("node 5 has heard nothing from the management leader for 12000 ms; its directory may be stale "
            + "(it cannot reach the management leader)");
    HttpServer server = serve(isolated);
    HttpResponse<Buffer> r = await(web.get(server.actualPort(), "127.0.0.1", "/health").send());
    assertThat(r.statusCode()).isEqualTo(503);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("unavailable");
    assertThat(body.getLong("node_id")).isEqualTo(5);
    assertThat(body.getValue("management_leader_node_id")).isNull();
    assertThat(body.getString("reason")).contains("cannot reach the management leader");

    isolated.notReady(null);
    HttpResponse<Buffer> ready = await(web.get(server.actualPort(), "127.0.0.1", "/health").send());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().containsKey("reason")).as("a ready node's answer is unchanged").isFalse();
  }

  @Test
  void aRegistrationWithAnInvalidNodeIdIsRefused() throws Exception {
    HttpServer server = serve(new FakeManagementEndpoint(1, 1).node(1, "127.0.0.1:7001"));
    HttpResponse<Buffer> r = await(web.post(server.actualPort(), "127.0.0.1", "/discovery/register")
        .sendJsonObject(new JsonObject().put("address", "127.0.0.1:7005").put("node_id", 0)));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).contains("'node_id' must be between 1");
  }
}
