package io.raftoral.transport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.streams.WriteStream;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * What a network transport's snapshot endpoint needs from the transport, whatever the protocol: the node's
 * {@link SnapshotSource}, whether the node is shutting down, and a {@link SnapshotPump} that streams a snapshot
 * with back-pressure and counts the bytes. Made per request on the request's context, whose thread every answer
 * completes on.
 */
public final class SnapshotServing {

  private final SnapshotSource source;
  private final BooleanSupplier shuttingDown;
  private final LongConsumer countBytes;

  SnapshotServing(SnapshotSource source, BooleanSupplier shuttingDown, LongConsumer countBytes) {
    this.source = Objects.requireNonNull(source, "source");
    this.shuttingDown = shuttingDown;
    this.countBytes = countBytes;
  }

  /** Whether the node is closing (new transfers are refused as unavailable, running ones stop). */
  public boolean shuttingDown() {
    return shuttingDown.getAsBoolean();
  }

  /**
   * The size of a snapshot (failed with a {@code SnapshotNotFoundException} when it is not kept), completed on the
   * caller's context.
   */
  public Future<Long> size(long clusterId, String snapshotId) {
    Context context = Vertx.currentContext();
    Promise<Long> answer = Promise.promise();
    Future<Long> size;
    try {
      size = source.size(clusterId, snapshotId);
    } catch (RuntimeException e) {
      size = Future.failedFuture(e);
    }
    size.onComplete(ar -> context.runOnContext(v -> answer.handle(ar)));
    return answer.future();
  }

  /** A pump of bytes {@code offset} to {@code size} of a snapshot into {@code out}, on the caller's context. */
  public <T> SnapshotPump<T> pump(long clusterId, String snapshotId, long offset, long size, WriteStream<T> out,
      SnapshotPump.PieceWriter<T> writer) {
    return new SnapshotPump<>(Vertx.currentContext(), source, clusterId, snapshotId, offset, size, out, writer,
        shuttingDown, countBytes);
  }
}
