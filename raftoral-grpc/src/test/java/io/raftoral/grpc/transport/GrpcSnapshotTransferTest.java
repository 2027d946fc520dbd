package io.raftoral.grpc.transport;

import io.raftoral.transport.contract.SnapshotTransferContractTest;

/** {@link GrpcTransport}'s {@code SnapshotTransfer.FetchSnapshot} against the snapshot transfer contract. */
class GrpcSnapshotTransferTest extends SnapshotTransferContractTest<GrpcTransportOptions> {

  GrpcSnapshotTransferTest() {
    super(GrpcTransportOptions::new, GrpcTransport::new);
  }
}
