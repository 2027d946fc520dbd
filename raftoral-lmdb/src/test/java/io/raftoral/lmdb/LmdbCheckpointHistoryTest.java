package io.raftoral.lmdb;

import io.raftoral.storage.LogStore;
import io.raftoral.workflow.CheckpointHistoryContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link CheckpointHistoryContract} on LMDB: histories in each node's environment, out of the heap. */
class LmdbCheckpointHistoryTest extends CheckpointHistoryContract {

  @TempDir
  Path dir;

  @Override
  protected LogStore openStore(Vertx vertx, long nodeId) {
    return LmdbLogStore.open(vertx, dir.resolve("node-" + nodeId));
  }

  @Override
  protected Future<Void> closeStore(LogStore store) {
    return store.close();
  }
}
