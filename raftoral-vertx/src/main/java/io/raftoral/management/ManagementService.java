package io.raftoral.management;

import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.management.ManagementCommand.Batch;
import io.raftoral.management.ManagementCommand.Heartbeat;
import io.raftoral.management.ManagementCommand.NodeLeaving;
import io.raftoral.management.ManagementCommand.RegisterNode;
import io.raftoral.management.ManagementCommand.ReportMembership;
import io.raftoral.host.RaftHost;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management layer of one node, as a verticle (DESIGN §4). It hosts the node's member of cluster 0 (running
 * the {@link ManagementStateMachine}) and:
 * <ul>
 *   <li>sends heartbeats to the management leader every heartbeat interval;</li>
 *   <li>when this node leads cluster 0: records the heartbeats it hears as committed {@link Heartbeat}s (with its
 *       own clock), runs the {@link ClusterManager} every reconcile interval and proposes its decision as one
 *       guarded {@link Batch}, and drives cluster 0's own configuration toward every alive node with at most
 *       {@code maxVoters} voters (learners are promoted when a voter fails or leaves);</li>
 *   <li>for every execution cluster this node leads: drives its Raft configuration toward the desired membership
 *       held in cluster 0, one change at a time, learner first ({@link MembershipPlanner}), and reports each
 *       committed configuration back to cluster 0 before making the next change;</li>
 *   <li>starts an execution cluster's group (through the {@link ExecutionGroupFactory}) when this node becomes one
 *       of its desired members, and stops it and deletes its data once this node is neither desired nor in the
 *       reported configuration (its removal was committed).</li>
 * </ul>
 *
 * <p>Threading: all state is confined to this verticle's event-loop context; timers, group callbacks and the
 * state machine's change notifications are all moved onto it. Public methods may be called from any thread; their
 * futures complete on this verticle's context. Nothing blocks.
 */
public final class ManagementService extends VerticleBase implements ManagementEndpoint {

  /** The cluster id of the management cluster. */
  public static final long MANAGEMENT_CLUSTER_ID = 0;

  private static final Logger LOG = LoggerFactory.getLogger(ManagementService.class);

  private final RaftHost host;
  private final String address;
  private final boolean founding;
  private final ManagementClient client;
  private final ExecutionGroupFactory factory;
  private final ManagementOptions options;
  private final RaftGroupOptions managementGroupOptions;
  private final LongSupplier clock;
  private final ManagementStateMachine stateMachine = new ManagementStateMachine();
  private volatile RaftGroup<ManagementCommand, ManagementResult> group;

  // Management-leader state: when this node took office, the heartbeats heard since the last round.
  private long leaderSince = -1;
  private final Map<Long, Long> heard = new TreeMap<>();
  private long selfRecordedAt = Long.MIN_VALUE / 2;
  private boolean roundInFlight;
  private boolean managementChangeInFlight;
  private boolean registering;
  private boolean registrationRefused;

  // Execution clusters: reconciliation state of those this node leads, groups being started or stopped.
  private final Map<Long, Leadership> leading = new HashMap<>();
  private final Set<Long> starting = new HashSet<>();
  private final Set<Long> stopping = new HashSet<>();
  private final AtomicBoolean syncScheduled = new AtomicBoolean();
  private Promise<Void> leaving;
  private boolean left;
  private volatile boolean stopped;
  private long reconcileTimer = -1;
  private long heartbeatTimer = -1;

  /** What the leader of an execution cluster tracks while it reconciles it. */
  private static final class Leadership {
    long term;
    /** The leader's last index when it took office: until it commits, a previous leader's change may be pending. */
    long settledIndex;
    boolean busy;
  }

  /**
   * @param host this node's Raft host (deployed)
   * @param address where other nodes reach this one (recorded in the node directory)
   * @param founding true for the node that founds cluster 0 (bootstrap): it starts cluster 0 as its only voter
   *     and registers itself with its host's node id. False for a node that registered through a
   *     {@link ManagementClient} (or restarts on its storage): it waits to be added to cluster 0.
   * @param client how to reach the management leader
   * @param factory starts execution groups on this node
   * @param options management settings (every node should use the same)
   * @param managementGroupOptions Raft settings of cluster 0
   */
  public ManagementService(RaftHost host, String address, boolean founding, ManagementClient client,
      ExecutionGroupFactory factory, ManagementOptions options, RaftGroupOptions managementGroupOptions) {
    this(host, address, founding, client, factory, options, managementGroupOptions, System::currentTimeMillis);
  }

