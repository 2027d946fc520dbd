package io.raftoral.raft.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * Node-level liveness as a quiescing runtime sees it (CockroachDB's node liveness, the host's coalesced per-node
 * heartbeat here): each server records when it last heard anything from each other server, through Raft messages
 * of the group or through the node heartbeat every server sends every other one each tick. A node is live to an
 * observer while it was heard within {@code timeoutUnits}.
 */
final class SimNodeLiveness {

  private final long timeoutUnits;
  private final Map<Long, Map<Long, Long>> lastHeard = new HashMap<>();

  SimNodeLiveness(long timeoutUnits) {
    this.timeoutUnits = timeoutUnits;
  }

  /** {@code observer} heard from {@code subject} at {@code time}. */
  void heard(long observer, long subject, long time) {
    lastHeard.computeIfAbsent(observer, o -> new HashMap<>()).put(subject, time);
  }

  /** Whether {@code observer} considers {@code subject}'s node up at {@code time} (itself always). */
  boolean isLive(long observer, long subject, long time) {
    if (observer == subject) {
      return true;
    }
    Long at = lastHeard.getOrDefault(observer, Map.of()).get(subject);
    return at != null && time - at <= timeoutUnits;
  }

  /** A restarted server has heard from nobody yet. */
  void forget(long observer) {
    lastHeard.remove(observer);
  }
}
