package io.raftoral.lmdb;

import io.raftoral.storage.LogStore;
import io.raftoral.storage.LogStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The contract for a store that keeps its Raft logs in LMDB tables (the layout before log files). */
class LmdbTablesLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setLogInFiles(false));
  }

  @Override
  protected LogStore reopen(Vertx vertx, Path directory, LogStore current) {
    try {
      await(current.close());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setLogInFiles(false));
  }
}
