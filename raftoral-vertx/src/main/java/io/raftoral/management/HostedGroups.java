package io.raftoral.management;

import io.raftoral.host.RaftHost;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the groups of the execution clusters this node hosts: starts a cluster's group (through the
 * {@link ExecutionGroupFactory}) when this node becomes one of its desired members, and stops it and deletes its
 * data once this node is neither desired nor in the reported configuration (its removal was committed).
 *
 * <p>Confined to the management service's context; a group is never started and stopped at the same time.
 */
final class HostedGroups {

  private static final Logger LOG = LoggerFactory.getLogger(HostedGroups.class);

  private final RaftHost host;
  private final ExecutionGroupFactory factory;
  private final ManagementStateMachine stateMachine;
  private final GroupCalls calls;
  private final Set<Long> starting = new HashSet<>();
  private final Set<Long> stopping = new HashSet<>();
  private volatile boolean closed;

  HostedGroups(RaftHost host, ExecutionGroupFactory factory, ManagementStateMachine stateMachine, GroupCalls calls) {
    this.host = host;
    this.factory = factory;
    this.stateMachine = stateMachine;
    this.calls = calls;
  }

  /** Starts the groups of the clusters that want this node; stops those whose removal of this node committed. */
  void sync() {
    ManagementView view = stateMachine.view();
    NodeRecord me = view.nodes().get(calls.nodeId());
    if (me == null) {
      return;
    }
    for (ExecutionCluster cluster : view.clusters().values()) {
      if (cluster.desiredMembers().contains(me.id()) && host.group(cluster.id()) == null && isIdle(cluster.id())) {
        start(cluster);
      }
    }
    for (long id : host.groupIds()) {
      if (id != ManagementService.MANAGEMENT_CLUSTER_ID && isIdle(id) && !wanted(view, id)) {
        stop(id, me, view);
      }
    }
  }

  /**
   * Whether this node hosts no execution group any more, started or being started or stopped. (The host forgets a
   * group as soon as it is asked to stop it: the stopping set covers the deletion of its data.)
   */
  boolean noneLeft() {
    return host.groupIds().stream().allMatch(id -> id == ManagementService.MANAGEMENT_CLUSTER_ID)
        && stopping.isEmpty() && starting.isEmpty();
  }

  /** Whether no start or stop of group {@code id} is under way. */
  private boolean isIdle(long id) {
    return !starting.contains(id) && !stopping.contains(id);
  }

  /** Starts the group of {@code cluster}, which wants this node and which this node does not host. */
  private void start(ExecutionCluster cluster) {
    long id = cluster.id();
    long self = calls.nodeId();
    // A founder starts the group with the founding voters only while the group has never reported: after that
    // (say, its data was deleted and it is wanted again) it must join like any new member.
    Set<Long> founders = cluster.founders().contains(self) && !cluster.reported() ? cluster.founders() : Set.of();
    starting.add(id);
    LOG.debug("node {}: starting group {} (founders {})", self, id, founders);
    calls.onContext(factory.start(host, id, founders)).onComplete(ar -> {
      starting.remove(id);
      if (ar.failed()) {
        LOG.warn("node {}: starting group {} failed: {}", self, id, ar.cause().toString());
      }
    });
  }

  /**
   * No group is stopped from now on: the management service is going down, and with it the host, which stops every
   * group itself (a group undeployed here while the host undeploys it fails the host's undeploy).
   */
  void close() {
    closed = true;
  }

  /** Stops group {@code id} once a view as fresh as {@code view} confirms that it no longer wants this node. */
  private void stop(long id, NodeRecord me, ManagementView view) {
    long self = me.id();
    stopping.add(id);
    // A node restarted on its storage may hold an old view: confirm on a linearizable read (thesis §6.4) before
    // deleting anything. A leaving node skips that: cluster 0 may already have let it go.
    Future<ManagementView> confirmed = me.state() == NodeState.LEAVING
        ? Future.succeededFuture(view) : calls.readView();
    confirmed.compose(fresh -> {
      if (closed || wanted(fresh, id)) {
        return Future.succeededFuture();
      }
      LOG.debug("node {}: stopping group {} and deleting its data", self, id);
      return calls.onContext(host.stopGroup(id, true));
    }).onComplete(ar -> {
      stopping.remove(id);
      if (ar.failed()) {
        LOG.debug("node {}: stopping group {} failed: {}", self, id, ar.cause().toString());
      }
    });
  }

  /** Whether execution cluster {@code clusterId} still wants, or still has, this node as a member. */
  private boolean wanted(ManagementView view, long clusterId) {
    ExecutionCluster cluster = view.clusters().get(clusterId);
    return cluster != null && cluster.refersTo(calls.nodeId());
  }
}
