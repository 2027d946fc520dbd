package io.raftoral.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * An event-bus codec for immutable objects that never leave the JVM: the same instance is handed to the consumer,
 * nothing is serialized, and an attempt to send one over a clustered bus fails. Between processes Raftoral uses
 * gRPC or HTTP, never a clustered event bus.
 */
public final class LocalOnlyCodec<T> implements MessageCodec<T, T> {

  private final String name;

  private LocalOnlyCodec(String name) {
    this.name = name;
  }

  /** Registers a local-only default codec for {@code type} on {@code bus}, once per Vert.x instance. */
  public static synchronized <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalOnlyCodec<>("raftoral-local-" + type.getName()));
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another host or network on the same Vert.x instance
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new IllegalStateException(name + ": this message type never leaves the JVM");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new IllegalStateException(name + ": this message type never leaves the JVM");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
