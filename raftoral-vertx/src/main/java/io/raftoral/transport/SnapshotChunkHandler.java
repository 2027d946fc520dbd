package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Receives the chunks of a snapshot fetched with {@link Transport#fetchSnapshot}, in order. The transport asks the
 * peer for no more data until the returned future completes (back-pressure), and stops the transfer when it fails
 * (a chunk refused, for example because its checksum does not match).
 */
@FunctionalInterface
public interface SnapshotChunkHandler {

  /**
   * One chunk: {@code data} starts at byte {@code offset} of the snapshot and is exactly the requested chunk size
   * long, except for the last chunk.
   */
  Future<Void> onChunk(long offset, Buffer data);
}
