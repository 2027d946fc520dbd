package io.raftoral.host;

import io.micrometer.core.instrument.MeterRegistry;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.group.StateMachine;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.group.HostedGroup;
import io.raftoral.group.impl.RaftGroupVerticle;
import io.raftoral.raft.Membership;
import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.SnapshotChunkHandler;
import io.raftoral.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multi-group Raft runtime of one node, as a verticle: it hosts any number of Raft groups (one
 * {@link RaftGroupVerticle} per group id), drives all of them with one node-wide ticker, routes inbound batches to
 * them through the {@link ClusterRouter} and sends their outbound messages batched per peer.
 *
 * <pre>{@code
 * RaftHost host = new RaftHost(new RaftHostOptions().setNodeId(1), store, transport);
 * vertx.deployVerticle(host)
 *     .compose(id -> host.group(7, new KeyValueStore(), KeyValueStore.CODEC).members(1, 2, 3).start())
 *     .compose(group -> Bridge.future(group.propose(KvCommand.put("k", "v")), group.context()));
 * }</pre>
 *
 * <p>Its own API uses Vert.x {@code Future}s (it is glue deployed inside Vert.x); the {@link RaftGroup}s it hosts
 * answer with {@code Uni}s ({@link io.raftoral.async.Bridge} converts).
 */
public final class RaftHost extends VerticleBase {

  /** Quiesced groups check node liveness at least this often, even when no peer node is suspect. */
  static final long QUIESCED_CHECK_EVERY_TICKS = 10;

  private final RaftHostOptions options;
  private final LogStore store;
  private final Transport transport;
  private final Map<Long, Hosted> groups = new ConcurrentHashMap<>();
  private final Set<HostedGroup> ticking = ConcurrentHashMap.newKeySet();
  private final AtomicLong nonMemberMessages = new AtomicLong();
  private final AtomicLong rejectedMessages = new AtomicLong();
  private volatile ClusterRouter router;
  private volatile PeerOutbox outbox;
  private long ticker = -1;
  private long ticks;
  private final NodeLiveness liveness = new NodeLiveness();
  private final Environment environment = new Environment();
  private volatile MeterRegistry meterRegistry;

  private record Hosted(RaftGroupVerticle<?, ?> verticle, String deploymentId) {}

  public RaftHost(RaftHostOptions options, LogStore store, Transport transport) {
    this.options = Objects.requireNonNull(options, "options");
    if (options.getNodeId() <= 0) {
      throw new IllegalArgumentException("RaftHostOptions.nodeId must be set");
    }
    this.store = Objects.requireNonNull(store, "store");
    this.transport = Objects.requireNonNull(transport, "transport");
    if (transport.nodeId() != options.getNodeId()) {
      throw new IllegalArgumentException("transport is for node " + transport.nodeId() + ", host is node "
          + options.getNodeId());
    }
  }

  /** Deploys a host and completes with it once started. */
  public static Future<RaftHost> start(Vertx vertx, RaftHostOptions options, LogStore store, Transport transport) {
    RaftHost host = new RaftHost(options, store, transport);
    return vertx.deployVerticle(host).map(id -> host);
  }

  @Override
  public Future<?> start() {
    router = new ClusterRouter(options.getNodeId(), vertx.eventBus(), liveness);
    // Heartbeats may wait up to half a tick to share a batch with those of the other groups.
    outbox = new PeerOutbox(options.getNodeId(), transport, context, options.getTickMillis() / 2, liveness);
    transport.receiveHandler(router::route);
    // Peers fetch this node's snapshots out of band, from its store.
    transport.snapshotSource(new StoreSnapshotSource(store));
    // The storage must belong to this node of this cluster: a directory of another node or cluster is refused
    // rather than silently mixing two nodes' logs. A new store records the identity.
    NodeIdentity me = new NodeIdentity(options.getNodeId(), options.getClusterName());
    return store.identity().compose(found -> {
      if (found == null) {
        return store.saveIdentity(me);
      }
      if (!found.equals(me)) {
        return Future.failedFuture(new StorageException("storage " + store.location() + " belongs to node "
            + found.nodeId() + " of cluster '" + found.clusterName() + "', not to node " + me.nodeId()
            + " of cluster '" + me.clusterName() + "'"));
      }
      return Future.succeededFuture();
    }).onSuccess(v -> ticker = vertx.setPeriodic(options.getTickMillis(), id -> tick()));
  }

