package io.raftoral.storage;

import io.vertx.core.Future;
import java.io.OutputStream;

/**
 * A snapshot being written by its producer (see {@link LogStore#createSnapshot}): the data goes into
 * {@link #stream()} on the producer's context (buffered, not made durable yet), then {@link #finish()} makes it
 * durable off the event loop. Until a {@link LogStore#saveSnapshot} names its reference, the snapshot is not in
 * effect (a crash leaves at most an orphan file that the store removes at its next start).
 */
public interface SnapshotSink {

  /** Where the producer writes the data; checksums are computed on the way (see {@link SnapshotDigest}). */
  OutputStream stream();

  /** Closes the stream and makes the data durable; completes with its reference (the store keeps it readable). */
  Future<SnapshotRef> finish();

  /** Discards what was written (the producer failed). */
  void abort();
}
