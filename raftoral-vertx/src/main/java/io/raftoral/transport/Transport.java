package io.raftoral.transport;

import io.raftoral.storage.SnapshotNotFoundException;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * Node-to-node delivery of Raft message batches. Delivery is best effort: Raft tolerates loss, duplication and
 * reordering, so a transport may drop a batch it cannot deliver (and should count it). Implementations must never
 * throw from {@link #send} because of the network or the peer.
 */
public interface Transport {

  /** This node's id. */
  long nodeId();

  /** Sends {@code batch} to {@code batch.toNode()}. Callable from any thread. */
  void send(RaftBatch batch);

  /** Sets the handler of inbound batches (the node's router). Called on a Vert.x context. */
  void receiveHandler(Handler<RaftBatch> handler);

  /**
   * Sets what this node serves to peers fetching its snapshots out of band (its store's snapshot files). Transports
   * that cannot serve snapshots ignore it.
   */
  default void snapshotSource(SnapshotSource source) {
  }

  /**
   * Fetches snapshot {@code snapshotId} of group {@code clusterId} from node {@code fromNode}, out of band of the Raft
   * messages (which carry only its metadata), starting at byte {@code offset}: the data arrives in order in chunks of
   * {@code chunkSize} bytes (the last one shorter), each handed to {@code handler}, which paces the transfer. The
   * future completes after the last chunk was handled, or fails: the peer is unreachable or the connection broke
   * (the caller resumes from its last good offset), the peer no longer keeps the snapshot
   * ({@link SnapshotNotFoundException}), or the handler failed. Callable from any thread; the handler and the
   * future run on the caller's Vert.x context when there is one.
   */
  default Future<Void> fetchSnapshot(long fromNode, long clusterId, String snapshotId, long offset, int chunkSize,
      SnapshotChunkHandler handler) {
    return Future.failedFuture(new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot fetch snapshots"));
  }

  /** Stops sending and receiving. */
  Future<Void> close();
}
