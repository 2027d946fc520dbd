package io.raftoral.demo;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.admin.NodeAdmin;
import io.raftoral.http.api.AdminHttpApi;
import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.testkit.AdminTestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code raftoral admin topology} against a node's REST API, and the offline {@code admin restore}. */
class AdminCommandTest {

  @TempDir
  Path dir;

  /** Runs the CLI in this JVM; answers its exit code and what it printed. */
  private static Result run(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(RaftoralCli.class).execute(args);
      return new Result(code, printed.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
    }
  }

  private record Result(int code, String out) {}

  @Test
  void adminTopologyPrintsTheNodesAndGroups() throws Exception {
    Vertx vertx = Vertx.vertx();
    AdminTestCluster cluster = await(AdminTestCluster.start(vertx, true));
    try {
      NodeAdmin admin = cluster.admins().get(1L);
      Router router = Router.router(vertx);
      new AdminHttpApi(admin, new HttpApiOptions()).mount(router);
      HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      Result r = run("admin", "topology", "-a", "127.0.0.1:" + server.actualPort());
      assertThat(r.code()).as(r.out()).isZero();
      JsonObject topology = new JsonObject(r.out());
      assertThat(topology.getJsonArray("nodes")).hasSize(3);
      assertThat(topology.getJsonArray("groups").getJsonObject(0).getJsonArray("voters")).hasSize(3);

      Result bad = run("admin", "drain-status", "--node", "99", "-a", "127.0.0.1:" + server.actualPort());
      assertThat(bad.code()).isEqualTo(1);
      assertThat(new JsonObject(bad.out()).getString("error_code")).isEqualTo("NOT_FOUND");
    } finally {
      await(cluster.close());
      await(vertx.close());
    }
  }

  @Test
  void adminRestoreCopiesABackupIntoAnEmptyDirectoryOnlyAndForgetsTheIdentity() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      LmdbLogStore store = LmdbLogStore.open(vertx, dir.resolve("live"));
      await(store.saveIdentity(new NodeIdentity(7, "restore-test")));
      await(store.backup(dir.resolve("backup")));
      await(store.close());
    } finally {
      await(vertx.close());
    }
    Result ok = run("admin", "restore", "--backup", dir.resolve("backup").toString(),
        "--storage-path", dir.resolve("restored").toString());
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(new JsonObject(ok.out()).getLong("backed_up_node")).isEqualTo(7);
    assertThat(Files.exists(dir.resolve("restored").resolve("data.mdb"))).isTrue();

    Result refused = run("admin", "restore", "--backup", dir.resolve("backup").toString(),
        "--storage-path", dir.resolve("restored").toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(new JsonObject(refused.out()).getString("error")).contains("not empty");
  }
}