  /** As the public constructor, with the clock the management leader stamps heartbeats with (tests). */
  ManagementService(RaftHost host, String address, boolean founding, ManagementClient client,
      ExecutionGroupFactory factory, ManagementOptions options, RaftGroupOptions managementGroupOptions,
      LongSupplier clock) {
    this.host = Objects.requireNonNull(host, "host");
    this.address = Objects.requireNonNull(address, "address");
    this.founding = founding;
    this.client = Objects.requireNonNull(client, "client");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.options = new ManagementOptions(Objects.requireNonNull(options, "options")).validate();
    this.managementGroupOptions = new RaftGroupOptions(managementGroupOptions);
    this.clock = clock;
  }

  /**
   * Registers the node reached at {@code address} through {@code client}, retrying (every 50 ms, with the same
   * request id, so that a retry gets the same id) until it succeeds or {@code timeoutMillis} pass. Completes with
   * the allocated node id, which the node's {@link RaftHost} must then use.
   */
  public static Future<Long> register(Vertx vertx, ManagementClient client, String address, String requestId,
      long timeoutMillis) {
    Promise<Long> p = Promise.promise();
    tryRegister(vertx, client, address, requestId, System.currentTimeMillis() + timeoutMillis, p);
    return p.future();
  }

  private static void tryRegister(Vertx vertx, ManagementClient client, String address, String requestId,
      long deadline, Promise<Long> p) {
    client.register(address, requestId).onComplete(ar -> {
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else if (System.currentTimeMillis() > deadline) {
        p.tryFail(ar.cause());
      } else {
        vertx.setTimer(50, id -> tryRegister(vertx, client, address, requestId, deadline, p));
      }
    });
  }

  @Override
  public Future<?> start() {
    stateMachine.onChange(v -> scheduleSync());
    RaftHost.GroupBuilder<ManagementCommand, ManagementResult> b =
        host.group(MANAGEMENT_CLUSTER_ID, stateMachine, ManagementCommand.CODEC).options(managementGroupOptions);
    if (founding) {
      b.members(host.nodeId());
    }
    return onContext(b.start()).onSuccess(g -> {
      group = g;
      ensureRegistered();
      heartbeatTimer = vertx.setPeriodic(options.getHeartbeatIntervalMillis(), id -> sendHeartbeat());
      reconcileTimer = vertx.setPeriodic(options.getReconcileIntervalMillis(), id -> reconcile());
    });
  }

  /**
   * Stops the management work and this node's member of cluster 0 (its data is kept for a restart, unless the node
   * has left the cluster). The execution groups are left to the host, which stops them with itself.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(reconcileTimer);
    vertx.cancelTimer(heartbeatTimer);
    RaftGroup<ManagementCommand, ManagementResult> hosted = host.group(MANAGEMENT_CLUSTER_ID);
    if (group == null || hosted != group) {
      return Future.succeededFuture();
    }
    // best effort: the host may be going down at the same time
    return host.stopGroup(MANAGEMENT_CLUSTER_ID, left).otherwiseEmpty();
  }

  /** This node's id. */
  @Override
  public long nodeId() {
    return host.nodeId();
  }

  /** The management state as this node knows it (may lag the leader's). Any thread. */
  @Override
  public ManagementView view() {
    return stateMachine.view();
  }

  /** This node's member of cluster 0 (null before start). */
  public RaftGroup<ManagementCommand, ManagementResult> managementGroup() {
    return group;
  }

  /** Whether this node leads cluster 0. Any thread. */
  @Override
  public boolean isManagementLeader() {
    RaftGroup<ManagementCommand, ManagementResult> g = group;
    return g != null && g.isLeader();
  }

  /** The leader of cluster 0 known to this node, or 0. Any thread. */
  @Override
  public long managementLeaderId() {
    RaftGroup<ManagementCommand, ManagementResult> g = group;
    return g == null ? 0 : Math.max(0, g.leaderId());
  }

