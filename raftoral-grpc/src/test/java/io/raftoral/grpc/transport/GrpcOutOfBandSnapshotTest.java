package io.raftoral.grpc.transport;

import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.lmdb.LmdbStoreOptions;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.contract.OutOfBandSnapshotNetworkContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** A 100 MB snapshot to a new member over gRPC ({@code SnapshotTransfer.FetchSnapshot}), on LMDB stores. */
class GrpcOutOfBandSnapshotTest extends OutOfBandSnapshotNetworkContractTest<GrpcTransportOptions> {

  GrpcOutOfBandSnapshotTest() {
    super(GrpcTransportOptions::new, GrpcTransport::new);
  }

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions());
  }
}
