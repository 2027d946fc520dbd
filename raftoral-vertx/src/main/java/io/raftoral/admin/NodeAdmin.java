package io.raftoral.admin;

import static io.raftoral.admin.AdminErrors.denied;
import static io.raftoral.admin.AdminErrors.invalid;
import static io.raftoral.admin.AdminErrors.notFound;
import static io.raftoral.admin.AdminErrors.precondition;
import static io.raftoral.admin.AdminErrors.unavailable;

import io.raftoral.admin.AdminResults.Backup;
import io.raftoral.admin.AdminResults.DrainProgress;
import io.raftoral.admin.AdminResults.LeadershipTransferred;
import io.raftoral.admin.AdminResults.Removal;
import io.raftoral.admin.AdminResults.SnapshotTaken;
import io.raftoral.async.Bridge;
import io.raftoral.group.Committed;
import io.raftoral.group.RaftGroup;
import io.raftoral.management.ManagementCommand;
import io.raftoral.management.ManagementCommand.NodeLeaving;
import io.raftoral.management.ManagementCommand.SetDraining;
import io.raftoral.management.ManagementResult;
import io.raftoral.management.ManagementService;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.management.NodeState;
import io.raftoral.node.RaftoralNode;
import io.raftoral.raft.Membership;
import io.raftoral.storage.LogStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The operator commands of one node: read the topology, move a group's leadership, take a snapshot, remove a failed
 * node, drain a node before maintenance, back the node's storage up. Every command is refused (PERMISSION_DENIED)
 * unless the node was started with {@link io.raftoral.node.NodeOptions#setAdminEnabled admin enabled}; unknown nodes
 * and groups are NOT_FOUND, bad input INVALID_ARGUMENT, a command the cluster's state forbids FAILED_PRECONDITION
 * (the codes of {@link io.raftoral.workflow.ErrorCode}). No command blocks an event loop: waits are timers, backups
 * run on a worker.
 *
 * <p>Cluster-wide commands (remove, drain) are proposed to cluster 0 from any node and carried out by the
 * management machinery (the cluster manager moves the node out of its execution clusters, each group's leader hands
 * leadership over before removing itself). Group commands act on this node's member: a transfer must be asked of
 * the group's leader, a snapshot is taken of this node's member.
 *
 * <p>The {@code Uni}s are lazy; their items arrive on a Vert.x thread (an event loop or a worker).
 */
public final class NodeAdmin {

  /** How long remove and drain wait for the cluster to carry them out, unless told. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  /** The longest wait a caller may ask for. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(10);
  private static final long POLL_MILLIS = 200;

  private final Vertx vertx;
  private final RaftoralNode node;
  private final LogStore store;
  private final boolean enabled;

  /**
   * @param vertx the node's Vert.x instance (timers of the waits)
   * @param node the started node
   * @param store the node's storage (what {@link #backup} copies)
   */
  public NodeAdmin(Vertx vertx, RaftoralNode node, LogStore store) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.node = Objects.requireNonNull(node, "node");
    this.store = Objects.requireNonNull(store, "store");
    this.enabled = node.options().isAdminEnabled();
  }

  /** Whether this node serves operator commands. */
  public boolean isEnabled() {
    return enabled;
  }

  /** The node's id. */
  public long nodeId() {
    return node.nodeId();
  }

  /** The cluster as this node sees it (see {@link Topology}). */
  public Uni<Topology> topology() {
    return call(() -> Future.succeededFuture(TopologyReader.read(node.nodeId(), node.host(), node.management())));
  }

  /**
   * Hands the leadership of group {@code groupId} (0 for cluster 0) to voter {@code toNode}. This node must lead the
   * group (else FAILED_PRECONDITION naming the leader: ask it there). Emits once {@code toNode} leads.
   */
  public Uni<LeadershipTransferred> transferLeadership(long groupId, long toNode) {
    return call(() -> {
      RaftGroup<?, ?> g = hostedGroup(groupId);
      knownNode(toNode);
      if (g.leaderId() == toNode) {
        return Future.succeededFuture(new LeadershipTransferred(groupId, toNode));
      }
      if (!g.isLeader()) {
        throw precondition("node " + node.nodeId() + " does not lead group " + groupId + "; its leader is "
            + (g.leaderId() > 0 ? "node " + g.leaderId() : "unknown") + ": ask the leader");
      }
      if (!g.membership().isVoter(toNode)) {
        throw invalid("node " + toNode + " is no voter of group " + groupId);
      }
      return Bridge.future(g.transferLeadership(toNode)).map(v -> new LeadershipTransferred(groupId, toNode));
    });
  }

  /** Takes a snapshot of this node's member of group {@code groupId} now (see {@link RaftGroup#snapshot()}). */
  public Uni<SnapshotTaken> snapshot(long groupId) {
    return call(() -> Bridge.future(hostedGroup(groupId).snapshot())
        .map(index -> new SnapshotTaken(node.nodeId(), groupId, index)));
  }

  /**
   * Removes node {@code nodeId} from the cluster: it is moved out of every execution cluster and of cluster 0 (each
   * group's leader removes it), then out of the directory. Meant for a failed node; a node that is not failed (alive
   * or draining) is refused with FAILED_PRECONDITION unless {@code force}. Waits up to {@code wait} for the removal
   * to finish; the answer says whether it did (it goes on either way).
   */
  public Uni<Removal> removeNode(long nodeId, boolean force, Duration wait) {
    return call(() -> {
      NodeRecord n = knownNode(nodeId);
      Duration w = checkedWait(wait);
      if (nodeId == node.nodeId()) {
        throw invalid("node " + nodeId + " is the node asked; ask another node, or drain and shut it down");
      }
      if (!force && (n.state() == NodeState.ALIVE || n.state() == NodeState.DRAINING)) {
        throw precondition("node " + nodeId + " is " + n.state() + ", not failed; pass force to remove it anyway");
      }
      return propose(new NodeLeaving(nodeId))
          .compose(v -> waitUntil(() -> !view().nodes().containsKey(nodeId), w))
          .map(removed -> new Removal(nodeId, removed,
              view().node(nodeId).map(r -> r.state().name()).orElse(null)));
    });
  }

  /**
   * Drains node {@code nodeId} before maintenance: marks it draining in cluster 0, so that the cluster manager
   * replaces it in every execution cluster (each group's leader, if it is the node, hands leadership over first;
   * its workflows get owners among the remaining members) and cluster 0 lets it go. Waits up to {@code wait} for
   * that; the answer says whether it is done. The node keeps running and is never declared failed while draining.
   */
  public Uni<DrainProgress> drain(long nodeId, Duration wait) {
    return call(() -> {
      knownNode(nodeId);
      Duration w = checkedWait(wait);
      return propose(new SetDraining(nodeId, true))
          .compose(v -> waitUntil(() -> progress(nodeId).done(), w))
          .map(done -> progress(nodeId));
    });
  }

  /** Where the drain of {@code nodeId} stands (for a node that is not draining, {@code done} is false). */
  public Uni<DrainProgress> drainStatus(long nodeId) {
    return call(() -> {
      knownNode(nodeId);
      return Future.succeededFuture(progress(nodeId));
    });
  }

  /** Ends the drain of {@code nodeId}: it is alive again and the cluster manager places it anew. */
  public Uni<DrainProgress> undrain(long nodeId) {
    return call(() -> {
      knownNode(nodeId);
      return propose(new SetDraining(nodeId, false)).map(v -> progress(nodeId));
    });
  }

  /**
   * Writes a consistent copy of this node's storage, as of one moment, into {@code targetDirectory} on this node's
   * machine (created if missing; refused with INVALID_ARGUMENT unless empty), while the node keeps running. A storage
   * that cannot be copied (in memory) is FAILED_PRECONDITION.
   */
  public Uni<Backup> backup(Path targetDirectory) {
    return call(() -> {
      if (targetDirectory == null || !targetDirectory.isAbsolute()) {
        throw invalid("the backup target must be an absolute directory path on the node, was " + targetDirectory);
      }
      return store.backup(targetDirectory).recover(e -> Future.failedFuture(
          e instanceof UnsupportedOperationException ? precondition(e.getMessage())
              : e.getMessage() != null && e.getMessage().contains("not empty") ? invalid(e.getMessage()) : e))
          .map(bytes -> new Backup(node.nodeId(), targetDirectory.toString(), bytes));
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Runs {@code command} if enabled; whatever it throws becomes the failure. */
  private <T> Uni<T> call(Supplier<Future<T>> command) {
    return Bridge.uni(() -> {
      if (!enabled) {
        return Future.failedFuture(denied("admin operations are disabled on node " + node.nodeId()
            + " (start it with --admin-enabled)"));
      }
      try {
        return command.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
  }

  private ManagementView view() {
    return node.view();
  }

  private NodeRecord knownNode(long nodeId) {
    if (nodeId <= 0) {
      throw invalid("node ids are > 0, was " + nodeId);
    }
    return view().node(nodeId).orElseThrow(() -> notFound("no node " + nodeId + " in the directory"));
  }

  /** This node's running member of group {@code groupId}; NOT_FOUND for no such group, else FAILED_PRECONDITION. */
  private RaftGroup<?, ?> hostedGroup(long groupId) {
    if (groupId < 0) {
      throw invalid("group ids are >= 0, was " + groupId);
    }
    if (groupId != ManagementService.MANAGEMENT_CLUSTER_ID && view().cluster(groupId).isEmpty()) {
      throw notFound("no group " + groupId);
    }
    RaftGroup<?, ?> g = TopologyReader.hosted(node.host(), groupId);
    if (g == null) {
      throw precondition("node " + node.nodeId() + " hosts no member of group " + groupId
          + "; ask one of its members (see the topology)");
    }
    return g;
  }

  private Membership managementMembership() {
    RaftGroup<?, ?> zero = TopologyReader.hosted(node.host(), ManagementService.MANAGEMENT_CLUSTER_ID);
    return zero == null ? Membership.EMPTY : zero.status().membership();
  }

  private DrainProgress progress(long nodeId) {
    ManagementView v = view();
    String state = v.node(nodeId).map(n -> n.state().name()).orElse(null);
    Membership zero = managementMembership();
    boolean draining = NodeState.DRAINING.name().equals(state);
    return new DrainProgress(nodeId, state, referring(v, nodeId),
        zero.contains(nodeId), draining && TopologyReader.drained(v, zero, nodeId));
  }

  private static SortedSet<Long> referring(ManagementView v, long nodeId) {
    TreeSet<Long> ids = new TreeSet<>();
    v.clusters().values().forEach(c -> {
      if (c.refersTo(nodeId)) {
        ids.add(c.id());
      }
    });
    return ids;
  }

  private Future<Void> propose(ManagementCommand command) {
    ManagementService m = node.management();
    RaftGroup<ManagementCommand, ManagementResult> zero = m == null ? null : m.managementGroup();
    if (zero == null) {
      return Future.failedFuture(unavailable("node " + node.nodeId() + " has no member of cluster 0 yet"));
    }
    return Bridge.future(zero.propose(command)).map(Committed::result).compose(r -> r.accepted()
        ? Future.succeededFuture() : Future.failedFuture(precondition("refused by cluster 0: " + r.reason())));
  }

  private static Duration checkedWait(Duration wait) {
    Duration w = wait == null ? DEFAULT_WAIT : wait;
    if (w.isNegative() || w.compareTo(MAX_WAIT) > 0) {
      throw invalid("wait must be between 0 and " + MAX_WAIT.toSeconds() + " seconds, was " + w.toSeconds());
    }
    return w;
  }

  /** Completes with true once {@code done} holds, or with false when {@code wait} has passed. */
  private Future<Boolean> waitUntil(Supplier<Boolean> done, Duration wait) {
    if (done.get()) {
      return Future.succeededFuture(true);
    }
    if (wait.isZero()) {
      return Future.succeededFuture(false);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    Promise<Boolean> result = Promise.promise();
    vertx.setPeriodic(POLL_MILLIS, id -> {
      if (done.get()) {
        vertx.cancelTimer(id);
        result.tryComplete(true);
      } else if (System.nanoTime() - deadline > 0) {
        vertx.cancelTimer(id);
        result.tryComplete(false);
      }
    });
    return result.future();
  }
}
