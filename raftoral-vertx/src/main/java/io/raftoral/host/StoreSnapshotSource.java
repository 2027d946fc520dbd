package io.raftoral.host;

import io.raftoral.storage.LogStore;
import io.raftoral.transport.SnapshotSource;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** What a node serves to peers fetching its snapshots: the snapshot data its store keeps. */
final class StoreSnapshotSource implements SnapshotSource {

  private final LogStore store;

  StoreSnapshotSource(LogStore store) {
    this.store = store;
  }

  @Override
  public Future<Buffer> read(long clusterId, String snapshotId, long offset, int maxBytes) {
    return store.readSnapshot(clusterId, snapshotId, offset, maxBytes);
  }

  @Override
  public Future<Long> size(long clusterId, String snapshotId) {
    return store.snapshotSize(clusterId, snapshotId);
  }
}