  /** The voters of cluster 0 in this node's configuration. Any thread. */
  @Override
  public java.util.Set<Long> managementVoters() {
    RaftGroup<ManagementCommand, ManagementResult> g = group;
    return g == null ? java.util.Set.of() : java.util.Set.copyOf(g.status().membership().voters());
  }

  @Override
  public int maxVoters() {
    return options.getMaxVoters();
  }

  /**
   * Serves a registration request (of a node that is not a member yet): proposes a {@link RegisterNode} and
   * completes with the allocated id, or fails with the refusal. Any thread; forwarded to the leader by Raft when
   * this node does not lead.
   */
  @Override
  public Future<Long> handleRegister(String nodeAddress, String requestId) {
    RaftGroup<ManagementCommand, ManagementResult> g = group;
    if (g == null) {
      return Future.failedFuture(new IllegalStateException("management service of node " + nodeId()
          + " not started"));
    }
    if (!stateMachine.view().nodes().containsKey(nodeId())) {
      // Until this node's own registration is applied here, the next free id could be its own (the founder
      // registers itself with its host's id only once cluster 0 is up).
      return Future.failedFuture(new IllegalStateException("node " + nodeId() + " is not registered yet"));
    }
    return onContext(g.propose(new RegisterNode(nodeAddress, requestId, 0))).compose(c -> c.result().accepted()
        ? Future.succeededFuture(c.result().value())
        : Future.failedFuture(new IllegalStateException("registration refused: " + c.result().reason())));
  }

  /**
   * Serves a heartbeat of node {@code fromNode}: the leader notes the time on its own clock (committed with the
   * next round); a node that does not lead refuses it. Any thread.
   */
  @Override
  public Future<Void> handleHeartbeat(long fromNode) {
    Promise<Void> p = Promise.promise();
    Context ctx = context;
    if (ctx == null) {
      return Future.failedFuture(new IllegalStateException("management service not started"));
    }
    ctx.runOnContext(v -> {
      if (isManagementLeader()) {
        heard.merge(fromNode, clock.getAsLong(), Math::max);
        p.complete();
      } else {
        p.fail(new IllegalStateException("node " + nodeId() + " does not lead cluster 0"));
      }
    });
    return p.future();
  }

