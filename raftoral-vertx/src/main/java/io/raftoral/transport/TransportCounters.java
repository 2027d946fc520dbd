package io.raftoral.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The live counters behind {@link NetworkTransportMetrics}, shared by the network transports (gRPC, HTTP). Updated
 * from any event loop (sending and receiving run on different ones), read by {@link #snapshot()}.
 *
 * <p>The {@code count*} methods also keep {@link PeerCounters} per peer (bytes, batches, drops, reconnects), what
 * {@link TransportMeters} reports with a peer label. Only peers this node sends to, or that it has an address for,
 * get an entry, so their number is bounded by the cluster's nodes.
 */
public final class TransportCounters {

  /** Why a batch was dropped on the sending side (a label value of the drop counter). */
  public enum DropReason {
    NO_ADDRESS, BACK_PRESSURE, UNREACHABLE, TOO_LARGE
  }

  /** The counters of one peer; updated from any event loop. */
  public static final class PeerCounters {
    public final LongAdder sentBatches = new LongAdder();
    public final LongAdder sentBytes = new LongAdder();
    public final LongAdder receivedBatches = new LongAdder();
    public final LongAdder receivedBytes = new LongAdder();
    public final LongAdder reconnects = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];

    PeerCounters() {
      for (int i = 0; i < dropped.length; i++) {
        dropped[i] = new LongAdder();
      }
    }

    public LongAdder dropped(DropReason reason) {
      return dropped[reason.ordinal()];
    }
  }

  public final LongAdder sent = new LongAdder();
  public final LongAdder droppedNoAddress = new LongAdder();
  public final LongAdder droppedBackPressure = new LongAdder();
  public final LongAdder droppedUnreachable = new LongAdder();
  public final LongAdder droppedTooLarge = new LongAdder();
  public final LongAdder refusedByPeer = new LongAdder();
  public final LongAdder reconnects = new LongAdder();
  public final LongAdder received = new LongAdder();
  public final LongAdder rejectedMalformed = new LongAdder();
  public final LongAdder rejectedMisaddressed = new LongAdder();
  public final LongAdder rejectedTooLarge = new LongAdder();
  /** Snapshot bytes served to peers fetching out of band ({@link SnapshotPump}). */
  public final LongAdder snapshotBytesSent = new LongAdder();
  /** Snapshot bytes fetched from peers out of band ({@link SnapshotChunker}), refused chunks included. */
  public final LongAdder snapshotBytesReceived = new LongAdder();

  private final Map<Long, PeerCounters> peers = new ConcurrentHashMap<>();
  private volatile Consumer<Long> newPeerListener = id -> { };

  public NetworkTransportMetrics snapshot() {
    return new NetworkTransportMetrics(sent.sum(), droppedNoAddress.sum(), droppedBackPressure.sum(),
        droppedUnreachable.sum(), droppedTooLarge.sum(), refusedByPeer.sum(), reconnects.sum(), received.sum(),
        rejectedMalformed.sum(), rejectedMisaddressed.sum(), rejectedTooLarge.sum());
  }

  /** The counters of {@code peer}, made on first use (and announced to the new-peer listener). */
  public PeerCounters peer(long peer) {
    PeerCounters c = peers.get(peer);
    if (c != null) {
      return c;
    }
    PeerCounters[] made = new PeerCounters[1];
    c = peers.computeIfAbsent(peer, id -> made[0] = new PeerCounters());
    if (made[0] != null) {
      newPeerListener.accept(peer);
    }
    return c;
  }

  /** The peers with counters so far. */
  public Map<Long, PeerCounters> peers() {
    return Map.copyOf(peers);
  }

  /** Called with each peer that gets counters from now on (the meters of a peer are registered there). */
  public void onNewPeer(Consumer<Long> listener) {
    this.newPeerListener = listener;
  }

  /** A batch of {@code bytes} was handed to the network for {@code peer}. */
  public void countSent(long peer, long bytes) {
    sent.increment();
    PeerCounters c = peer(peer);
    c.sentBatches.increment();
    c.sentBytes.add(bytes);
  }

  /** A batch from {@code peer} of {@code bytes} was accepted; {@code known}: the peer is in the directory. */
  public void countReceived(long peer, long bytes, boolean known) {
    received.increment();
    if (known) {
      PeerCounters c = peer(peer);
      c.receivedBatches.increment();
      c.receivedBytes.add(bytes);
    }
  }

  /** {@code batches} batches for {@code peer} were dropped for {@code reason}. */
  public void countDropped(long peer, DropReason reason, long batches) {
    switch (reason) {
      case NO_ADDRESS -> droppedNoAddress.add(batches);
      case BACK_PRESSURE -> droppedBackPressure.add(batches);
      case UNREACHABLE -> droppedUnreachable.add(batches);
      case TOO_LARGE -> droppedTooLarge.add(batches);
    }
    peer(peer).dropped(reason).add(batches);
  }

  /** The connection or stream to {@code peer} was re-established after a failure. */
  public void countReconnect(long peer) {
    reconnects.increment();
    peer(peer).reconnects.increment();
  }
}