  /**
   * One tick of the node: every awake group ticks. Quiesced groups are skipped, which is what makes them nearly
   * free; they only check their leader's (or their quorum's) node liveness when some peer node is suspect, and
   * every {@link #QUIESCED_CHECK_EVERY_TICKS} ticks in case one quiesced just as a node went down. Then, while some
   * group is quiesced here, each peer node that got nothing this tick gets a node heartbeat (an empty batch).
   */
  private void tick() {
    ticks++;
    boolean checkQuiesced = liveness.anyPeerSuspect() || ticks % QUIESCED_CHECK_EVERY_TICKS == 0;
    boolean anyQuiesced = false;
    for (HostedGroup g : ticking) {
      boolean quiesced = g.isQuiesced();
      anyQuiesced |= quiesced;
      if (checkQuiesced || !quiesced) {
        g.tick();
      }
    }
    List<Long> quietPeers = liveness.tick();
    if (anyQuiesced) {
      // While every group heartbeats, their traffic proves each node up; node heartbeats start with quiescing.
      for (long peer : quietPeers) {
        transport.send(new RaftBatch(options.getNodeId(), peer, List.of()));
      }
    }
  }

  @Override
  public Future<?> stop() {
    if (ticker >= 0) {
      vertx.cancelTimer(ticker);
    }
    // The group verticles are child deployments of this one: Vert.x undeploys them with it.
    groups.clear();
    return transport.close();
  }

  public long nodeId() {
    return options.getNodeId();
  }

  public ClusterRouter router() {
    return router;
  }

  /** Starts describing a group to host: its group id, state machine and command codec. */
  public <C, R> GroupBuilder<C, R> group(long groupId, StateMachine<C, R> stateMachine, CommandCodec<C> codec) {
    return new GroupBuilder<>(groupId, stateMachine, codec);
  }

  /** The hosted group of {@code groupId}, or null. */
  @SuppressWarnings("unchecked")
  public <C, R> RaftGroup<C, R> group(long groupId) {
    Hosted h = groups.get(groupId);
    return h == null ? null : (RaftGroup<C, R>) h.verticle.group();
  }

  /**
   * Whether the hosted group {@code groupId} is quiesced on this node right now (see
   * {@link RaftGroupOptions#setQuiesceWhenIdle(boolean)}); false for a group not hosted here.
   */
  public boolean isQuiesced(long groupId) {
    Hosted h = groups.get(groupId);
    return h != null && h.verticle.isQuiesced();
  }

  /** Ids of the hosted groups. */
  public Set<Long> groupIds() {
    return new HashSet<>(groups.keySet());
  }

  /** Where this node's state machines keep checkpoint history: its log store's ({@link LogStore#checkpoints()}). */
  public CheckpointStore checkpoints() {
    return store.checkpoints();
  }

  /** Stops hosting {@code groupId}; with {@code deleteData}, also deletes what it stored. */
  public Future<Void> stopGroup(long groupId, boolean deleteData) {
    Hosted h = groups.remove(groupId);
    if (h == null) {
      return Future.failedFuture(new IllegalArgumentException("node " + nodeId() + " hosts no group " + groupId));
    }
    Future<Void> undeployed = vertx.undeploy(h.deploymentId);
    return deleteData ? undeployed.compose(v -> store.deleteGroup(groupId)) : undeployed;
  }

