package io.raftoral.demo;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.http.api.WorkflowHttpApi;
import io.raftoral.testkit.PingPongCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The README's approval demo through the jar's client ({@code client run|query|signal|wait}), in this JVM, against
 * a 3-node execution cluster served over the REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApprovalCliTest {

  private static final long QUERY_DEADLINE_MILLIS = 10_000;

  private Vertx vertx;
  private PingPongCluster cluster;
  private HttpServer server;
  private String address;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    cluster = PingPongCluster.start(vertx);
    Router router = Router.router(vertx);
    new WorkflowHttpApi(cluster.client, null, new HttpApiOptions()).mount(router);
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    address = "127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      await(server.close());
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  /** The CLI's exit code and the JSON it printed. */
  private record Outcome(int exitCode, JsonObject printed) {}

  private synchronized Outcome cli(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      String[] all = new String[args.length + 2];
      all[0] = "--address";
      all[1] = address;
      System.arraycopy(args, 0, all, 2, args.length);
      code = new CommandLine(new ClientCommand()).execute(all);
    } finally {
      System.setOut(out);
    }
    return new Outcome(code, new JsonObject(captured.toString(StandardCharsets.UTF_8)));
  }

  @Test
  void theApprovalDemoRunsThroughTheClientCommands() {
    Outcome started = cli("run", "--workflow", "approval", "--input", "\"invoice 7\"");
    assertThat(started.exitCode()).as(started.printed().encode()).isZero();
    String id = started.printed().getString("workflow_id");

    long deadline = System.currentTimeMillis() + QUERY_DEADLINE_MILLIS;
    Outcome waiting = cli("query", "--workflow-id", id, "--query", "state");
    while (waiting.exitCode() != 0 && System.currentTimeMillis() < deadline) {
      // the workflow's first run registers its query handler on a later turn
      waiting = cli("query", "--workflow-id", id, "--query", "state");
    }
    assertThat(waiting.printed().getString("result")).as(waiting.printed().encode()).isEqualTo("\"waiting\"");

    Outcome signalled = cli("signal", "--workflow-id", id, "--signal", "approve", "--input", "\"Ada\"");
    assertThat(signalled.exitCode()).as(signalled.printed().encode()).isZero();
    assertThat(signalled.printed().getString("signal")).isEqualTo("approve");

    Outcome done = cli("wait", "--workflow-id", id);
    assertThat(done.printed().getString("result")).isEqualTo("\"approved by Ada\"");
    assertThat(cli("query", "--workflow-id", id, "--query", "state").printed().getString("result"))
        .isEqualTo("\"approved\"");

    Outcome refused = cli("signal", "--workflow-id", id, "--signal", "approve", "--input", "\"Bob\"");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.printed().getString("error")).contains("is not running");
  }
}
