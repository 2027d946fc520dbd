package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a {@link Transport} to inject faults on the sending side, for tests: a firewall of blocked peers
 * (partitions), a drop rate and a delay. Randomness is seeded. Snapshots this node fetches out of band can be
 * held, corrupted and observed ({@link SnapshotFetchFaults}); a firewalled peer's snapshot cannot be fetched.
 */
public final class FaultInjectingTransport implements Transport {

  private final Transport delegate;
  private final Vertx vertx;
  private final Random random;
  private final Set<Long> blocked = ConcurrentHashMap.newKeySet();
  private final AtomicLong dropped = new AtomicLong();
  private volatile double dropRate;
  private volatile long delayMillis;
  private final SnapshotFetchFaults fetchFaults = new SnapshotFetchFaults();

  public FaultInjectingTransport(Vertx vertx, Transport delegate, long seed) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.random = new Random(seed);
  }

  /** Drops everything sent to {@code peers} (and, with the peers' own wrappers, models a partition). */
  public FaultInjectingTransport block(Long... peers) {
    blocked.addAll(List.of(peers));
    return this;
  }

  public FaultInjectingTransport unblock(Long... peers) {
    List.of(peers).forEach(blocked::remove);
    return this;
  }

  public FaultInjectingTransport unblockAll() {
    blocked.clear();
    return this;
  }

  /** Probability in [0, 1] that a batch is dropped. */
  public FaultInjectingTransport dropRate(double rate) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("dropRate must be in [0, 1], was " + rate);
    }
    this.dropRate = rate;
    return this;
  }

  /** Delay added to every batch, in milliseconds (0 for none). */
  public FaultInjectingTransport delayMillis(long delay) {
    if (delay < 0) {
      throw new IllegalArgumentException("delay must be >= 0, was " + delay);
    }
    this.delayMillis = delay;
    return this;
  }

  /** Batches dropped by the firewall or the drop rate. */
  public long droppedCount() {
    return dropped.get();
  }

  @Override
  public long nodeId() {
    return delegate.nodeId();
  }

  @Override
  public void send(RaftBatch batch) {
    if (blocked.contains(batch.toNode()) || (dropRate > 0 && nextDouble() < dropRate)) {
      dropped.incrementAndGet();
      return;
    }
    long delay = delayMillis;
    if (delay > 0) {
      vertx.setTimer(delay, id -> delegate.send(batch));
    } else {
      delegate.send(batch);
    }
  }

  private synchronized double nextDouble() {
    return random.nextDouble();
  }

  @Override
  public void receiveHandler(Handler<RaftBatch> handler) {
    // Inbound faults are the sender's business; a blocked peer's batches are also refused here so that blocking
    // one side is enough for a symmetric partition.
    delegate.receiveHandler(batch -> {
      if (blocked.contains(batch.fromNode())) {
        dropped.incrementAndGet();
        return;
      }
      handler.handle(batch);
    });
  }

  /**
   * Holds every snapshot chunk this node fetches once {@code bytes} were fetched in all (a stalled transfer) until
   * {@link #releaseSnapshotChunks()}.
   */
  public FaultInjectingTransport holdSnapshotChunksAfter(long bytes) {
    fetchFaults.holdAfter(bytes);
    return this;
  }

  /** Hands the held snapshot chunks on; a chunk from a peer firewalled meanwhile breaks its fetch. */
  public FaultInjectingTransport releaseSnapshotChunks() {
    fetchFaults.release();
    return this;
  }

  /** Snapshot chunks held right now. */
  public int heldSnapshotChunks() {
    return fetchFaults.heldCount();
  }

  /** Flips one byte of the next snapshot chunk this node fetches. */
  public FaultInjectingTransport corruptNextSnapshotChunk() {
    fetchFaults.corruptNext();
    return this;
  }

  /** The offset each snapshot fetch of this node started at, in order. */
  public List<Long> snapshotFetchStarts() {
    return fetchFaults.startOffsets();
  }

  /** Snapshot fetches refused because their peer was firewalled. */
  public long snapshotFetchesRefused() {
    return fetchFaults.refusedCount();
  }

  /** Snapshot bytes this node fetched (handed to its store), corrupted ones included. */
  public long snapshotBytesFetched() {
    return fetchFaults.bytesFetched();
  }

  @Override
  public void snapshotSource(SnapshotSource source) {
    delegate.snapshotSource(source);
  }

  @Override
  public Future<Void> fetchSnapshot(long fromNode, long clusterId, String snapshotId, long offset, int chunkSize,
      SnapshotChunkHandler handler) {
    if (blocked.contains(fromNode)) {
      fetchFaults.refused();
      return Future.failedFuture(new ConnectException("node " + fromNode + " is firewalled"));
    }
    return delegate.fetchSnapshot(fromNode, clusterId, snapshotId, offset, chunkSize,
        fetchFaults.wrap(fromNode, offset, handler, blocked::contains));
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}
