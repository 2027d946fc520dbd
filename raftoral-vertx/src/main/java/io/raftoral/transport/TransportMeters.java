package io.raftoral.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.raftoral.transport.TransportCounters.DropReason;
import io.raftoral.transport.TransportCounters.PeerCounters;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of a network transport, read from its {@link TransportCounters} when scraped: per peer (label
 * {@value #PEER_TAG}: the peer's node id) bytes and batches sent and received, drops by reason and reconnects; per
 * node the batches peers refused and the inbound frames this node rejected, by reason. A peer's meters are
 * registered when it gets its first counter.
 */
public final class TransportMeters implements MeterBinder {

  static final String PEER_TAG = "peer";
  static final String REASON_TAG = "reason";
  static final String DIRECTION_TAG = "direction";
  private static final String BYTES = "bytes";

  private final TransportCounters counters;

  public TransportMeters(TransportCounters counters) {
    this.counters = Objects.requireNonNull(counters, "counters");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "raftoral.transport.refused.batches", null, "Batches or streams a peer answered with an error",
        Tags.empty(), counters.refusedByPeer);
    counter(registry, "raftoral.transport.rejected.frames", null, "Inbound frames refused, by reason",
        Tags.of(REASON_TAG, "malformed"), counters.rejectedMalformed);
    counter(registry, "raftoral.transport.rejected.frames", null, "Inbound frames refused, by reason",
        Tags.of(REASON_TAG, "misaddressed"), counters.rejectedMisaddressed);
    counter(registry, "raftoral.transport.rejected.frames", null, "Inbound frames refused, by reason",
        Tags.of(REASON_TAG, "too_large"), counters.rejectedTooLarge);
    counter(registry, "raftoral.transport.snapshot", BYTES, "Snapshot bytes transferred out of band, by direction",
        Tags.of(DIRECTION_TAG, "sent"), counters.snapshotBytesSent);
    counter(registry, "raftoral.transport.snapshot", BYTES, "Snapshot bytes transferred out of band, by direction",
        Tags.of(DIRECTION_TAG, "received"), counters.snapshotBytesReceived);
    counters.onNewPeer(peer -> bindPeer(registry, peer, counters.peer(peer)));
    counters.peers().forEach((peer, c) -> bindPeer(registry, peer, c));
  }

  private static void bindPeer(MeterRegistry registry, long peer, PeerCounters c) {
    Tags tags = Tags.of(PEER_TAG, Long.toString(peer));
    counter(registry, "raftoral.transport.sent", BYTES, "Bytes of the batches sent to the peer", tags,
        c.sentBytes);
    counter(registry, "raftoral.transport.sent.batches", null, "Batches sent to the peer", tags, c.sentBatches);
    counter(registry, "raftoral.transport.received", BYTES, "Bytes of the batches received from the peer", tags,
        c.receivedBytes);
    counter(registry, "raftoral.transport.received.batches", null, "Batches received from the peer", tags,
        c.receivedBatches);
    counter(registry, "raftoral.transport.reconnects", null, "Connections or streams to the peer re-established",
        tags, c.reconnects);
    for (DropReason reason : DropReason.values()) {
      counter(registry, "raftoral.transport.dropped.batches", null, "Batches for the peer dropped, by reason",
          tags.and(REASON_TAG, reason.name().toLowerCase(Locale.ROOT)), c.dropped(reason));
    }
  }

  private static void counter(MeterRegistry registry, String name, String unit, String description, Tags tags,
      LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).baseUnit(unit).description(description).tags(tags)
        .register(registry);
  }
}
