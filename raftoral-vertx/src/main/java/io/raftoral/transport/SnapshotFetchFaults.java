package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * The faults a {@link FaultInjectingTransport} injects into the snapshots its node fetches, and what tests observe
 * of them: chunks from a firewalled peer fail the fetch like a broken connection; chunks can be held past a number
 * of bytes (a stalled transfer) and released; the next chunk can be corrupted (one byte flipped); the start offset
 * of every fetch, the bytes handed to the receiver and the fetches refused by the firewall are recorded.
 */
final class SnapshotFetchFaults {

  private final AtomicLong bytesFetched = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final List<Long> startOffsets = new ArrayList<>();
  private final List<Runnable> held = new ArrayList<>();
  private final AtomicBoolean corruptNext = new AtomicBoolean();
  private volatile long holdAfterBytes = Long.MAX_VALUE;

  /** Wraps the handler of a fetch from {@code fromNode} starting at {@code offset}. */
  SnapshotChunkHandler wrap(long fromNode, long offset, SnapshotChunkHandler handler, LongPredicate blocked) {
    synchronized (this) {
      startOffsets.add(offset);
    }
    return new SnapshotChunkHandler() {
      @Override
      public Future<Void> onChunk(long at, Buffer data) {
        if (blocked.test(fromNode)) {
          return Future.failedFuture(new ConnectException("node " + fromNode + " is firewalled"));
        }
        if (bytesFetched.get() >= holdAfterBytes) {
          Promise<Void> later = Promise.promise();
          synchronized (SnapshotFetchFaults.this) {
            held.add(() -> onChunk(at, data).onComplete(later));
          }
          return later.future();
        }
        Buffer chunk = data;
        if (corruptNext.getAndSet(false)) {
          chunk = data.copy();
          int middle = chunk.length() / 2;
          chunk.setByte(middle, (byte) ~chunk.getByte(middle));
        }
        bytesFetched.addAndGet(chunk.length());
        return handler.onChunk(at, chunk);
      }
    };
  }

  /** A fetch from a firewalled peer was refused before it started. */
  void refused() {
    refused.incrementAndGet();
  }

  long refusedCount() {
    return refused.get();
  }

  void holdAfter(long bytes) {
    holdAfterBytes = bytes;
  }

  /** Stops holding and hands the held chunks on (each fails if its peer is firewalled by now). */
  void release() {
    holdAfterBytes = Long.MAX_VALUE;
    List<Runnable> resumed;
    synchronized (this) {
      resumed = new ArrayList<>(held);
      held.clear();
    }
    resumed.forEach(Runnable::run);
  }

  synchronized int heldCount() {
    return held.size();
  }

  void corruptNext() {
    corruptNext.set(true);
  }

  synchronized List<Long> startOffsets() {
    return List.copyOf(startOffsets);
  }

  long bytesFetched() {
    return bytesFetched.get();
  }
}
