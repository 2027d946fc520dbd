package io.raftoral.transport;

import io.raftoral.async.Bridge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.function.BooleanSupplier;

/**
 * One out-of-band snapshot fetch between two nodes of an {@link InJvmNetwork}: chunks are read from the serving
 * node's {@link SnapshotSource} one at a time, each only after the handler completed the previous one
 * (back-pressure), and the fetch fails as a broken connection as soon as the serving node is gone.
 */
final class InJvmSnapshotFetch {

  private final long fromNode;
  private final SnapshotSource source;
  private final long clusterId;
  private final String snapshotId;
  private final int chunkSize;
  private final SnapshotChunkHandler handler;
  /** The caller's context (handler calls and the outcome run there), or null. */
  private final Context context;
  /** Whether the serving node still serves (its transport is open). */
  private final BooleanSupplier peerUp;
  private final Promise<Void> done = Promise.promise();

  InJvmSnapshotFetch(long fromNode, SnapshotSource source, long clusterId, String snapshotId, int chunkSize,
      SnapshotChunkHandler handler, Context context, BooleanSupplier peerUp) {
    this.fromNode = fromNode;
    this.source = source;
    this.clusterId = clusterId;
    this.snapshotId = snapshotId;
    this.chunkSize = chunkSize;
    this.handler = handler;
    this.context = context;
    this.peerUp = peerUp;
  }

  /** Starts at byte {@code offset}; completes after the last chunk was handled. */
  Future<Void> start(long offset) {
    next(offset);
    return done.future();
  }

  private void next(long offset) {
    if (!peerUp.getAsBoolean()) {
      done.tryFail(new ConnectException("node " + fromNode + " is not reachable"));
      return;
    }
    readChunk(offset, Buffer.buffer()).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else if (ar.result().length() == 0) {
        done.tryComplete();
      } else {
        Buffer chunk = ar.result();
        handle(offset, chunk).onSuccess(v -> next(offset + chunk.length())).onFailure(done::tryFail);
      }
    });
  }

  /** A whole chunk from {@code offset} (shorter only at the end of the data), on the caller's context. */
  private Future<Buffer> readChunk(long offset, Buffer acc) {
    Future<Buffer> read;
    try {
      read = source.read(clusterId, snapshotId, offset + acc.length(), chunkSize - acc.length());
    } catch (RuntimeException e) {
      read = Future.failedFuture(e);
    }
    return onCallerContext(read).compose(part -> {
      acc.appendBuffer(part);
      return part.length() == 0 || acc.length() >= chunkSize ? Future.succeededFuture(acc) : readChunk(offset, acc);
    });
  }

  private Future<Void> handle(long offset, Buffer chunk) {
    try {
      return onCallerContext(handler.onChunk(offset, chunk));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private <T> Future<T> onCallerContext(Future<T> f) {
    return context == null ? f : Bridge.onContext(f, context);
  }
}
