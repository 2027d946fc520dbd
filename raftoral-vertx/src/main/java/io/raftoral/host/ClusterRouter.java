package io.raftoral.host;

import io.raftoral.group.GroupDelivery;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.raft.Message;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes inbound Raft batches of one node to its groups: envelopes are grouped by group id and handed to each
 * group's local event-bus address ({@code raftoral.raft.<nodeId>.<groupId>}) with a local-only codec. Envelopes
 * for another node, without a message, or for a group id this node does not host are counted and refused, never
 * fatal. Every batch also counts as proof that its sender's node is up ({@link NodeLiveness}).
 */
public final class ClusterRouter {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRouter.class);

  private final long nodeId;
  private final EventBus bus;
  private final Set<Long> hosted = ConcurrentHashMap.newKeySet();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong unknownCluster = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final NodeLiveness liveness;

  /** What happened to one inbound batch, for transports that answer their peer. */
  public record Outcome(int delivered, int unknownCluster, int malformed) {
    public boolean allDelivered() {
      return unknownCluster == 0 && malformed == 0;
    }
  }

  ClusterRouter(long nodeId, EventBus bus, NodeLiveness liveness) {
    this.nodeId = nodeId;
    this.bus = bus;
    this.liveness = liveness;
    GroupDelivery.registerCodec(bus);
  }

  void register(long groupId) {
    hosted.add(groupId);
  }

  void unregister(long groupId) {
    hosted.remove(groupId);
  }

  /** Routes {@code batch}; callable from any thread. */
  public Outcome route(RaftBatch batch) {
    if (batch == null || batch.toNode() != nodeId) {
      malformed.incrementAndGet();
      LOG.warn("node {}: refused a batch addressed to node {}", nodeId, batch == null ? null : batch.toNode());
      return new Outcome(0, 0, 1);
    }
    if (batch.fromNode() > 0) {
      // Any batch, even an empty node heartbeat, shows that its sender's node is up.
      liveness.heard(batch.fromNode());
    }
    Map<Long, List<Message>> byGroup = new LinkedHashMap<>();
    int bad = 0;
    int unknown = 0;
    for (RaftEnvelope env : batch.envelopes()) {
      Message m = env == null ? null : env.message();
      if (m == null || m.to() != nodeId || m.from() <= 0 || m.from() != batch.fromNode()) {
        bad++;
        continue;
      }
      if (!hosted.contains(env.clusterId())) {
        unknown++;
        continue;
      }
      byGroup.computeIfAbsent(env.clusterId(), id -> new ArrayList<>()).add(m);
    }
    if (bad > 0) {
      malformed.addAndGet(bad);
      LOG.warn("node {}: refused {} malformed envelope(s) from node {}", nodeId, bad, batch.fromNode());
    }
    if (unknown > 0) {
      unknownCluster.addAndGet(unknown);
      LOG.debug("node {}: {} envelope(s) from node {} for group ids not hosted here", nodeId, unknown,
          batch.fromNode());
    }
    int count = 0;
    for (Map.Entry<Long, List<Message>> e : byGroup.entrySet()) {
      bus.send(GroupEnvironment.inboxAddress(nodeId, e.getKey()), new GroupDelivery(e.getValue()));
      count += e.getValue().size();
    }
    delivered.addAndGet(count);
    return new Outcome(count, unknown, bad);
  }

  public long deliveredCount() {
    return delivered.get();
  }

  /** Envelopes for group ids this node does not host. */
  public long unknownClusterCount() {
    return unknownCluster.get();
  }

  /** Envelopes refused as malformed (no message, wrong recipient, forged sender). */
  public long malformedCount() {
    return malformed.get();
  }
}
