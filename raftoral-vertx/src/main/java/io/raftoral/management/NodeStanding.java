package io.raftoral.management;

import io.raftoral.group.RaftGroup;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where this node stands with the management leader, seen from the node: whether it is in contact with cluster 0
 * (it leads it, or its member hears from the leader) and, when it has been out of contact for longer than the
 * failure timeout, what it does about it.
 *
 * <p>A node killed and restarted, or cut off, may have been declared failed and moved out of cluster 0 meanwhile,
 * or even removed from the directory after the failed-node retention. Its member of cluster 0 then hears from no
 * leader (the leader no longer replicates to it) and its view of the directory is stale. Heartbeats revive a node the
 * directory still holds; a removed node's heartbeats are ignored. So a node out of contact for the failure timeout
 * rejoins ({@link ManagementClient#rejoin}) with the id of its storage, once per failure timeout until contact is
 * back: the directory holds it alive again, the cluster manager adds it to cluster 0 and places it. Until then its
 * readiness ({@link #notReadyReason()}) says it is out of contact, so that it is not used for answers from a stale
 * state.
 *
 * <p>Confined to the management service's context, except {@link #notReadyReason()} and
 * {@link #heartbeatAccepted()} (any thread).
 */
final class NodeStanding {

  private static final Logger LOG = LoggerFactory.getLogger(NodeStanding.class);

  private final GroupCalls calls;
  private final ManagementClient client;
  private final String address;
  private final long failureTimeoutMillis;
  private final LongSupplier clock;
  private final BooleanSupplier leaving;

  private long lastContactMillis;
  private long lastRejoinMillis;
  private boolean rejoining;
  private volatile long lastHeartbeatAcceptedMillis;
  private volatile String outOfContact;

  /**
   * @param calls cluster 0 on this node
   * @param client how this node reaches the management leader
   * @param address where other nodes reach this one
   * @param failureTimeoutMillis how long without contact before this node rejoins and says it is not ready
   * @param clock wall-clock milliseconds
   * @param leaving whether this node leaves the cluster (it must not rejoin then)
   */
  NodeStanding(GroupCalls calls, ManagementClient client, String address, long failureTimeoutMillis,
      LongSupplier clock, BooleanSupplier leaving) {
    this.calls = calls;
    this.client = client;
    this.address = address;
    this.failureTimeoutMillis = failureTimeoutMillis;
    this.clock = clock;
    this.leaving = leaving;
    // a node that has just started has had no chance to hear from the leader yet: one timeout's grace
    this.lastContactMillis = clock.getAsLong();
    this.lastRejoinMillis = lastContactMillis;
  }

  /** The management leader took one of this node's heartbeats. Any thread. */
  void heartbeatAccepted() {
    lastHeartbeatAcceptedMillis = clock.getAsLong();
  }

  /** Why this node is not ready for being out of contact, or null. Any thread. */
  String notReadyReason() {
    return outOfContact;
  }

  /** One round, every reconcile interval. */
  void check() {
    long now = clock.getAsLong();
    if (inContact()) {
      lastContactMillis = now;
      outOfContact = null;
      return;
    }
    long silentMillis = now - lastContactMillis;
    if (silentMillis <= failureTimeoutMillis) {
      return;
    }
    boolean heard = now - lastHeartbeatAcceptedMillis <= failureTimeoutMillis;
    outOfContact = "node " + calls.nodeId() + " has heard nothing from the management leader for " + silentMillis
        + " ms; its directory may be stale (" + (heard
            ? "the leader takes its heartbeats: it is being taken back into cluster 0)"
            : "it cannot reach the management leader)");
    if (!rejoining && !leaving.getAsBoolean() && now - lastRejoinMillis > failureTimeoutMillis) {
      rejoin(now);
    }
  }

  /** Whether this node leads cluster 0, or its member of cluster 0 heard from the leader within the timeout. */
  private boolean inContact() {
    RaftGroup<ManagementCommand, ManagementResult> g = calls.management();
    if (g.isLeader()) {
      return true;
    }
    long leader = g.leaderId();
    return leader > 0 && g.millisSinceContact(leader) <= failureTimeoutMillis;
  }

  private void rejoin(long now) {
    rejoining = true;
    lastRejoinMillis = now;
    long self = calls.nodeId();
    LOG.info("node {}: out of contact with the management leader; rejoining as node {}", self, self);
    calls.onContext(client.rejoin(address, self)).onComplete(ar -> {
      rejoining = false;
      if (ar.succeeded()) {
        LOG.info("node {}: rejoined; waiting to be taken back into cluster 0", self);
      } else {
        LOG.warn("node {}: rejoining failed (tried again in {} ms): {}", self, failureTimeoutMillis,
            ar.cause().toString());
      }
    });
  }
}
