package io.raftoral.events;

import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.management.NodeState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;

/**
 * Node and execution-cluster events read from the difference between two management views (cluster 0's state as
 * this node applied it). Heartbeats and reports change a view without changing its topology; they give no event.
 */
final class TopologyChanges {

  /** The cluster id node-directory events carry: the management cluster's. */
  static final long MANAGEMENT_CLUSTER = 0;

  private final NodeEvents events;
  private ManagementView last = ManagementView.EMPTY;

  TopologyChanges(NodeEvents events) {
    this.events = events;
  }

  /** Publishes what changed since the last view given. Called on one thread at a time. */
  void update(ManagementView next) {
    ManagementView prev = last;
    if (next == prev || next.topologyVersion() == prev.topologyVersion()) {
      last = next;
      return;
    }
    last = next;
    for (NodeRecord n : next.nodes().values()) {
      NodeRecord before = prev.nodes().get(n.id());
      if (before == null || before.state() != n.state()) {
        nodeChanged(n, before == null ? null : before.state());
      }
    }
    for (NodeRecord before : prev.nodes().values()) {
      if (!next.nodes().containsKey(before.id()) && before.state() != NodeState.LEAVING) {
        events.publish(EventKind.NODE_LEFT, MANAGEMENT_CLUSTER, node(before).put("removed", true));
      }
    }
    for (ExecutionCluster c : next.clusters().values()) {
      if (!prev.clusters().containsKey(c.id())) {
        events.publish(EventKind.EXECUTION_CLUSTER_CREATED, c.id(),
            new JsonObject().put("members", new JsonArray(new ArrayList<>(c.desiredMembers()))));
      }
    }
  }

  private void nodeChanged(NodeRecord n, NodeState previous) {
    JsonObject fields = node(n);
    if (previous != null) {
      fields.put("previous_state", previous.name());
    }
    EventKind kind = switch (n.state()) {
      case ALIVE -> EventKind.NODE_JOINED;
      case FAILED -> EventKind.NODE_FAILED;
      case LEAVING -> EventKind.NODE_LEFT;
      case DRAINING -> EventKind.NODE_DRAINING;
    };
    events.publish(kind, MANAGEMENT_CLUSTER, fields);
  }

  private static JsonObject node(NodeRecord n) {
    return new JsonObject().put("node", n.id()).put("address", n.address()).put("state", n.state().name());
  }
}
