package io.raftoral.group;

import io.raftoral.raft.Message;
import io.raftoral.transport.LocalOnlyCodec;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/** Inbound Raft messages for one group, handed from the router to the group over the local event bus. */
public record GroupDelivery(List<Message> messages) {

  public GroupDelivery {
    messages = List.copyOf(messages);
  }

  /** Registers the local-only codec on {@code bus} (once per Vert.x instance). */
  public static void registerCodec(EventBus bus) {
    LocalOnlyCodec.register(bus, GroupDelivery.class);
  }
}
