package io.raftoral.group.impl;

import io.raftoral.group.RaftGroupEvent;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Role;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;

/** Publishes one group's {@link RaftGroupEvent}s on this node's event bus. */
final class GroupEventPublisher {

  private final EventBus eventBus;
  private final long nodeId;
  private final long groupId;
  private final String address;
  private long lastPublishedApplied;

  GroupEventPublisher(EventBus eventBus, long nodeId, long groupId) {
    this.eventBus = eventBus;
    this.nodeId = nodeId;
    this.groupId = groupId;
    this.address = RaftGroupEvent.address(nodeId, groupId);
  }

  void leaderChanged(long leader, long term) {
    publish(event(RaftGroupEvent.LEADER_CHANGED).put("leader", leader).put("term", term));
  }

  void roleChanged(Role role, long term) {
    publish(event(RaftGroupEvent.ROLE_CHANGED).put("role", role.name()).put("term", term));
  }

  void membershipChanged(Membership m, long index) {
    publish(event(RaftGroupEvent.MEMBERSHIP_CHANGED)
        .put("voters", new JsonArray(new ArrayList<>(m.voters())))
        .put("learners", new JsonArray(new ArrayList<>(m.learners())))
        .put("index", index));
  }

  /** Publishes {@code appliedIndex} if it moved since the last call (called once per tick). */
  void appliedIfMoved(long appliedIndex) {
    if (appliedIndex != lastPublishedApplied) {
      lastPublishedApplied = appliedIndex;
      publish(event(RaftGroupEvent.APPLIED).put("index", appliedIndex));
    }
  }

  private JsonObject event(String type) {
    return RaftGroupEvent.of(type, nodeId, groupId);
  }

  private void publish(JsonObject event) {
    eventBus.publish(address, event);
  }
}
