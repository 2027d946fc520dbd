package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A founder that lost its storage is refused when its {@code --peers} show that its cluster exists; a founder of a
 * new cluster whose peers are not members yet is not.
 */
class FounderCheckTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    NodeCommand.await(vertx.close());
  }

  /** A peer answering discovery as node {@code nodeId}, or with 404 (not registered yet) when it is 0. */
  private HttpServer peer(long nodeId) throws Exception {
    return NodeCommand.await(vertx.createHttpServer().requestHandler(req -> {
      if (nodeId > 0 && req.path().equals("/discovery/peers")) {
        req.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("node_id", nodeId).put("peers", List.of()).encode());
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aPeerThatIsAMemberIsFoundAndOthersAreNot() throws Exception {
    HttpServer waiting = peer(0);
    HttpServer member = peer(3);
    String nobody = "127.0.0.1:" + freePort();
    List<String> notMembers = List.of(nobody, "127.0.0.1:" + waiting.actualPort());
    assertThat(NodeCommand.await(FounderCheck.existingMember(vertx, new TransportTlsOptions(), notMembers))).isNull();
    String found = NodeCommand.await(FounderCheck.existingMember(vertx, new TransportTlsOptions(),
        List.of(nobody, "127.0.0.1:" + member.actualPort())));
    assertThat(found).isEqualTo("127.0.0.1:" + member.actualPort() + " (node 3)");
  }

  @Test
  void aBootstrapOnAnEmptyStorageWhoseClusterExistsIsRefusedWithExitCode2() throws Exception {
    HttpServer member = peer(2);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = new CommandLine(new NodeCommand()).execute("--listen", "127.0.0.1:" + freePort(), "--bootstrap",
          "--peers", "127.0.0.1:" + member.actualPort());
    } finally {
      System.setErr(original);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isEqualTo(2);
    assertThat(printed).contains("--bootstrap on an empty storage").contains("(node 2) is a member of an existing "
        + "cluster").contains("without --bootstrap, with --peers");
  }
}
