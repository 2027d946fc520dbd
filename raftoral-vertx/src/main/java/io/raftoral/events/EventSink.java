package io.raftoral.events;

import io.vertx.core.streams.WriteStream;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where an {@link EventSubscription} writes: an HTTP response, a gRPC stream, a test's list. Called on the
 * subscription's context only.
 */
public interface EventSink {

  /** Whether the sink takes an event now without queueing it beyond its own bounded buffer. */
  boolean ready();

  /** Writes {@code event}; called only when {@link #ready()} said so. */
  void write(NodeEvent event);

  /** Calls {@code handler} once when the sink is ready again (after {@link #ready()} said false). */
  void onReady(Runnable handler);

  /** Whether a write failed (the client went away): the subscription then closes itself. */
  default boolean failed() {
    return false;
  }

  /** A sink over a Vert.x {@link WriteStream}: ready while its write queue is not full. */
  static <T> EventSink of(WriteStream<T> stream, Function<NodeEvent, T> encode) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(encode, "encode");
    return new EventSink() {
      private volatile boolean failed;

      @Override
      public boolean ready() {
        return !stream.writeQueueFull();
      }

      @Override
      public void write(NodeEvent event) {
        stream.write(encode.apply(event)).onFailure(e -> failed = true);
      }

      @Override
      public boolean failed() {
        return failed;
      }

      @Override
      public void onReady(Runnable handler) {
        stream.drainHandler(v -> handler.run());
      }
    };
  }
}
