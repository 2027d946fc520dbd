package io.raftoral.storage;

import io.vertx.core.Vertx;
import java.nio.file.Path;

class InMemorySnapshotStoreContractTest extends SnapshotStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return new InMemoryLogStore(vertx, CHUNK);
  }
}
