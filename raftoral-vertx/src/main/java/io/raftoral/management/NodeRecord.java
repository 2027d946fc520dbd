package io.raftoral.management;

import java.util.Objects;

/**
 * One node of the directory held by cluster 0.
 *
 * @param id the node id, allocated by a committed {@link ManagementCommand.RegisterNode}
 * @param address where the node is reached (transport address, e.g. {@code host:port})
 * @param state alive, failed or leaving
 * @param lastSeenMillis when the management leader last recorded a heartbeat of the node, on that leader's clock;
 *     0 when none was recorded yet
 */
public record NodeRecord(long id, String address, NodeState state, long lastSeenMillis) {

  public NodeRecord {
    if (id <= 0) {
      throw new IllegalArgumentException("node ids must be > 0, was " + id);
    }
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
  }

  NodeRecord withState(NodeState s) {
    return new NodeRecord(id, address, s, lastSeenMillis);
  }

  NodeRecord withLastSeen(long millis) {
    return new NodeRecord(id, address, state, millis);
  }

  /** Whether the node is {@link NodeState#ALIVE}. */
  public boolean alive() {
    return state == NodeState.ALIVE;
  }
}
