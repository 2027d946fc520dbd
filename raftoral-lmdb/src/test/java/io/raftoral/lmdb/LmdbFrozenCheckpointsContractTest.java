package io.raftoral.lmdb;

import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.FrozenCheckpointsContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FrozenCheckpointsContractTest} for the LMDB checkpoint store: deletes held back while a view is open,
 * workflows' numbers as they were at the freeze.
 */
class LmdbFrozenCheckpointsContractTest extends FrozenCheckpointsContractTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private LmdbLogStore store;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    store = LmdbLogStore.open(vertx, dir);
  }

  @AfterEach
  void close() throws Exception {
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  protected CheckpointStore store() {
    return store.checkpoints();
  }
}
