package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store's directory is locked against other processes while it is open (two nodes would share an identity). */
class StorageDirectoryLockTest {

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Runs {@link OpenStoreMain} on {@link #dir} in another JVM: its exit code and output. */
  private Object[] openInAnotherProcess() throws Exception {
    // lmdbjava reads buffer addresses reflectively: the same opens as the tests' and the node jar's
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), OpenStoreMain.class.getName(), dir.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
    return new Object[] {p.exitValue(), out};
  }

  @Test
  void anotherProcessIsRefusedWhileTheStoreIsOpenAndOpensItOnceClosed() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    Object[] refused = openInAnotherProcess();
    assertThat(refused[0]).as((String) refused[1]).isEqualTo(3);
    assertThat((String) refused[1]).contains("in use by another process");

    // the same process may open it again (a restart in one JVM), and the lock goes with the last close
    LmdbLogStore again = LmdbLogStore.open(vertx, dir.resolve(".").normalize());
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(openInAnotherProcess()[0]).isEqualTo(3);
    again.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    Object[] opened = openInAnotherProcess();
    assertThat(opened[0]).as((String) opened[1]).isEqualTo(0);
    assertThat((String) opened[1]).contains("opened");
  }
}
