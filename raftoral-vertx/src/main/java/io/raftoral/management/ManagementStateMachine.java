package io.raftoral.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftoral.group.StateMachine;
import io.raftoral.management.ManagementCommand.Batch;
import io.raftoral.management.ManagementCommand.CreateCluster;
import io.raftoral.management.ManagementCommand.Heartbeat;
import io.raftoral.management.ManagementCommand.MarkFailed;
import io.raftoral.management.ManagementCommand.NodeLeaving;
import io.raftoral.management.ManagementCommand.RegisterNode;
import io.raftoral.management.ManagementCommand.RemoveCluster;
import io.raftoral.management.ManagementCommand.RemoveNode;
import io.raftoral.management.ManagementCommand.ReportMembership;
import io.raftoral.management.ManagementCommand.SetDesiredMembers;
import io.raftoral.management.ManagementCommand.SetDraining;
import io.raftoral.management.ManagementCommand.SetMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replicated state of cluster 0 (DESIGN §4): the node directory, node id allocation, the execution clusters with
 * their desired membership, and metadata.
 *
 * <p>Deterministic: {@link #apply} depends only on the state and the command (times come inside commands), so
 * every member computes the same state and results. The state is an immutable {@link ManagementView}, replaced on
 * every command; {@link #view()} may be read from any thread.
 *
 * <p>Like every {@link StateMachine}, apply/snapshot/restore run on the group's event-loop context. The change
 * listener runs there too, after the new view is published: it must not block.
 */
public final class ManagementStateMachine implements StateMachine<ManagementCommand, ManagementResult> {

  private static final ObjectMapper SNAPSHOT_MAPPER = new ObjectMapper();

  private volatile ManagementView view = ManagementView.EMPTY;
  private volatile Consumer<ManagementView> listener = v -> {};

  /** The current state (as of the last applied command). Any thread. */
  public ManagementView view() {
    return view;
  }

  /**
   * Sets the callback told about every new view (after each applied command or restored snapshot), on the group's
   * context.
   */
  public void onChange(Consumer<ManagementView> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public ManagementResult apply(long index, ManagementCommand command) {
    Outcome out = step(view, command);
    view = out.view().withAppliedIndex(index);
    listener.accept(view);
    return out.result();
  }

  @Override
  public byte[] snapshot() {
    try {
      return SNAPSHOT_MAPPER.writeValueAsBytes(view);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void restore(byte[] snapshot) {
    try {
      view = SNAPSHOT_MAPPER.readValue(snapshot, ManagementView.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a management snapshot: " + e.getMessage(), e);
    }
    listener.accept(view);
  }

  /** The state after {@code command} and its result. */
  record Outcome(ManagementView view, ManagementResult result) {
    static Outcome refused(ManagementView unchanged, String reason) {
      return new Outcome(unchanged, ManagementResult.refused(reason));
    }
  }

  /** The pure transition function: {@code command} applied to {@code s}. */
  static Outcome step(ManagementView s, ManagementCommand command) {
    // an if chain rather than a pattern switch: Java 17 has pattern matching for switch only as a preview
    if (command instanceof RegisterNode c) {
      return register(s, c);
    }
    if (command instanceof Heartbeat c) {
      return heartbeat(s, c);
    }
    if (command instanceof MarkFailed c) {
      return markFailed(s, c);
    }
    if (command instanceof NodeLeaving c) {
      return nodeLeaving(s, c);
    }
    if (command instanceof RemoveNode c) {
      return removeNode(s, c);
    }
    if (command instanceof CreateCluster c) {
      return createCluster(s, c);
    }
    if (command instanceof SetDesiredMembers c) {
      return setDesiredMembers(s, c);
    }
    if (command instanceof RemoveCluster c) {
      return removeCluster(s, c);
    }
    if (command instanceof ReportMembership c) {
      return reportMembership(s, c);
    }
    if (command instanceof SetMetadata c) {
      return setMetadata(s, c);
    }
    if (command instanceof SetDraining c) {
      return setDraining(s, c);
    }
    if (command instanceof Batch c) {
      return batch(s, c);
    }
    throw new IllegalArgumentException("unknown management command " + command);
  }

  private static Outcome markFailed(ManagementView s, MarkFailed c) {
    NodeRecord n = s.nodes().get(c.nodeId());
    if (n == null || n.state() != NodeState.ALIVE) {
      return Outcome.refused(s, "node " + c.nodeId() + " is not alive");
    }
    if (n.lastSeenMillis() != c.lastSeenMillis()) {
      // a heartbeat committed after the leader decided: the node is not dead after all
      return Outcome.refused(s, "node " + c.nodeId() + " was heard from since");
    }
    return new Outcome(s.withNode(n.withState(NodeState.FAILED), true), ManagementResult.ok());
  }

  private static Outcome nodeLeaving(ManagementView s, NodeLeaving c) {
    NodeRecord n = s.nodes().get(c.nodeId());
    if (n == null) {
      return Outcome.refused(s, "unknown node " + c.nodeId());
    }
    return n.state() == NodeState.LEAVING ? new Outcome(s, ManagementResult.ok())
        : new Outcome(s.withNode(n.withState(NodeState.LEAVING), true), ManagementResult.ok());
  }

  private static Outcome setDraining(ManagementView s, SetDraining c) {
    NodeRecord n = s.nodes().get(c.nodeId());
    if (n == null) {
      return Outcome.refused(s, "unknown node " + c.nodeId());
    }
    NodeState wanted = c.draining() ? NodeState.DRAINING : NodeState.ALIVE;
    if (n.state() == wanted) {
      return new Outcome(s, ManagementResult.ok());
    }
    if (n.state() != NodeState.ALIVE && n.state() != NodeState.DRAINING) {
      return Outcome.refused(s, "node " + c.nodeId() + " is " + n.state());
    }
    return new Outcome(s.withNode(n.withState(wanted), true), ManagementResult.ok());
  }

  private static Outcome createCluster(ManagementView s, CreateCluster c) {
    if (c.clusterId() != s.nextClusterId()) {
      return Outcome.refused(s, "cluster id " + c.clusterId() + " is not the next one (" + s.nextClusterId() + ")");
    }
    String unknown = unknownNode(s, c.members());
    if (unknown != null) {
      return Outcome.refused(s, unknown);
    }
    TreeMap<Long, ExecutionCluster> clusters = new TreeMap<>(s.clusters());
    clusters.put(c.clusterId(), ExecutionCluster.created(c.clusterId(), c.members()));
    return new Outcome(s.withClusters(clusters, c.clusterId() + 1, true), ManagementResult.ok(c.clusterId()));
  }

  private static Outcome setDesiredMembers(ManagementView s, SetDesiredMembers c) {
    ExecutionCluster cluster = s.clusters().get(c.clusterId());
    if (cluster == null) {
      return Outcome.refused(s, "unknown cluster " + c.clusterId());
    }
    String unknown = unknownNode(s, c.members());
    if (unknown != null) {
      return Outcome.refused(s, unknown);
    }
    if (cluster.desiredMembers().equals(c.members())) {
      return new Outcome(s, ManagementResult.ok());
    }
    return new Outcome(s.withCluster(cluster.withDesired(c.members()), true), ManagementResult.ok());
  }

  private static Outcome removeCluster(ManagementView s, RemoveCluster c) {
    if (!s.clusters().containsKey(c.clusterId())) {
      return Outcome.refused(s, "unknown cluster " + c.clusterId());
    }
    TreeMap<Long, ExecutionCluster> clusters = new TreeMap<>(s.clusters());
    clusters.remove(c.clusterId());
    return new Outcome(s.withClusters(clusters, s.nextClusterId(), true), ManagementResult.ok());
  }

  private static Outcome reportMembership(ManagementView s, ReportMembership c) {
    ExecutionCluster cluster = s.clusters().get(c.clusterId());
    if (cluster == null) {
      return Outcome.refused(s, "unknown cluster " + c.clusterId());
    }
    if (c.index() <= cluster.reportedIndex()) {
      // a report of an older leader, or a retry, arriving after a newer one
      return Outcome.refused(s, "report at " + c.index() + " is not newer than " + cluster.reportedIndex());
    }
    // not a topology change: a report does not invalidate the decisions taken on the desired memberships
    return new Outcome(s.withCluster(cluster.withReport(c.voters(), c.learners(), c.index()), false),
        ManagementResult.ok());
  }

  private static Outcome setMetadata(ManagementView s, SetMetadata c) {
    TreeMap<String, String> m = new TreeMap<>(s.metadata());
    if (c.value() == null) {
      m.remove(c.key());
    } else {
      m.put(c.key(), c.value());
    }
    return new Outcome(s.withMetadata(m), ManagementResult.ok());
  }

  /** All of the batch or nothing; refused as a whole when the topology moved since it was decided. */
  private static Outcome batch(ManagementView s, Batch c) {
    if (c.expectedTopologyVersion() >= 0 && c.expectedTopologyVersion() != s.topologyVersion()) {
      return Outcome.refused(s, "decided on topology version " + c.expectedTopologyVersion() + ", now "
          + s.topologyVersion());
    }
    ManagementView next = s;
    for (ManagementCommand inner : c.commands()) {
      Outcome o = step(next, inner);
      if (!o.result().accepted()) {
        return Outcome.refused(s, inner.getClass().getSimpleName() + ": " + o.result().reason());
      }
      next = o.view();
    }
    return new Outcome(next, ManagementResult.ok(c.commands().size()));
  }

  /**
   * Registers a node. A node proves it holds an id's storage by asking for that id (its stored id): only then does it
   * get back the id registered at its address (a failed node is alive again; a node removed from the directory gets
   * its record back). A node that asks for any id at an address already registered lost
   * its storage (or never had one): it gets a new id and the old one is marked failed, so that the cluster manager
   * replaces it in its memberships like any failed member. Handing the old id back would let a voter with an empty
   * log and no memory of its vote rejoin its groups: a committed entry could be lost, a vote given twice.
   */
  private static Outcome register(ManagementView s, RegisterNode c) {
    NodeRecord byAddress = latestAt(s, c.address());
    boolean ownId = byAddress != null && c.requestedNodeId() == byAddress.id();
    Long byRequest = s.registrations().get(c.requestId());
    if (byRequest != null && !ownId) {
      return new Outcome(s, ManagementResult.ok(byRequest));
    }
    TreeMap<Long, NodeRecord> nodes = new TreeMap<>(s.nodes());
    boolean replaced = false;
    long id;
    if (ownId) {
      // A restart on its storage, or a node that rejoins (it was declared failed while it could not reach the
      // leader): it keeps its id and is alive again, even when it retries a request id it used before.
      id = byAddress.id();
    } else if (c.requestedNodeId() != RegisterNode.ANY_NODE_ID) {
      if (c.requestedNodeId() < 0) {
        return Outcome.refused(s, "node ids must be > 0, was " + c.requestedNodeId());
      }
      if (byAddress != null) {
        return Outcome.refused(s, "address " + c.address() + " is registered as node " + byAddress.id()
            + ", not " + c.requestedNodeId());
      }
      NodeRecord holder = s.nodes().get(c.requestedNodeId());
      if (holder != null) {
        return Outcome.refused(s, "node id " + c.requestedNodeId() + " belongs to " + holder.address());
      }
      id = c.requestedNodeId();
    } else {
      id = nextFreeId(s);
      if (byAddress != null && byAddress.state() != NodeState.FAILED) {
        // the address's former node is gone with its storage: replaced like a failed member
        nodes.put(byAddress.id(), byAddress.withState(NodeState.FAILED));
        replaced = true;
      }
    }
    NodeRecord existing = nodes.get(id);
    // A (re)registering node is alive; its last-seen time stays as recorded (0 for a new node: the cluster
    // manager then counts from when the current leader took office).
    nodes.put(id, existing == null ? new NodeRecord(id, c.address(), NodeState.ALIVE, 0)
        : existing.withState(keptOnRegistration(existing.state())));
    TreeMap<String, Long> regs = new TreeMap<>(s.registrations());
    regs.put(c.requestId(), id);
    boolean changed = replaced || existing == null || existing.state() != nodes.get(id).state();
    return new Outcome(s.withNodes(nodes, regs, Math.max(s.nextNodeId(), id + 1), changed), ManagementResult.ok(id));
  }

  /** The newest node registered at {@code address} (the highest id: a replaced node keeps its record a while). */
  private static NodeRecord latestAt(ManagementView s, String address) {
    NodeRecord latest = null;
    for (NodeRecord n : s.nodes().values()) {
      if (n.address().equals(address) && (latest == null || n.id() > latest.id())) {
        latest = n;
      }
    }
    return latest;
  }

  /** The next id to allocate, past the ids taken by nodes that insisted on theirs. */
  private static long nextFreeId(ManagementView s) {
    long id = s.nextNodeId();
    while (s.nodes().containsKey(id)) {
      id++;
    }
    return id;
  }

  /** A node registering again stays leaving or draining (an operator's decision); otherwise it is alive. */
  private static NodeState keptOnRegistration(NodeState state) {
    return state == NodeState.LEAVING || state == NodeState.DRAINING ? state : NodeState.ALIVE;
  }

  private static Outcome heartbeat(ManagementView s, Heartbeat c) {
    NodeRecord n = s.nodes().get(c.nodeId());
    if (n == null) {
      return Outcome.refused(s, "unknown node " + c.nodeId());
    }
    NodeRecord next = n.withLastSeen(Math.max(n.lastSeenMillis(), c.timeMillis()));
    boolean revived = n.state() == NodeState.FAILED;
    if (revived) {
      next = next.withState(NodeState.ALIVE);
    }
    return new Outcome(s.withNode(next, revived), ManagementResult.ok());
  }

  private static Outcome removeNode(ManagementView s, RemoveNode c) {
    NodeRecord n = s.nodes().get(c.nodeId());
    if (n == null) {
      return Outcome.refused(s, "unknown node " + c.nodeId());
    }
    if (n.alive()) {
      return Outcome.refused(s, "node " + c.nodeId() + " is alive");
    }
    if (s.referencedByAnyCluster(c.nodeId())) {
      return Outcome.refused(s, "node " + c.nodeId() + " is still referred to by an execution cluster");
    }
    TreeMap<Long, NodeRecord> nodes = new TreeMap<>(s.nodes());
    nodes.remove(c.nodeId());
    TreeMap<String, Long> regs = new TreeMap<>(s.registrations());
    regs.values().removeIf(id -> id == c.nodeId());
    return new Outcome(s.withNodes(nodes, regs, s.nextNodeId(), true), ManagementResult.ok());
  }

  private static String unknownNode(ManagementView s, Set<Long> ids) {
    for (long id : ids) {
      if (!s.nodes().containsKey(id)) {
        return "unknown node " + id;
      }
    }
    return null;
  }
}
