package io.raftoral.http.transport;

import io.raftoral.transport.contract.SnapshotTransferContractTest;

/** {@link HttpTransport}'s ranged snapshot {@code GET} against the snapshot transfer contract. */
class HttpSnapshotTransferTest extends SnapshotTransferContractTest<HttpTransportOptions> {

  HttpSnapshotTransferTest() {
    super(HttpTransportOptions::new, HttpTransport::new);
  }
}
