package io.raftoral.http.transport;

import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.lmdb.LmdbStoreOptions;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.contract.OutOfBandSnapshotNetworkContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** A 100 MB snapshot to a new member over HTTP (ranged GET of /raft/v1/snapshot), on LMDB stores. */
class HttpOutOfBandSnapshotTest extends OutOfBandSnapshotNetworkContractTest<HttpTransportOptions> {

  HttpOutOfBandSnapshotTest() {
    super(HttpTransportOptions::new, HttpTransport::new);
  }

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions());
  }
}
