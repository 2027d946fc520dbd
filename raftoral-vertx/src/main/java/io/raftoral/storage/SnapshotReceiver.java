package io.raftoral.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * A snapshot being received from a peer (see {@link LogStore#receiveSnapshot}), chunk by chunk, in order. What was
 * received and verified survives an interrupted transfer (and a restart of the node), so that the fetch resumes at
 * {@link #offset()} instead of starting over.
 */
public interface SnapshotReceiver {

  /** The snapshot being received. */
  SnapshotRef ref();

  /** The verified bytes held so far: the offset the next chunk must start at (a multiple of the chunk size). */
  long offset();

  /**
   * Verifies chunk {@code data} starting at {@code offset} against its CRC32C in {@link #ref()} and appends it.
   *
   * @return fails with a {@link SnapshotChecksumException} when the chunk is corrupted (nothing is written: fetch it
   *     again), or an {@link IllegalStateException} when {@code offset} is not {@link #offset()}
   */
  Future<Void> write(long offset, Buffer data);

  /**
   * After the last chunk: checks the SHA-256 of the whole data, makes it durable, and keeps the snapshot (readable
   * and openable under {@code ref().id()}). Fails with a {@link SnapshotChecksumException} (and discards the data)
   * when the digest does not match.
   */
  Future<Void> complete();
}
