package io.raftoral.http.api;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.testkit.HistoryClientContract;
import io.raftoral.testkit.HistoryStepsWorkflow;
import io.raftoral.testkit.RoutingNodes;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /workflow/history} on real HTTP servers (loopback, ephemeral ports) of three whole nodes: one served
 * by a node outside the workflow's execution cluster (its router forwards to a member), one by a member. The README's
 * curl shapes, paging with tokens, every bad request with its status, and {@link HttpWorkflowClient} on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HistoryHttpApiTest {

  private Vertx vertx;
  private RoutingNodes nodes;
  private HttpServer outsiderServer;
  private HttpServer memberServer;
  private WebClient web;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    nodes = RoutingNodes.start(vertx);
    outsiderServer = serve(nodes.outsider);
    memberServer = serve(nodes.member());
    web = WebClient.create(vertx);
  }

  private HttpServer serve(JsonWorkflowClient workflows) throws Exception {
    Router router = Router.router(vertx);
    new WorkflowHttpApi(workflows, null, new HttpApiOptions()).mount(router);
    return await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() throws Exception {
    if (web != null) {
      web.close();
    }
    for (HttpServer s : new HttpServer[] {outsiderServer, memberServer}) {
      if (s != null) {
        await(s.close());
      }
    }
    if (nodes != null) {
      nodes.close();
    }
    await(vertx.close());
  }

  private HttpResponse<Buffer> get(HttpServer server, String pathAndQuery) throws Exception {
    return await(web.get(server.actualPort(), "127.0.0.1", pathAndQuery).send());
  }

  private static JsonObject ok(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("content-type")).startsWith("application/json");
    return r.bodyAsJsonObject();
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code, String messagePart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getString("error_code")).isEqualTo(code);
    assertThat(body.getString("error")).contains(messagePart);
  }

  @Test
  void aHistoryIsPagedWithTheReadmeCurlShapesThroughANodeOutsideTheCluster() throws Exception {
    String id = HistoryClientContract.startSteps(nodes.outsider);
    try {
      // curl "http://127.0.0.1:7001/workflow/history?workflow_id=...&page_size=10"
      List<JsonObject> pages = new ArrayList<>();
      String token = null;
      do {
        JsonObject page = ok(get(outsiderServer, "/workflow/history?workflow_id=" + id + "&page_size="
            + HistoryClientContract.PAGE_SIZE + (token == null ? "" : "&page_token=" + token)));
        assertThat(page.getBoolean("success")).isTrue();
        assertThat(page.getString("workflow_id")).isEqualTo(id);
        assertThat(page.containsKey("next_page_token")).isTrue();
        pages.add(page);
        token = page.getString("next_page_token");
      } while (token != null && pages.size() <= HistoryClientContract.PAGES);
      assertThat(pages).extracting(p -> p.getJsonArray("checkpoints").size())
          .containsExactly(10, 10, HistoryClientContract.CHECKPOINTS - 20);

      JsonArray all = new JsonArray();
      pages.forEach(p -> all.addAll(p.getJsonArray("checkpoints")));
      int step = 0;
      for (int position = 0; position < all.size(); position++) {
        JsonObject c = all.getJsonObject(position);
        assertThat(c.getLong("position")).isEqualTo(position);
        assertThat(c.containsKey("at")).isTrue();
        assertThat(c.containsKey("owner_node")).isTrue();
        if (position == HistoryStepsWorkflow.FAILURE_AFTER) {
          assertThat(c.getString("key")).isEqualTo(HistoryStepsWorkflow.FAILED_KEY);
          assertThat(c.containsKey("value")).isTrue();
          assertThat(c.getValue("value")).isNull();
          assertThat(c.getString("error_type")).isNotBlank();
          assertThat(c.getString("error_message")).contains(HistoryStepsWorkflow.FAILURE_MESSAGE);
          continue;
        }
        assertThat(c.getString("key")).isEqualTo("step-" + step);
        // the recorded value embedded as JSON, not as JSON text
        assertThat(c.getValue("value")).isEqualTo(new JsonObject().put("step", step).put("label", "step " + step));
        assertThat(c.containsKey("error_type")).isFalse();
        assertThat(c.containsKey("error_message")).isFalse();
        step++;
      }

      // the member's API answers the same pages; the default page holds all 25
      assertThat(ok(get(memberServer, "/workflow/history?workflow_id=" + id + "&page_size=10")))
          .isEqualTo(pages.get(0));
      JsonObject whole = ok(get(memberServer, "/workflow/history?workflow_id=" + id + "&execution_cluster_id=1"));
      assertThat(whole.getJsonArray("checkpoints")).isEqualTo(all);
      assertThat(whole.getValue("next_page_token")).isNull();
    } finally {
      HistoryClientContract.finish(nodes.outsider, id);
    }
  }

  @Test
  void badHistoryRequestsAreAnsweredWithTheirStatusOnEveryNode() throws Exception {
    String id = HistoryClientContract.startSteps(nodes.member());
    try {
      for (HttpServer server : new HttpServer[] {outsiderServer, memberServer}) {
        String known = "/workflow/history?workflow_id=" + id;
        assertError(get(server, "/workflow/history?workflow_id=no-such-workflow"), 404, "WORKFLOW_NOT_FOUND",
            "no-such-workflow");
        assertError(get(server, "/workflow/history"), 400, "INVALID_ARGUMENT", "workflow_id");
        assertError(get(server, "/workflow/history?workflow_id="), 400, "INVALID_ARGUMENT", "workflow_id");
        assertError(get(server, "/workflow/history?workflow_id=%20%20"), 400, "INVALID_ARGUMENT", "workflow_id");
        for (String size : new String[] {"abc", "1.5", "0", "-1", "1001", "99999999999"}) {
          assertError(get(server, known + "&page_size=" + size), 400, "INVALID_ARGUMENT", "page_size");
        }
        for (String token : new String[] {"abc", "-1", "not%20a%20token!", "%00"}) {
          assertError(get(server, known + "&page_token=" + token), 400, "INVALID_ARGUMENT", "");
        }
        assertError(get(server, known + "&execution_cluster_id=abc"), 400, "INVALID_ARGUMENT",
            "execution_cluster_id");
        // and the API keeps serving
        assertThat(ok(get(server, known)).getJsonArray("checkpoints")).hasSize(HistoryClientContract.CHECKPOINTS);
      }
    } finally {
      HistoryClientContract.finish(nodes.member(), id);
    }
  }

  @Test
  void theHttpClientPagesThroughAHistoryThroughANodeOutsideTheCluster() throws Exception {
    try (HttpWorkflowClient client = client(outsiderServer)) {
      HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(client);
    }
  }

  @Test
  void theHttpClientPagesThroughAHistoryThroughAMember() throws Exception {
    try (HttpWorkflowClient client = client(memberServer)) {
      HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(client);
    }
  }

  private HttpWorkflowClient client(HttpServer server) {
    return new HttpWorkflowClient(vertx, new NetworkClientOptions()
        .setAddresses(List.of("127.0.0.1:" + server.actualPort())));
  }
}
