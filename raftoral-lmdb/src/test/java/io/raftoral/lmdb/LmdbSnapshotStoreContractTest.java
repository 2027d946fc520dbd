package io.raftoral.lmdb;

import io.raftoral.storage.LogStore;
import io.raftoral.storage.SnapshotStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

class LmdbSnapshotStoreContractTest extends SnapshotStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setSnapshotChunkBytes(CHUNK));
  }
}
