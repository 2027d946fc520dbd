package io.raftoral.management;

import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.host.RaftHost;
import io.raftoral.management.ManagementCommand.RegisterNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The management layer of one node, as a verticle (DESIGN §4). It hosts the node's member of cluster 0 (running
 * the {@link ManagementStateMachine}) and wires the classes that do the work, one job each:
 * <ul>
 *   <li>{@code HeartbeatSender}: tells the management leader every heartbeat interval that this node is alive;</li>
 *   <li>{@code EndpointHandler}: answers other nodes' registrations and heartbeats ({@link ManagementEndpoint});</li>
 *   <li>{@code ManagementLeaderRound}: when this node leads cluster 0, every reconcile interval, commits the
 *       heartbeats it heard, proposes the {@link ClusterManager}'s decision as one guarded
 *       {@link ManagementCommand.Batch}, and drives cluster 0's own configuration (at most {@code maxVoters}
 *       voters);</li>
 *   <li>{@code ExecutionClusterReconciliation}: for every execution cluster this node leads, drives its Raft
 *       configuration toward the desired membership held in cluster 0 and reports it back;</li>
 *   <li>{@code HostedGroups}: starts and stops the execution groups this node hosts;</li>
 *   <li>{@code FounderRegistration}, {@code GracefulLeave} and, for a joining node, {@link #register}.</li>
 * </ul>
 * Every asynchronous call on a Raft group goes through {@code GroupCalls}.
 *
 * <p>Threading: all state is confined to this verticle's event-loop context; timers, group callbacks and the
 * state machine's change notifications are all moved onto it. Public methods may be called from any thread; their
 * futures complete on this verticle's context. Nothing blocks.
 */
public final class ManagementService extends VerticleBase implements ManagementEndpoint {

  /** The cluster id of the management cluster. */
  public static final long MANAGEMENT_CLUSTER_ID = 0;

  /** The reconcile timer's id while none runs ({@link Vertx#cancelTimer} ignores it). */
  private static final long NO_TIMER = -1;

  private final RaftHost host;
  private final String address;
  private final boolean founding;
  private final ManagementClient client;
  private final ExecutionGroupFactory factory;
  private final ManagementOptions options;
  private final RaftGroupOptions managementGroupOptions;
  private final LongSupplier clock;
  private final ManagementStateMachine stateMachine = new ManagementStateMachine();

  // Set once cluster 0's member has started (read from any thread by the public methods).
  private volatile RaftGroup<ManagementCommand, ManagementResult> group;
  private volatile EndpointHandler endpoint;
  private volatile GracefulLeave gracefulLeave;
  // The rest is confined to this verticle's context.
  private GroupCalls calls;
  private ManagementLeaderRound leaderRound;
  private HeartbeatSender heartbeats;
  private volatile NodeStanding standing;
  private HostedGroups hostedGroups;
  private FounderRegistration founderRegistration;
  private final Map<Long, ExecutionClusterReconciliation> led = new HashMap<>();
  private final AtomicBoolean syncScheduled = new AtomicBoolean();
  private volatile boolean stopped;
  private long reconcileTimer = NO_TIMER;

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
   * Registers the node reached at {@code address} through {@code client}, retrying (shortly after each failure,
   * with the same request id, so that a retry gets the same id) until it succeeds or {@code timeoutMillis} pass.
   * Completes with the allocated node id, which the node's {@link RaftHost} must then use.
   */
  public static Future<Long> register(Vertx vertx, ManagementClient client, String address, String requestId,
      long timeoutMillis) {
    return RegistrationClient.register(vertx, client, address, requestId, timeoutMillis);
  }

  @Override
  public Future<?> start() {
    stateMachine.onChange(v -> scheduleSync());
    RaftHost.GroupBuilder<ManagementCommand, ManagementResult> b =
        host.group(MANAGEMENT_CLUSTER_ID, stateMachine, ManagementCommand.CODEC).options(managementGroupOptions);
    if (founding) {
      b.members(host.nodeId());
    }
    return GroupCalls.onContext(b.start(), context).onSuccess(this::wire);
  }

  /** Builds the workers around cluster 0's started member {@code g} and starts the timers; on this context. */
  private void wire(RaftGroup<ManagementCommand, ManagementResult> g) {
    calls = new GroupCalls(g, stateMachine, context);
    leaderRound = new ManagementLeaderRound(calls, stateMachine, options, clock);
    hostedGroups = new HostedGroups(host, factory, stateMachine, calls);
    founderRegistration = founding ? new FounderRegistration(calls, stateMachine, address) : null;
    gracefulLeave = new GracefulLeave(vertx, calls, stateMachine, hostedGroups, options.getReconcileIntervalMillis());
    GracefulLeave leave = gracefulLeave;
    standing = new NodeStanding(calls, client, address, options.getFailureTimeoutMillis(), clock, leave::isLeaving);
    heartbeats = new HeartbeatSender(vertx, client, calls, stateMachine, leaderRound, standing,
        options.getHeartbeatIntervalMillis());
    endpoint = new EndpointHandler(calls, stateMachine, leaderRound, context);
    group = g;
    ensureRegistered();
    heartbeats.start();
    reconcileTimer = vertx.setPeriodic(options.getReconcileIntervalMillis(), id -> reconcile());
  }

  /**
   * Stops the management work. Once the node has left the cluster, it also stops this node's member of cluster 0 and
   * deletes its data; otherwise that member, like the execution groups, is left to the host, which stops it with
   * itself and keeps its data for a restart. (Stopping it here as well raced with the host: in a node being
   * undeployed, this service and the host go down in parallel, and a group undeployed by both made Vert.x fail the
   * host's undeploy with "Already undeployed", leaving the host running.)
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(reconcileTimer);
    if (hostedGroups != null) {
      hostedGroups.close();
    }
    if (heartbeats != null) {
      heartbeats.stop();
    }
    RaftGroup<ManagementCommand, ManagementResult> hosted = host.group(MANAGEMENT_CLUSTER_ID);
    GracefulLeave leave = gracefulLeave;
    if (leave == null || !leave.hasLeft() || group == null || hosted != group) {
      return Future.succeededFuture();
    }
    // best effort: the host may be going down at the same time
    return host.stopGroup(MANAGEMENT_CLUSTER_ID, true).otherwiseEmpty();
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
  public Set<Long> managementVoters() {
    RaftGroup<ManagementCommand, ManagementResult> g = group;
    return g == null ? Set.of() : Set.copyOf(g.status().membership().voters());
  }

  @Override
  public int maxVoters() {
    return options.getMaxVoters();
  }

  /**
   * Serves a registration request (of a node that is not a member yet, without storage): proposes a registration and completes with
   * the allocated id, or fails with the refusal. Any thread; forwarded to the leader by Raft when this node does not
   * lead.
   */
  @Override
  public Future<Long> handleRegister(String nodeAddress, String requestId) {
    EndpointHandler e = endpoint;
    if (e == null) {
      return Future.failedFuture(new IllegalStateException("management service of node " + nodeId()
          + " not started"));
    }
    return e.register(nodeAddress, requestId, RegisterNode.ANY_NODE_ID);
  }

  /**
   * Serves the registration of a node that holds the storage of node {@code requestedNodeId} (a node that rejoins,
   * see {@link ManagementClient#rejoin}): it keeps its id, or is refused when another node holds the id or the
   * address. {@code requestedNodeId} 0 allocates an id, as {@link #handleRegister(String, String)}. Any thread.
   */
  @Override
  public Future<Long> handleRegister(String nodeAddress, String requestId, long requestedNodeId) {
    EndpointHandler e = endpoint;
    if (e == null) {
      return Future.failedFuture(new IllegalStateException("management service of node " + nodeId()
          + " not started"));
    }
    return e.register(nodeAddress, requestId, requestedNodeId);
  }

  /**
   * Not ready while this node's own registration is not in its view, or while it has been out of contact with the
   * management leader for longer than the failure timeout (see {@link ManagementEndpoint#notReadyReason()}).
   */
  @Override
  public String notReadyReason() {
    String starting = ManagementEndpoint.super.notReadyReason();
    if (starting != null) {
      return starting;
    }
    NodeStanding s = standing;
    return s == null ? null : s.notReadyReason();
  }

  /**
   * Serves a heartbeat of node {@code fromNode}: the leader notes the time on its own clock (committed with the
   * next round); a node that does not lead refuses it. Any thread.
   */
  @Override
  public Future<Void> handleHeartbeat(long fromNode) {
    EndpointHandler e = endpoint;
    return e != null ? e.heartbeat(fromNode) : heartbeatWhileStarting(fromNode);
  }

  /**
   * Leaves gracefully: marks this node leaving, waits until every execution cluster has removed it (and this node
   * stopped their groups and deleted their data) and until it no longer leads cluster 0. The caller then stops the
   * node; the management leader removes it from cluster 0 and from the directory. Any thread.
   */
  public Future<Void> leave() {
    GracefulLeave l = gracefulLeave;
    if (l == null) {
      return Future.failedFuture(new IllegalStateException("management service of node " + nodeId()
          + " not started"));
    }
    Promise<Void> left = Promise.promise();
    context.runOnContext(v -> l.leave().onComplete(left));
    return left.future();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * A heartbeat that arrives while cluster 0's member may still be starting: looked at on this context, where it
   * has either started (the heartbeat is served) or not (refused, as by a node that does not lead).
   */
  private Future<Void> heartbeatWhileStarting(long fromNode) {
    Context ctx = context;
    if (ctx == null) {
      return Future.failedFuture(new IllegalStateException("management service not started"));
    }
    Promise<Void> answered = Promise.promise();
    ctx.runOnContext(v -> {
      EndpointHandler started = endpoint;
      if (started != null) {
        started.heartbeat(fromNode).onComplete(answered);
      } else {
        answered.fail(new IllegalStateException("node " + nodeId() + " does not lead cluster 0"));
      }
    });
    return answered.future();
  }

  private void ensureRegistered() {
    if (founderRegistration != null) {
      founderRegistration.ensureRegistered();
    }
  }

  /** One round, every reconcile interval, on this verticle's context. */
  private void reconcile() {
    if (stopped) {
      return;
    }
    ensureRegistered();
    if (isManagementLeader()) {
      leaderRound.run();
    } else {
      leaderRound.notLeading();
    }
    standing.check();
    reconcileLedExecutionClusters();
    hostedGroups.sync();
    gracefulLeave.checkLeft();
  }

  /** One step for every execution cluster this node hosts and leads; forgets those it no longer leads. */
  private void reconcileLedExecutionClusters() {
    for (long clusterId : host.groupIds()) {
      if (clusterId == MANAGEMENT_CLUSTER_ID) {
        continue;
      }
      RaftGroup<?, ?> g = host.group(clusterId);
      ExecutionCluster cluster = stateMachine.view().clusters().get(clusterId);
      if (g == null || cluster == null || !g.isLeader()) {
        led.remove(clusterId);
        continue;
      }
      led.computeIfAbsent(clusterId,
          id -> new ExecutionClusterReconciliation(calls, options.getMaxLearnerLagEntries())).reconcile(g, cluster);
    }
    led.keySet().retainAll(host.groupIds());
  }

  /** After every change of the management state: start or stop hosted groups, complete a leave. Any thread. */
  private void scheduleSync() {
    Context ctx = context;
    if (ctx != null && syncScheduled.compareAndSet(false, true)) {
      ctx.runOnContext(v -> {
        syncScheduled.set(false);
        if (hostedGroups == null) {
          return; // cluster 0's member is starting: the first round will sync
        }
        if (!stopped) {
          hostedGroups.sync();
        }
        gracefulLeave.checkLeft();
      });
    }
  }
}
