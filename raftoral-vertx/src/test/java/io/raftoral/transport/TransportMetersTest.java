package io.raftoral.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftoral.transport.TransportCounters.DropReason;
import org.junit.jupiter.api.Test;

/** Per-peer transport counters: the node-wide figures stay what they were, each peer gets labelled meters. */
class TransportMetersTest {

  private static final long PEER = 2;
  private static final long LATE_PEER = 3;

  @Test
  void perPeerCountersFeedBothTheSnapshotAndThePeerLabelledMeters() {
    TransportCounters counters = new TransportCounters();
    counters.countSent(PEER, 100);
    MeterRegistry registry = new SimpleMeterRegistry();
    new TransportMeters(counters).bindTo(registry);
    counters.countSent(PEER, 50);
    counters.countReceived(PEER, 70, true);
    counters.countReceived(99, 70, false); // a sender outside the directory: counted, not labelled
    counters.countDropped(PEER, DropReason.BACK_PRESSURE, 2);
    counters.countReconnect(PEER);
    counters.countDropped(LATE_PEER, DropReason.NO_ADDRESS, 1); // a peer first seen after binding

    NetworkTransportMetrics m = counters.snapshot();
    assertThat(m.sentBatches()).isEqualTo(2);
    assertThat(m.receivedBatches()).isEqualTo(2);
    assertThat(m.droppedBackPressure()).isEqualTo(2);
    assertThat(m.droppedNoAddress()).isEqualTo(1);
    assertThat(m.reconnects()).isEqualTo(1);

    String peer = Long.toString(PEER);
    assertThat(registry.get("raftoral.transport.sent").tag("peer", peer).functionCounter().count()).isEqualTo(150);
    assertThat(registry.get("raftoral.transport.sent.batches").tag("peer", peer).functionCounter().count())
        .isEqualTo(2);
    assertThat(registry.get("raftoral.transport.received").tag("peer", peer).functionCounter().count())
        .isEqualTo(70);
    assertThat(registry.get("raftoral.transport.dropped.batches").tag("peer", peer).tag("reason", "back_pressure")
        .functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("raftoral.transport.reconnects").tag("peer", peer).functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("raftoral.transport.dropped.batches").tag("peer", Long.toString(LATE_PEER))
        .tag("reason", "no_address").functionCounter().count()).isEqualTo(1);
    assertThat(registry.find("raftoral.transport.received").tag("peer", "99").functionCounter()).isNull();
  }
}
