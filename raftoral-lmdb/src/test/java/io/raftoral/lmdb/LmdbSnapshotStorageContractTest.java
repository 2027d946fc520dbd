package io.raftoral.lmdb;

import io.raftoral.storage.LogStore;
import io.raftoral.storage.SnapshotStorageContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

class LmdbSnapshotStorageContractTest extends SnapshotStorageContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setSnapshotChunkBytes(CHUNK));
  }
}
