package io.raftoral.demo;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.grpc.api.GrpcApiOptions;
import io.raftoral.grpc.api.WorkflowGrpcApi;
import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.http.api.WorkflowHttpApi;
import io.raftoral.testkit.HistoryClientContract;
import io.raftoral.testkit.HistoryStepsWorkflow;
import io.raftoral.testkit.PingPongCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code client history} of the jar, in this JVM, against a 3-node execution cluster served over the REST and the
 * gRPC API: one page, the page a token names, every page with {@code --all}, and the errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HistoryCliTest {

  /** picocli's exit code for bad flags. */
  private static final int USAGE_ERROR = 2;

  private Vertx vertx;
  private PingPongCluster cluster;
  private HttpServer rest;
  private HttpServer grpc;
  private String id;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    cluster = PingPongCluster.start(vertx);
    Router router = Router.router(vertx);
    new WorkflowHttpApi(cluster.client, null, new HttpApiOptions()).mount(router);
    rest = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    GrpcServer grpcServer = GrpcServer.server(vertx);
    new WorkflowGrpcApi(vertx, cluster.client, null, new GrpcApiOptions()).addTo(grpcServer);
    grpc = await(vertx.createHttpServer().requestHandler(grpcServer).listen(0, "127.0.0.1"));
    id = HistoryClientContract.startSteps(cluster.client);
  }

  @AfterAll
  void stop() throws Exception {
    if (id != null) {
      HistoryClientContract.finish(cluster.client, id);
    }
    for (HttpServer s : new HttpServer[] {rest, grpc}) {
      if (s != null) {
        await(s.close());
      }
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  /** The CLI's exit code and what it printed on stdout. */
  private record Outcome(int exitCode, String printed) {
    JsonObject json() {
      return new JsonObject(printed);
    }
  }

  private synchronized Outcome cli(String transport, String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      HttpServer server = "grpc".equals(transport) ? grpc : rest;
      String[] all = new String[args.length + 4];
      all[0] = "--address";
      all[1] = "127.0.0.1:" + server.actualPort();
      all[2] = "--transport";
      all[3] = transport;
      System.arraycopy(args, 0, all, 4, args.length);
      code = new CommandLine(new ClientCommand()).execute(all);
    } finally {
      System.setOut(out);
    }
    return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc"})
  void historyPrintsOnePageThePageATokenNamesOrEveryPage(String transport) {
    Outcome first = cli(transport, "history", id, "--page-size", "10");
    assertThat(first.exitCode()).as(first.printed()).isZero();
    JsonObject page1 = first.json();
    assertThat(page1.getBoolean("success")).isTrue();
    assertThat(page1.getString("workflow_id")).isEqualTo(id);
    assertThat(page1.getJsonArray("checkpoints")).hasSize(10);
    assertThat(page1.getJsonArray("checkpoints").getJsonObject(0).getValue("value"))
        .isEqualTo(new JsonObject().put("step", 0).put("label", "step 0"));
    String token = page1.getString("next_page_token");
    assertThat(token).isNotEmpty();

    Outcome second = cli(transport, "history", id, "--page-size", "10", "--page-token", token);
    assertThat(second.exitCode()).as(second.printed()).isZero();
    assertThat(second.json().getJsonArray("checkpoints").getJsonObject(0).getLong("position")).isEqualTo(10);

    Outcome all = cli(transport, "history", id, "--page-size", "10", "--all");
    assertThat(all.exitCode()).as(all.printed()).isZero();
    JsonArray everything = all.json().getJsonArray("checkpoints");
    assertThat(everything).hasSize(HistoryClientContract.CHECKPOINTS);
    assertThat(all.json().containsKey("next_page_token")).isTrue();
    assertThat(all.json().getValue("next_page_token")).isNull();
    JsonObject failure = everything.getJsonObject(HistoryStepsWorkflow.FAILURE_AFTER);
    assertThat(failure.getString("key")).isEqualTo(HistoryStepsWorkflow.FAILED_KEY);
    assertThat(failure.getValue("value")).isNull();
    assertThat(failure.getString("error_message")).contains(HistoryStepsWorkflow.FAILURE_MESSAGE);
    for (int position = 0; position < everything.size(); position++) {
      assertThat(everything.getJsonObject(position).getLong("position")).isEqualTo(position);
    }

    // the default page (100) holds the whole journal: the same checkpoints
    Outcome whole = cli(transport, "history", id);
    assertThat(whole.json().getJsonArray("checkpoints")).isEqualTo(everything);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc"})
  void historyErrorsExitWithOneAndSayWhy(String transport) {
    Outcome unknown = cli(transport, "history", "no-such-workflow");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.json().getBoolean("success")).isFalse();
    assertThat(unknown.json().getString("error")).contains("no-such-workflow");
    for (String size : new String[] {"0", "-1", "1001"}) {
      Outcome refused = cli(transport, "history", id, "--page-size", size);
      assertThat(refused.exitCode()).as(size).isEqualTo(1);
      assertThat(refused.json().getString("error")).as(size).contains("page");
    }
    Outcome badToken = cli(transport, "history", id, "--page-token", "abc");
    assertThat(badToken.exitCode()).isEqualTo(1);
    assertThat(badToken.json().getString("error")).contains("token");
  }

  @Test
  void historyWithoutAWorkflowIdOrWithANonNumericPageSizeIsAUsageError() {
    assertThat(cli("http", "history").exitCode()).isEqualTo(USAGE_ERROR);
    assertThat(cli("http", "history", id, "--page-size", "abc").exitCode()).isEqualTo(USAGE_ERROR);
  }
}
