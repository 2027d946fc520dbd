package io.raftoral.events;

import io.raftoral.group.RaftGroupEvent;
import io.raftoral.management.ManagementView;
import io.raftoral.workflow.WorkflowRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Feeds a node's {@link NodeEvents} from what the layers below publish already: each hosted Raft group's
 * {@link RaftGroupEvent}s and each execution cluster's workflow events (local event-bus addresses), and the
 * management view (node and execution-cluster changes, see {@link TopologyChanges}).
 *
 * <p>Threading: execution clusters are watched from the management layer's context and cluster 0 and the view from
 * the node's; consumers deliver on the context that registered them, so every method is synchronized (all are short).
 */
public final class NodeEventFeeds {

  private final Vertx vertx;
  private final NodeEvents events;
  private final TopologyChanges topology;
  private final Map<Long, List<MessageConsumer<JsonObject>>> consumers = new HashMap<>();
  /** The last leader (and term) reported per group, so that a repeated report makes no second event. */
  private final Map<Long, String> lastLeader = new HashMap<>();

  public NodeEventFeeds(Vertx vertx, NodeEvents events) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.events = Objects.requireNonNull(events, "events");
    this.topology = new TopologyChanges(events);
  }

  public NodeEvents events() {
    return events;
  }

  /** Follows the Raft events of group {@code groupId} on this node (e.g. cluster 0). Call before it starts. */
  public synchronized void watchGroup(long groupId) {
    if (consumers.containsKey(groupId)) {
      return;
    }
    List<MessageConsumer<JsonObject>> list = new ArrayList<>();
    list.add(vertx.eventBus().<JsonObject>localConsumer(RaftGroupEvent.address(events.nodeId(), groupId),
        m -> raftEvent(groupId, m.body())));
    consumers.put(groupId, list);
  }

  /** Follows execution cluster {@code clusterId}: its Raft events and its workflow events. */
  public synchronized void watchExecutionCluster(long clusterId) {
    if (consumers.containsKey(clusterId)) {
      return;
    }
    watchGroup(clusterId);
    consumers.get(clusterId).add(vertx.eventBus().<JsonObject>localConsumer(
        WorkflowRuntime.eventAddress(events.nodeId(), clusterId), m -> workflowEvent(clusterId, m.body())));
  }

  /** Stops following {@code clusterId} (this node left it). */
  public synchronized void unwatch(long clusterId) {
    List<MessageConsumer<JsonObject>> list = consumers.remove(clusterId);
    if (list != null) {
      list.forEach(MessageConsumer::unregister);
    }
    lastLeader.remove(clusterId);
  }

  /** Publishes the node and execution-cluster changes between the last view given and {@code view}. */
  public synchronized void viewChanged(ManagementView view) {
    topology.update(view);
  }

  /** Stops following everything. */
  public synchronized void close() {
    new ArrayList<>(consumers.keySet()).forEach(this::unwatch);
  }

  private synchronized void raftEvent(long groupId, JsonObject e) {
    String type = e.getString("type");
    if (RaftGroupEvent.LEADER_CHANGED.equals(type)) {
      long leader = e.getLong("leader", 0L);
      long term = e.getLong("term", 0L);
      String key = leader + "@" + term;
      if (leader != 0 && !key.equals(lastLeader.put(groupId, key))) {
        events.publish(EventKind.LEADER_ELECTED, groupId, new JsonObject().put("leader", leader).put("term", term));
      }
    } else if (RaftGroupEvent.MEMBERSHIP_CHANGED.equals(type)) {
      events.publish(EventKind.MEMBERSHIP_CHANGED, groupId, new JsonObject().put("voters", e.getJsonArray("voters"))
          .put("learners", e.getJsonArray("learners")).put("index", e.getLong("index")));
    }
  }

  private synchronized void workflowEvent(long clusterId, JsonObject e) {
    EventKind kind = switch (e.getString("event", "")) {
      case WorkflowRuntime.EVENT_STARTED -> EventKind.WORKFLOW_STARTED;
      case WorkflowRuntime.EVENT_COMPLETED -> EventKind.WORKFLOW_COMPLETED;
      case WorkflowRuntime.EVENT_FAILED -> EventKind.WORKFLOW_FAILED;
      case WorkflowRuntime.EVENT_TERMINATED -> EventKind.WORKFLOW_TERMINATED;
      case WorkflowRuntime.EVENT_OWNER_CHANGED -> EventKind.WORKFLOW_OWNER_CHANGED;
      default -> null; // checkpoints and replica failures stay on the workflow runtime's own address
    };
    if (kind == null) {
      return;
    }
    JsonObject fields = new JsonObject().put("workflow_id", e.getString("workflowId"))
        .put("workflow_type", e.getString("workflowType"));
    copy(e, "version", fields, "version");
    copy(e, "owner", fields, "owner");
    copy(e, "previousOwner", fields, "previous_owner");
    copy(e, "checkpoints", fields, "checkpoints");
    copy(e, "errorType", fields, "error_type");
    copy(e, "error", fields, "error");
    events.publish(kind, clusterId, fields);
  }

  private static void copy(JsonObject from, String key, JsonObject to, String name) {
    if (from.containsKey(key)) {
      to.put(name, from.getValue(key));
    }
  }
}