  /**
   * Registers this host's meters ({@link RaftHostMeters}) in {@code registry}, and those of every group started
   * from now on (tagged with its group id). Call before deploying the host; without it nothing is registered.
   */
  public RaftHost meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "registry");
    new RaftHostMeters(this).bindTo(registry);
    return this;
  }

  /** The registry given to {@link #meterRegistry(MeterRegistry)}, or null. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /** Whether {@link #start()} has run (its router and outbox exist). */
  boolean isStarted() {
    return router != null && outbox != null;
  }

  /** Counters of this node's runtime. */
  public RaftHostMetrics metrics() {
    return new RaftHostMetrics(groups.size(), router.deliveredCount(), router.unknownClusterCount(),
        router.malformedCount(), nonMemberMessages.get(), rejectedMessages.get(), outbox.batchCount(),
        outbox.envelopeCount());
  }

  /** Builder of a hosted group. */
  public final class GroupBuilder<C, R> {
    private final long groupId;
    private final StateMachine<C, R> stateMachine;
    private final CommandCodec<C> codec;
    private RaftGroupOptions groupOptions = new RaftGroupOptions();
    private Membership bootstrap;

    private GroupBuilder(long groupId, StateMachine<C, R> stateMachine, CommandCodec<C> codec) {
      if (groupId < 0) {
        throw new IllegalArgumentException("groupId must be >= 0, was " + groupId);
      }
      this.groupId = groupId;
      this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
      this.codec = Objects.requireNonNull(codec, "codec");
    }

    public GroupBuilder<C, R> options(RaftGroupOptions groupOptions) {
      this.groupOptions = new RaftGroupOptions(Objects.requireNonNull(groupOptions, "groupOptions"));
      return this;
    }

    /** Timing settings of a preset (the host's tick interval should match {@link RaftPreset#tickMillis()}). */
    public GroupBuilder<C, R> preset(RaftPreset preset) {
      this.groupOptions = Objects.requireNonNull(preset, "preset").groupOptions();
      return this;
    }

    /**
     * Founds a new group with these voters if this node has no stored state for it (every founding member must be
     * given the same list). Without it, a node with no stored state joins: it waits to be added by the leader.
     */
    public GroupBuilder<C, R> members(long... voters) {
      Set<Long> ids = new HashSet<>();
      for (long v : voters) {
        ids.add(v);
      }
      this.bootstrap = new Membership(ids, Set.of());
      return this;
    }

    /** Starts the group (restarting from stored state when there is some). */
    public Future<RaftGroup<C, R>> start() {
      if (groups.containsKey(groupId)) {
        return Future.failedFuture(new IllegalStateException("node " + nodeId() + " already hosts group " + groupId));
      }
      RaftGroupVerticle<C, R> verticle = new RaftGroupVerticle<>(groupId, environment, groupOptions, stateMachine,
          codec, bootstrap);
      // Deployed from the host's context, so that each group is a child deployment of the host.
      Promise<RaftGroup<C, R>> started = Promise.promise();
      context.runOnContext(v -> vertx.deployVerticle(verticle).map(id -> {
        groups.put(groupId, new Hosted(verticle, id));
        return verticle.group();
      }).onComplete(started));
      return started.future();
    }
  }

  private final class Environment implements GroupEnvironment {
    @Override
    public long nodeId() {
      return options.getNodeId();
    }

    @Override
    public LogStore store() {
      return store;
    }

    @Override
    public void send(List<RaftEnvelope> envelopes) {
      outbox.send(envelopes);
    }

    @Override
    public Future<Void> fetchSnapshot(long fromNode, long groupId, String snapshotId, long offset, int chunkSize,
        SnapshotChunkHandler handler) {
      return transport.fetchSnapshot(fromNode, groupId, snapshotId, offset, chunkSize, handler);
    }

    @Override
    public void attach(HostedGroup group) {
      router.register(group.groupId());
      ticking.add(group);
    }

    @Override
    public void detach(HostedGroup group) {
      ticking.remove(group);
      router.unregister(group.groupId());
    }

    @Override
    public boolean isNodeLive(long nodeId, long withinTicks) {
      return nodeId == options.getNodeId() || liveness.isLive(nodeId, withinTicks);
    }

    @Override
    public long millisSinceNodeContact(long nodeId) {
      return nodeId == options.getNodeId() ? 0 : liveness.millisSinceHeard(nodeId);
    }

    @Override
    public void countNonMemberMessage() {
      nonMemberMessages.incrementAndGet();
    }

    @Override
    public void countRejectedMessage() {
      rejectedMessages.incrementAndGet();
    }

    @Override
    public MeterRegistry meterRegistry() {
      return meterRegistry;
    }
  }
}
