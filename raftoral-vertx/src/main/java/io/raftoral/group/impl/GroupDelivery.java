package io.raftoral.group.impl;

import io.raftoral.raft.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/** Inbound Raft messages for one group, handed from the router to the group over the local event bus. */
public record GroupDelivery(List<Message> messages) {

  public GroupDelivery {
    messages = List.copyOf(messages);
  }

  /** Registers the local-only codec on {@code bus} (once per Vert.x instance). */
  public static synchronized void registerCodec(EventBus bus) {
    try {
      bus.registerDefaultCodec(GroupDelivery.class, new MessageCodec<GroupDelivery, GroupDelivery>() {
        @Override
        public void encodeToWire(Buffer buffer, GroupDelivery d) {
          throw new IllegalStateException("group deliveries never leave the JVM");
        }

        @Override
        public GroupDelivery decodeFromWire(int pos, Buffer buffer) {
          throw new IllegalStateException("group deliveries never leave the JVM");
        }

        @Override
        public GroupDelivery transform(GroupDelivery d) {
          return d;
        }

        @Override
        public String name() {
          return "raftoral-group-delivery-local";
        }

        @Override
        public byte systemCodecID() {
          return -1;
        }
      });
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another host on the same Vert.x instance
    }
  }
}
