package io.raftoral.transport;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * The fetching side of one out-of-band snapshot transfer, whatever the protocol: it cuts the pieces the peer sends
 * (of whatever size) into chunks of exactly the requested size (the last one shorter), hands them in order to the
 * {@link SnapshotChunkHandler}, and pauses the protocol's stream while the handler's future is pending, so a slow
 * receiver holds up the peer through flow control instead of buffering the snapshot. The transfer fails when the
 * handler fails, the stream breaks, or no data arrives for the stall timeout while the transfer waits on the network
 * (a peer that vanished without closing its socket); time spent waiting on the handler does not count.
 *
 * <p>Confined to one context (the fetching caller's): every method must be called there; the handler's futures may
 * complete on any thread and are brought back to it.
 */
public final class SnapshotChunker {

  /** How often per stall timeout the watchdog looks: a stalled transfer fails at most a quarter late. */
  private static final int WATCHDOG_CHECKS_PER_TIMEOUT = 4;

  private final Context context;
  private final Vertx vertx;
  private final int chunkSize;
  private final SnapshotChunkHandler handler;
  private final long stallNanos;
  private final LongConsumer countBytes;
  private final Promise<Void> done = Promise.promise();
  private final long watchdog;
  private ReadStream<?> stream;
  private Runnable abort = () -> { };
  /** Received bytes not yet handed to the handler, from {@link #pendingStart}. */
  private Buffer pending = Buffer.buffer();
  private int pendingStart;
  /** The snapshot offset of {@code pending}'s byte at {@link #pendingStart}. */
  private long nextOffset;
  private boolean handling;
  private boolean failing;
  /** Whether this chunker paused the stream (it resumes only what it paused). */
  private boolean paused;
  private boolean ended;
  private long lastProgressNanos = System.nanoTime();

  /**
   * A transfer from {@code offset} in chunks of {@code chunkSize}, its events on {@code context};
   * {@code countBytes} is told of every byte received.
   */
  public SnapshotChunker(Vertx vertx, Context context, long offset, int chunkSize, SnapshotChunkHandler handler,
      long stallTimeoutMillis, LongConsumer countBytes) {
    this.vertx = vertx;
    this.context = context;
    this.nextOffset = offset;
    this.chunkSize = chunkSize;
    this.handler = handler;
    this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallTimeoutMillis);
    this.countBytes = countBytes;
    // Checks a few times per timeout, on the transfer's context whatever thread the timer fires on.
    long period = Math.max(1, stallTimeoutMillis / WATCHDOG_CHECKS_PER_TIMEOUT);
    this.watchdog = vertx.setPeriodic(period, t -> context.runOnContext(v -> checkStalled()));
  }

  /** Completes after the last chunk was handled; fails as the class comment says. */
  public Future<Void> future() {
    return done.future();
  }

  /** Whether the transfer already ended (a late callback of its stream has nothing left to do). */
  public boolean isDone() {
    return done.future().isComplete();
  }

  /**
   * The protocol's stream of the snapshot's bytes (paused while the handler works) and how to abandon it (reset the
   * stream or close the connection) when the transfer fails.
   */
  public void attach(ReadStream<?> stream, Runnable abort) {
    this.stream = stream;
    this.abort = abort;
    if (isDone()) {
      abort.run();
    }
  }

  /** The next bytes of the snapshot, as received. */
  public void append(Buffer data) {
    if (isDone() || ended) {
      return;
    }
    lastProgressNanos = System.nanoTime();
    countBytes.accept(data.length());
    if (pendingStart > 0) {
      pending = pending.getBuffer(pendingStart, pending.length());
      pendingStart = 0;
    }
    pending.appendBuffer(data);
    deliver();
  }

  /** The next bytes of the snapshot, which the peer says start at {@code offset}: a gap or overlap fails it. */
  public void append(long offset, Buffer data) {
    long expected = nextOffset + pendingLength();
    if (offset != expected) {
      fail(new IllegalStateException("the peer sent bytes from offset " + offset + ", expected " + expected));
      return;
    }
    append(data);
  }

  /** The peer sent everything: the rest goes to the handler as the last chunk. */
  public void end() {
    if (isDone()) {
      return;
    }
    ended = true;
    deliver();
  }

  /** The transfer broke ({@code cause}); the stream is abandoned. Later events are ignored. */
  public void fail(Throwable cause) {
    if (isDone() || failing) {
      return;
    }
    // The stream is abandoned before the caller learns of the failure (it may resume at once); abandoning it may
    // report an error of its own, which is ignored.
    failing = true;
    finish();
    try {
      abort.run();
    } finally {
      done.tryFail(cause);
    }
  }

  private int pendingLength() {
    return pending.length() - pendingStart;
  }

  /**
   * Hands out every full chunk (and the rest once the stream ended), one at a time: while the handler's future is
   * pending, the stream is paused. A handler that answers at once is looped over, not recursed into, so tiny chunks
   * cannot exhaust the stack.
   */
  private void deliver() {
    while (!handling && !isDone()) {
      int available = pendingLength();
      if (available < chunkSize && !(ended && available > 0)) {
        if (ended) {
          if (done.tryComplete()) {
            finish();
          }
        } else if (stream != null && paused) {
          paused = false;
          stream.resume();
        }
        return;
      }
      int length = Math.min(chunkSize, available);
      Buffer chunk = pending.getBuffer(pendingStart, pendingStart + length);
      pendingStart += length;
      long offset = nextOffset;
      nextOffset += length;
      Future<Void> handled;
      try {
        handled = handler.onChunk(offset, chunk);
      } catch (RuntimeException e) {
        handled = Future.failedFuture(e);
      }
      if (handled.isComplete() && Vertx.currentContext() == context) {
        if (handled.failed()) {
          fail(failureOf(handled.cause()));
        }
        continue;
      }
      handling = true;
      if (stream != null && !paused) {
        paused = true;
        stream.pause();
      }
      handled.onComplete(this::handledOnAnyThread);
      return;
    }
  }

  private void handledOnAnyThread(AsyncResult<Void> ar) {
    if (Vertx.currentContext() == context) {
      handled(ar);
    } else {
      context.runOnContext(v -> handled(ar));
    }
  }

  private void handled(AsyncResult<Void> ar) {
    handling = false;
    lastProgressNanos = System.nanoTime();
    if (ar.failed()) {
      fail(failureOf(ar.cause()));
    } else {
      deliver();
    }
  }

  private static Throwable failureOf(Throwable handlerFailure) {
    return handlerFailure != null ? handlerFailure : new IllegalStateException("the chunk handler failed");
  }

  private void checkStalled() {
    if (!handling && !isDone() && System.nanoTime() - lastProgressNanos > stallNanos) {
      fail(new TimeoutException("no snapshot data for " + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms"));
    }
  }

  private void finish() {
    vertx.cancelTimer(watchdog);
    pending = Buffer.buffer();
    pendingStart = 0;
  }
}
