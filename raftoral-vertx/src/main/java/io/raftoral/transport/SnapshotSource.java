package io.raftoral.transport;

import io.raftoral.storage.SnapshotNotFoundException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * What a node serves to peers that fetch one of its snapshots out of band (see
 * {@link Transport#fetchSnapshot}): ranges of the snapshot files its store keeps. Set on the transport by the node.
 */
public interface SnapshotSource {

  /**
   * Reads up to {@code maxBytes} of snapshot {@code snapshotId} of group {@code clusterId}, starting at
   * {@code offset}. Completes with an empty buffer at the end of the data; fails with a
   * {@link SnapshotNotFoundException} when this node does not (or no longer) keep that snapshot. The read runs off
   * the event loop; the future may complete on any thread.
   */
  Future<Buffer> read(long clusterId, String snapshotId, long offset, int maxBytes);

  /** The size in bytes of snapshot {@code snapshotId}, or a failed {@link SnapshotNotFoundException}. */
  Future<Long> size(long clusterId, String snapshotId);
}
