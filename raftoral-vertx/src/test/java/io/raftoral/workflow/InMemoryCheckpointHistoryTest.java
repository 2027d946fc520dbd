package io.raftoral.workflow;

import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/** {@link CheckpointHistoryContract} with the in-memory store: histories in the heap (its default checkpoint store). */
class InMemoryCheckpointHistoryTest extends CheckpointHistoryContract {

  private final Map<Long, InMemoryLogStore> stores = new HashMap<>();

  @Override
  protected LogStore openStore(Vertx vertx, long nodeId) {
    return stores.computeIfAbsent(nodeId, id -> new InMemoryLogStore(vertx));
  }

  @Override
  protected Future<Void> closeStore(LogStore store) {
    return Future.succeededFuture(); // kept for a restart, as a disk would be
  }
}
