package io.raftoral.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SnapshotChunker} without a network: pieces of any size become chunks of exactly the requested size, the
 * stream is paused while the handler works and resumed after, a gap in the offsets or a silent peer fails the
 * transfer (and abandons the stream), and a receiver that takes its time is never mistaken for a silent peer.
 */
@ExtendWith(VertxExtension.class)
class SnapshotChunkerTest {

  private static final long WAIT_SECONDS = 30;
  private static final long STALL_MILLIS = 200;
  /** Far beyond the stall timeout: the watchdog must not count time spent in the handler. */
  private static final long SLOW_HANDLER_MILLIS = 5 * STALL_MILLIS;
  private static final long NO_STALL = TimeUnit.MINUTES.toMillis(1);

  /** A stream that only records whether it is paused. */
  private static final class RecordingStream implements ReadStream<Buffer> {
    volatile boolean paused;
    volatile int pauses;

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      pauses++;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      paused = false;
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      return this;
    }
  }

  private static <T> T on(Context ctx, Supplier<T> call) throws Exception {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(call.get()));
    return p.future().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static void run(Context ctx, Runnable call) throws Exception {
    on(ctx, () -> {
      call.run();
      return null;
    });
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void piecesOfAnySizeBecomeChunksOfTheRequestedSizeWhileTheStreamWaitsForTheHandler(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    RecordingStream stream = new RecordingStream();
    List<Long> offsets = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    List<Promise<Void>> pending = new ArrayList<>();
    SnapshotChunker chunker = on(ctx, () -> {
      SnapshotChunker c = new SnapshotChunker(vertx, ctx, 100, 10, (offset, data) -> {
        offsets.add(offset);
        lengths.add(data.length());
        Promise<Void> p = Promise.promise();
        pending.add(p);
        return p.future();
      }, NO_STALL, n -> { });
      c.attach(stream, () -> { });
      return c;
    });
    run(ctx, () -> chunker.append(100, Buffer.buffer(new byte[7])));
    assertThat(offsets).isEmpty();
    run(ctx, () -> chunker.append(107, Buffer.buffer(new byte[18])));
    assertThat(offsets).containsExactly(100L);
    assertThat(stream.paused).as("paused while the handler works").isTrue();
    run(ctx, () -> pending.get(0).complete());
    assertThat(offsets).containsExactly(100L, 110L);
    run(ctx, () -> pending.get(1).complete());
    assertThat(stream.paused).as("resumed: 5 bytes wait for more").isFalse();
    run(ctx, chunker::end);
    run(ctx, () -> pending.get(2).complete());
    chunker.future().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(offsets).containsExactly(100L, 110L, 120L);
    assertThat(lengths).containsExactly(10, 10, 5);
  }

  @Test
  void aGapInTheOffsetsFailsTheTransferAndAbandonsTheStream(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    AtomicBoolean abandoned = new AtomicBoolean();
    SnapshotChunker chunker = on(ctx, () -> {
      SnapshotChunker c = new SnapshotChunker(vertx, ctx, 0, 10, (o, d) -> Future.succeededFuture(), NO_STALL,
          n -> { });
      c.attach(new RecordingStream(), () -> abandoned.set(true));
      return c;
    });
    run(ctx, () -> chunker.append(0, Buffer.buffer(new byte[4])));
    run(ctx, () -> chunker.append(5, Buffer.buffer(new byte[4])));
    assertThat(failureOf(chunker.future())).hasMessageContaining("expected 4");
    assertThat(abandoned).isTrue();
  }

  @Test
  void aSilentPeerFailsTheTransferButASlowHandlerDoesNot(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    AtomicBoolean abandoned = new AtomicBoolean();
    SnapshotChunker silent = on(ctx, () -> {
      SnapshotChunker c = new SnapshotChunker(vertx, ctx, 0, 10, (o, d) -> Future.succeededFuture(), STALL_MILLIS,
          n -> { });
      c.attach(new RecordingStream(), () -> abandoned.set(true));
      return c;
    });
    assertThat(failureOf(silent.future())).isInstanceOf(TimeoutException.class);
    assertThat(abandoned).isTrue();

    SnapshotChunker slow = on(ctx, () -> {
      SnapshotChunker c = new SnapshotChunker(vertx, ctx, 0, 10, (o, d) -> {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(SLOW_HANDLER_MILLIS, t -> p.complete());
        return p.future();
      }, STALL_MILLIS, n -> { });
      c.attach(new RecordingStream(), () -> { });
      return c;
    });
    run(ctx, () -> slow.append(Buffer.buffer(new byte[10])));
    run(ctx, slow::end);
    slow.future().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void tinyChunksTakenAtOnceDoNotExhaustTheStack(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    int bytes = 256 * 1024;
    AtomicLong received = new AtomicLong();
    AtomicLong counted = new AtomicLong();
    RecordingStream stream = new RecordingStream();
    SnapshotChunker chunker = on(ctx, () -> {
      SnapshotChunker c = new SnapshotChunker(vertx, ctx, 0, 1, (o, d) -> {
        received.addAndGet(d.length());
        return Future.succeededFuture();
      }, NO_STALL, counted::addAndGet);
      c.attach(stream, () -> { });
      return c;
    });
    run(ctx, () -> chunker.append(Buffer.buffer(new byte[bytes])));
    run(ctx, chunker::end);
    chunker.future().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(received.get()).isEqualTo(bytes);
    assertThat(counted.get()).isEqualTo(bytes);
    assertThat(stream.pauses).as("a handler that answers at once never pauses the stream").isZero();
  }
}