  /**
   * Leaves gracefully: marks this node leaving, waits until every execution cluster has removed it (and this node
   * stopped their groups and deleted their data) and until it no longer leads cluster 0. The caller then stops the
   * node; the management leader removes it from cluster 0 and from the directory. Any thread.
   */
  public Future<Void> leave() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      leaving = p;
      proposeLeaving();
    });
    return p.future();
  }

  private void proposeLeaving() {
    onContext(group.propose(new NodeLeaving(nodeId()))).onComplete(ar -> {
      if (ar.failed() || !ar.result().result().accepted()) {
        vertx.setTimer(options.getReconcileIntervalMillis(), id -> proposeLeaving());
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  private long now() {
    return clock.getAsLong();
  }

  private void sendHeartbeat() {
    if (isManagementLeader()) {
      heard.put(nodeId(), now());
    } else {
      // a lost heartbeat is simply the next one's job; the failure timeout allows for it
      client.heartbeat(nodeId());
    }
  }

  /** One round, every reconcile interval, on this verticle's context. */
  private void reconcile() {
    if (group == null || stopped) {
      return;
    }
    ensureRegistered();
    if (isManagementLeader()) {
      if (leaderSince < 0) {
        leaderSince = now();
        selfRecordedAt = Long.MIN_VALUE / 2;
      }
      recordHeartbeats();
      managerRound();
      reconcileManagementMembership();
    } else {
      leaderSince = -1;
      heard.clear();
    }
    for (long clusterId : host.groupIds()) {
      if (clusterId != MANAGEMENT_CLUSTER_ID) {
        reconcileExecutionCluster(clusterId);
      }
    }
    leading.keySet().retainAll(host.groupIds());
    syncHostedGroups();
    checkLeft();
  }

  /** The founding node registers itself with its own id (idempotent: a restart re-registers the same address). */
  private void ensureRegistered() {
    if (!founding || registering || registrationRefused || stateMachine.view().nodes().containsKey(nodeId())) {
      return;
    }
    registering = true;
    onContext(group.propose(new RegisterNode(address, "founder-" + nodeId(), nodeId()))).onComplete(ar -> {
      registering = false;
      if (ar.succeeded() && !ar.result().result().accepted()) {
        // another node holds this id: retrying cannot help, the operator must pick another id
        registrationRefused = true;
        LOG.error("node {} cannot register itself: {}", nodeId(), ar.result().result().reason());
      }
    });
  }

  /**
   * Commits the heartbeats heard since the last round, stamped with this leader's clock, as one unguarded batch:
   * one log entry per round however many nodes there are.
   */
  private void recordHeartbeats() {
    long now = now();
    if (now - selfRecordedAt >= options.getHeartbeatIntervalMillis()) {
      heard.put(nodeId(), now);
      selfRecordedAt = now;
    }
    ManagementView view = stateMachine.view();
    List<ManagementCommand> beats = new ArrayList<>();
    heard.forEach((id, time) -> {
      // unknown nodes (not registered yet, or forgotten) would make the whole batch refused
      if (view.nodes().containsKey(id)) {
        beats.add(new Heartbeat(id, time));
      }
    });
    heard.clear();
    if (!beats.isEmpty()) {
      group.propose(new Batch(-1, beats));
    }
  }

  private void managerRound() {
    if (roundInFlight) {
      return;
    }
    ManagementView view = stateMachine.view();
    if (!view.nodes().containsKey(nodeId())) {
      return;
    }
    List<ManagementCommand> decision = ClusterManager.decide(view, group.membership(), now(), leaderSince, options);
    if (decision.isEmpty()) {
      return;
    }
    roundInFlight = true;
    onContext(group.propose(new Batch(view.topologyVersion(), decision))).onComplete(ar -> {
      roundInFlight = false;
      if (ar.succeeded() && ar.result().result().accepted()) {
        LOG.debug("node {}: management decision committed: {}", nodeId(), decision);
      } else {
        // a stale view (refused) or a leadership change: the next round decides again on the current state
        LOG.debug("node {}: management decision not applied: {}", nodeId(),
            ar.succeeded() ? ar.result().result().reason() : ar.cause().toString());
      }
    });
  }

  private void reconcileManagementMembership() {
    if (managementChangeInFlight) {
      return;
    }
    SortedSet<Long> desired = ClusterManager.managementMembers(stateMachine.view());
    if (desired.isEmpty()) {
      return;
    }
    Optional<MembershipPlanner.Step> step = MembershipPlanner.next(group.status(), desired, options.getMaxVoters(),
        options.getMaxLearnerLagEntries());
    if (step.isPresent()) {
      managementChangeInFlight = true;
      execute(group, step.get()).onComplete(ar -> managementChangeInFlight = false);
    }
  }

  private void reconcileExecutionCluster(long clusterId) {
    RaftGroup<?, ?> g = host.group(clusterId);
    ExecutionCluster cluster = stateMachine.view().clusters().get(clusterId);
    if (g == null || cluster == null || !g.isLeader()) {
      leading.remove(clusterId);
      return;
    }
    RaftStatus status = g.status();
    Leadership lead = leading.computeIfAbsent(clusterId, id -> new Leadership());
    if (lead.term != status.term()) {
      lead.term = status.term();
      lead.settledIndex = status.lastIndex();
    }
    if (lead.busy || status.commitIndex() < lead.settledIndex) {
      return;
    }
    // Report the committed configuration before changing it again: members rely on the report to know when their
    // removal is committed, so the reported configuration may lag the real one by at most one learner addition.
    Membership m = status.membership();
    if (!cluster.reportedVoters().equals(m.voters()) || !cluster.reportedLearners().equals(m.learners())) {
      lead.busy = true;
      onContext(group.propose(new ReportMembership(clusterId, m.voters(), m.learners(), status.commitIndex())))
          .onComplete(ar -> lead.busy = false);
      return;
    }
    if (cluster.desiredMembers().isEmpty()) {
      return;
    }
    Optional<MembershipPlanner.Step> step = MembershipPlanner.next(status, cluster.desiredMembers(),
        Integer.MAX_VALUE, options.getMaxLearnerLagEntries());
    if (step.isPresent()) {
      lead.busy = true;
      execute(g, step.get()).onComplete(ar -> lead.busy = false);
    }
  }

  private Future<Void> execute(RaftGroup<?, ?> g, MembershipPlanner.Step step) {
    LOG.debug("node {}: group {}: {}", nodeId(), g.clusterId(), step);
    Future<?> f = switch (step.kind()) {
      case ADD_LEARNER -> g.addLearner(step.nodeId());
      case PROMOTE -> g.promote(step.nodeId());
      case REMOVE -> g.remove(step.nodeId());
      case TRANSFER_LEADERSHIP -> g.transferLeadership(step.nodeId());
    };
    return onContext(f).<Void>mapEmpty().onFailure(e ->
        LOG.debug("node {}: group {}: {} failed: {}", nodeId(), g.clusterId(), step, e.toString()));
  }

  private void scheduleSync() {
    Context ctx = context;
    if (ctx != null && syncScheduled.compareAndSet(false, true)) {
      ctx.runOnContext(v -> {
        syncScheduled.set(false);
        syncHostedGroups();
        checkLeft();
      });
    }
  }

  /** Starts the groups of the clusters that want this node; stops those whose removal of this node committed. */
  private void syncHostedGroups() {
    if (group == null || stopped) {
      return;
    }
    ManagementView view = stateMachine.view();
    NodeRecord me = view.nodes().get(nodeId());
    if (me == null) {
      return;
    }
    long self = nodeId();
    for (ExecutionCluster c : view.clusters().values()) {
      long id = c.id();
      if (c.desiredMembers().contains(self) && host.group(id) == null && !starting.contains(id)
          && !stopping.contains(id)) {
        // A founder starts the group with the founding voters only while the group has never reported: after
        // that (say, its data was deleted and it is wanted again) it must join like any new member.
        Set<Long> founders = c.founders().contains(self) && !c.reported() ? c.founders() : Set.of();
        starting.add(id);
        LOG.debug("node {}: starting group {} (founders {})", self, id, founders);
        onContext(factory.start(host, id, founders)).onComplete(ar -> {
          starting.remove(id);
          if (ar.failed()) {
            LOG.warn("node {}: starting group {} failed: {}", self, id, ar.cause().toString());
          }
        });
      }
    }
    for (long id : host.groupIds()) {
      if (id == MANAGEMENT_CLUSTER_ID || starting.contains(id) || stopping.contains(id) || wanted(view, id)) {
        continue;
      }
      stopping.add(id);
      // A node restarted on its storage may hold an old view: confirm on a linearizable read (thesis §6.4) before
      // deleting anything. A leaving node skips that: cluster 0 may already have let it go.
      Future<ManagementView> confirmed = me.state() == NodeState.LEAVING ? Future.succeededFuture(view)
          : onContext(group.read(stateMachine::view));
      confirmed.compose(fresh -> {
        if (wanted(fresh, id)) {
          return Future.succeededFuture();
        }
        LOG.debug("node {}: stopping group {} and deleting its data", self, id);
        return onContext(host.stopGroup(id, true));
      }).onComplete(ar -> {
        stopping.remove(id);
        if (ar.failed()) {
          LOG.debug("node {}: stopping group {} failed: {}", self, id, ar.cause().toString());
        }
      });
    }
  }

  /** Whether execution cluster {@code clusterId} still wants, or still has, this node as a member. */
  private boolean wanted(ManagementView view, long clusterId) {
    ExecutionCluster c = view.clusters().get(clusterId);
    return c != null && c.refersTo(nodeId());
  }

  private void checkLeft() {
    if (leaving == null) {
      return;
    }
    ManagementView view = stateMachine.view();
    NodeRecord me = view.nodes().get(nodeId());
    // (the host forgets a group as soon as it is asked to stop it: 'stopping' covers the deletion of its data)
    boolean groupsGone = host.groupIds().stream().allMatch(id -> id == MANAGEMENT_CLUSTER_ID)
        && stopping.isEmpty() && starting.isEmpty();
    if (me != null && me.state() == NodeState.LEAVING && !view.referencedByAnyCluster(nodeId()) && groupsGone
        && !isManagementLeader()) {
      left = true;
      leaving.tryComplete();
      leaving = null;
    }
  }

  /**
   * {@code future}'s outcome on this verticle's context (group futures complete on the groups' contexts).
   */
  private <T> Future<T> onContext(Future<T> future) {
    Promise<T> promise = Promise.promise();
    Context ctx = context;
    future.onComplete(ar -> ctx.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }
}
