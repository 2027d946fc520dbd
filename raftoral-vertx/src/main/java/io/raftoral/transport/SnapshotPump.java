package io.raftoral.transport;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The serving side of one out-of-band snapshot transfer, whatever the protocol: reads the snapshot from a
 * {@link SnapshotSource} one piece ({@link SnapshotTransfers#PIECE_BYTES}) at a time and writes each to the
 * protocol's stream, reading the next only once the stream has room (its write queue drained: flow control), so a
 * transfer holds about one piece of memory however large the snapshot and however slow the peer.
 *
 * <p>Confined to the context of the inbound request; the source's reads may complete on any thread and are brought
 * back to it.
 *
 * @param <T> what the protocol's stream takes (a buffer, a protobuf message)
 */
public final class SnapshotPump<T> {

  /** Makes the protocol's message of the piece {@code data} that starts at {@code offset}. */
  @FunctionalInterface
  public interface PieceWriter<T> {
    T message(long offset, Buffer data);
  }

  private final Context context;
  private final SnapshotSource source;
  private final long clusterId;
  private final String snapshotId;
  private final long endOffset;
  private final WriteStream<T> out;
  private final PieceWriter<T> writer;
  private final BooleanSupplier shuttingDown;
  private final LongConsumer countBytes;
  private final Promise<Void> done = Promise.promise();
  private long offset;
  private boolean waitingForDrain;

  /**
   * Streams bytes {@code offset} (inclusive) to {@code endOffset} (exclusive: the snapshot's size) of a snapshot to
   * {@code out}; stops with a failure once {@code shuttingDown} holds. {@code countBytes} is told of every byte
   * written.
   */
  public SnapshotPump(Context context, SnapshotSource source, long clusterId, String snapshotId, long offset,
      long endOffset, WriteStream<T> out, PieceWriter<T> writer, BooleanSupplier shuttingDown,
      LongConsumer countBytes) {
    this.context = context;
    this.source = source;
    this.clusterId = clusterId;
    this.snapshotId = snapshotId;
    this.offset = offset;
    this.endOffset = endOffset;
    this.out = out;
    this.writer = writer;
    this.shuttingDown = shuttingDown;
    this.countBytes = countBytes;
  }

  /**
   * Starts the transfer; the future completes once the last piece was written (the caller ends the stream) or fails
   * (the source failed, the node shuts down, or {@link #stop} was called): the caller ends the stream with an error.
   */
  public Future<Void> start() {
    out.drainHandler(v -> {
      if (waitingForDrain) {
        waitingForDrain = false;
        readNext();
      }
    });
    readNext();
    return done.future();
  }

  /** The peer went away (cancelled, connection closed): no more reads. */
  public void stop(Throwable why) {
    done.tryFail(why);
  }

  private void readNext() {
    if (done.future().isComplete()) {
      return;
    }
    if (shuttingDown.getAsBoolean()) {
      done.tryFail(new IllegalStateException("the node is shutting down"));
      return;
    }
    int want = (int) Math.min(SnapshotTransfers.PIECE_BYTES, endOffset - offset);
    if (want <= 0) {
      done.tryComplete();
      return;
    }
    Future<Buffer> read;
    try {
      read = source.read(clusterId, snapshotId, offset, want);
    } catch (RuntimeException e) {
      read = Future.failedFuture(e);
    }
    read.onComplete(ar -> context.runOnContext(v -> afterRead(ar, want)));
  }

  private void afterRead(AsyncResult<Buffer> ar, int want) {
    if (done.future().isComplete()) {
      return;
    }
    if (ar.failed()) {
      done.tryFail(ar.cause());
      return;
    }
    Buffer piece = ar.result();
    if (piece == null || piece.length() == 0) {
      done.tryFail(new IllegalStateException("snapshot " + snapshotId + " of cluster " + clusterId + " ended at "
          + offset + ", before its announced size " + endOffset));
      return;
    }
    if (piece.length() > want) {
      piece = piece.getBuffer(0, want); // a source that reads more than asked must not push past the end
    }
    out.write(writer.message(offset, piece));
    offset += piece.length();
    countBytes.accept(piece.length());
    if (out.writeQueueFull()) {
      waitingForDrain = true;
    } else {
      readNext();
    }
  }
}
