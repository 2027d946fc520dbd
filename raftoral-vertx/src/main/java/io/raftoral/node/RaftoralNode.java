package io.raftoral.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.raftoral.async.Bridge;
import io.raftoral.events.NodeEventFeeds;
import io.raftoral.events.NodeEvents;
import io.raftoral.group.RaftGroup;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.management.ManagementClient;
import io.raftoral.management.ManagementService;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.node.impl.JoiningDirectorySeed;
import io.raftoral.node.impl.RoutingWorkflowClient;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.Transport;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowClient;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raftoral node: deploy it in a Vert.x application ({@code vertx.deployVerticle(node)}) and it takes its place in
 * the cluster. It founds the cluster ({@link NodeOptions#setBootstrap}), restarts on its storage with the id
 * recorded there, or registers through its peers to get a new id (a new one also at an address that had an id: a node
 * without its storage never comes back as the voter it was); then it runs its member of the management
 * cluster (cluster 0) and of the execution clusters the management layer places it in, each with a
 * {@link WorkflowRuntime} over the node's {@link WorkflowRegistry}. {@link #workflows()} (typed, for the
 * application that embeds the node) and {@link #jsonWorkflows()} (JSON text, what the HTTP and gRPC APIs serve)
 * route client calls to the right execution cluster from any node; {@link #shutdown()} leaves the cluster
 * gracefully.
 *
 * <p>The storage, the Raft transport, the way to reach the management leader and the node-to-node request channel
 * are given (in-JVM ones for tests; LMDB and gRPC/HTTP ones for real deployments).
 */
public final class RaftoralNode extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RaftoralNode.class);

  private final NodeOptions options;
  private final LogStore store;
  private final LongFunction<Transport> transports;
  private final ManagementClient managementClient;
  private final PeerRequests peers;
  private final WorkflowRegistry registry;
  private final Map<Long, WorkflowRuntime> runtimes = new ConcurrentHashMap<>();
  private volatile long nodeId;
  private volatile RaftHost host;
  private volatile ManagementService management;
  private volatile RoutingWorkflowClient router;
  private volatile WorkflowClient typedClient;
  private long sweepTimer = -1;
  private volatile PeerAddresses peerAddresses;
  private volatile MeterRegistry meterRegistry;
  private volatile NodeEventFeeds eventFeeds;

  /**
   * @param options node settings (the advertise address is required)
   * @param store this node's storage (its recorded identity, if any, gives the node id)
   * @param transports the Raft transport of a node id (called once the id is known)
   * @param managementClient how a joining node reaches the management leader
   * @param peers the node-to-node request channel for routing
   * @param registry the workflow definitions this node runs
   */
  public RaftoralNode(NodeOptions options, LogStore store, LongFunction<Transport> transports,
      ManagementClient managementClient, PeerRequests peers, WorkflowRegistry registry) {
    this.options = new NodeOptions(Objects.requireNonNull(options, "options"));
    if (options.getAdvertiseAddress() == null || options.getAdvertiseAddress().isBlank()) {
      throw new IllegalArgumentException("NodeOptions.advertiseAddress is required");
    }
    this.store = Objects.requireNonNull(store, "store");
    this.transports = Objects.requireNonNull(transports, "transports");
    this.managementClient = Objects.requireNonNull(managementClient, "managementClient");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Keeps {@code addresses} (what the network transports send to) in line with the node directory of cluster 0: a
   * node's address is added once its registration is applied here, and removed when it leaves the directory. Call
   * before deploying; the initial content (e.g. the directory fetched from a seed while joining) is kept until this
   * node knows the directory itself. Until then, the node also asks its peers for their directory every second
   * ({@link ManagementClient#directory()}) and adds the addresses it lacks: a joining node must reach whichever
   * node leads cluster 0 to ever receive the directory itself.
   */
  public RaftoralNode maintainPeerAddresses(PeerAddresses addresses) {
    this.peerAddresses = Objects.requireNonNull(addresses, "addresses");
    return this;
  }

  /**
   * Registers the node's meters in {@code registry}: its Raft host and every Raft group (labelled by execution
   * cluster), the workflows of each execution cluster (by type), and the storage and transport when they are
   * {@link MeterBinder}s (the LMDB store, the network transports). Call before deploying; without it the node keeps
   * no meters.
   */
  public RaftoralNode meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  private void syncPeerAddresses() {
    PeerAddresses addresses = peerAddresses;
    if (addresses == null) {
      return;
    }
    ManagementView v = view();
    if (v.nodes().isEmpty()) {
      return;
    }
    Map<Long, SocketAddress> known = addresses.snapshot();
    for (NodeRecord n : v.nodes().values()) {
      if (n.id() == nodeId) {
        continue;
      }
      try {
        SocketAddress a = PeerAddresses.parse(n.address());
        if (!a.equals(known.get(n.id()))) {
          addresses.put(n.id(), a);
        }
      } catch (IllegalArgumentException e) {
        LOG.warn("node {}: directory address of node {} is not host:port: {}", nodeId, n.id(), n.address());
      }
    }
    for (Long id : known.keySet()) {
      if (!v.nodes().containsKey(id)) {
        addresses.remove(id);
      }
    }
  }

  @Override
  public Future<?> start() {
    return onContext(store.identity()).compose(identity -> {
      if (identity != null) {
        if (!identity.clusterName().equals(options.getClusterName())) {
          return Future.failedFuture(new IllegalStateException("storage " + store.location() + " belongs to cluster '"
              + identity.clusterName() + "', not '" + options.getClusterName() + "'"));
        }
        if (options.getNodeId() > 0 && options.getNodeId() != identity.nodeId()) {
          return Future.failedFuture(new IllegalStateException("storage " + store.location() + " belongs to node "
              + identity.nodeId() + ", not node " + options.getNodeId()));
        }
        return Future.succeededFuture(new Start(identity.nodeId(), false));
      }
      if (options.isBootstrap()) {
        return Future.succeededFuture(new Start(options.getNodeId() > 0 ? options.getNodeId() : 1, true));
      }
      String requestId = options.getAdvertiseAddress() + "/" + UUID.randomUUID();
      return onContext(ManagementService.register(vertx, managementClient, options.getAdvertiseAddress(), requestId,
          options.getRegisterTimeoutMillis())).map(id -> new Start(id, false));
    }).compose(start -> {
      nodeId = start.nodeId;
      eventFeeds = new NodeEventFeeds(vertx, new NodeEvents(start.nodeId));
      eventFeeds.watchGroup(ManagementService.MANAGEMENT_CLUSTER_ID);
      RaftHostOptions hostOptions = new RaftHostOptions().setNodeId(start.nodeId)
          .setTickMillis(options.getPreset().tickMillis()).setClusterName(options.getClusterName());
      Transport transport = transports.apply(start.nodeId);
      host = new RaftHost(hostOptions, store, transport);
      bindMeters(transport);
      return vertx.deployVerticle(host).map(start);
    }).compose(start -> {
      router = new RoutingWorkflowClient(vertx, nodeId, runtimes, this::view, peers, registry,
          RaftoralTracing.of(options.getOpenTelemetry()));
      typedClient = WorkflowClient.over(router);
      management = new ManagementService(host, options.getAdvertiseAddress(), start.founding, managementClient,
          this::startExecutionGroup, options.getManagement(), options.getPreset().groupOptions());
      return vertx.deployVerticle(management);
    }).compose(d -> peers.serve(nodeId, req -> router.handle(req))).onSuccess(v -> {
      JoiningDirectorySeed seed = peerAddresses == null ? null : new JoiningDirectorySeed(managementClient,
          peerAddresses, () -> nodeId, () -> !view().nodes().isEmpty(), JoiningDirectorySeed.DEFAULT_INTERVAL_MILLIS);
      sweepTimer = vertx.setPeriodic(100, t -> {
        // Execution groups the management layer stopped (this node was removed) take their runtime along.
        sweepStoppedRuntimes();
        syncPeerAddresses();
        if (seed != null) {
          seed.tick(System.nanoTime());
        }
        eventFeeds.viewChanged(view());
      });
      syncPeerAddresses();
      if (seed != null) {
        seed.tick(System.nanoTime());
      }
      LOG.info("node {} ({}) started", nodeId, options.getAdvertiseAddress());
    });
  }

  private record Start(long nodeId, boolean founding) {}

  private void bindMeters(Transport transport) {
    MeterRegistry registry = meterRegistry;
    if (registry == null) {
      return;
    }
    host.meterRegistry(registry);
    if (store instanceof MeterBinder binder) {
      binder.bindTo(registry);
    }
    if (transport instanceof MeterBinder binder) {
      binder.bindTo(registry);
    }
  }

  private <T> Future<T> onContext(Future<T> f) {
    return Bridge.onContext(f, context);
  }

  /** The workflow settings, traced with the node's OpenTelemetry unless they name their own. */
  private WorkflowRuntimeOptions workflowOptions() {
    WorkflowRuntimeOptions w = new WorkflowRuntimeOptions(options.getWorkflow());
    if (w.getOpenTelemetry() == null) {
      w.setOpenTelemetry(options.getOpenTelemetry());
    }
    return w;
  }

  private Future<RaftGroup<?, ?>> startExecutionGroup(RaftHost h, long clusterId, Set<Long> founders) {
    eventFeeds.watchExecutionCluster(clusterId);
    WorkflowRuntime.Builder b = WorkflowRuntime.builder(h, clusterId).registry(registry)
        .options(workflowOptions()).groupOptions(options.getPreset().groupOptions());
    if (!founders.isEmpty()) {
      b.members(founders.stream().mapToLong(Long::longValue).toArray());
    }
    return Bridge.future(b.start()).map(rt -> {
      runtimes.put(clusterId, rt);
      return rt.group();
    });
  }

  private void sweepStoppedRuntimes() {
    for (Map.Entry<Long, WorkflowRuntime> e : new ArrayList<>(runtimes.entrySet())) {
      if (e.getValue().group().isStopped()) {
        runtimes.remove(e.getKey(), e.getValue());
        eventFeeds.unwatch(e.getKey());
        Bridge.future(e.getValue().close());
      }
    }
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    List<Future<?>> closing = new ArrayList<>();
    runtimes.values().forEach(rt -> closing.add(Bridge.future(rt.close())));
    runtimes.clear();
    closing.add(peers.close());
    NodeEventFeeds feeds = eventFeeds;
    if (feeds != null) {
      feeds.close();
      feeds.events().close();
    }
    return Future.all(closing);
  }

  /**
   * Leaves the cluster gracefully, on subscription: this node is removed from its execution clusters (their
   * workflows stay with the other members) and from cluster 0, then it stops. Emits once it has left.
   */
  public Uni<Void> shutdown() {
    return Bridge.uni(() -> {
      ManagementService m = management;
      if (m == null) {
        return vertx.undeploy(deploymentID());
      }
      // cluster 0's member is stopped (its data deleted) before the node goes, not by both in parallel (see
      // ManagementService#stop)
      return m.leave()
          .compose(v -> host.stopGroup(ManagementService.MANAGEMENT_CLUSTER_ID, true).otherwiseEmpty())
          .compose(v -> vertx.undeploy(deploymentID()));
    });
  }

  /** This node's id (0 before it is known). */
  public long nodeId() {
    return nodeId;
  }

  /**
   * Typed workflow operations for any execution cluster, routed from this node: what an application embedding the
   * node uses (inputs as Java objects, results read as the type it names).
   */
  public WorkflowClient workflows() {
    return Objects.requireNonNull(typedClient, "node not started");
  }

  /**
   * The same operations with inputs and results as JSON text, routed from this node: what the HTTP and gRPC APIs
   * serve. Named for its flavour so that Java code reaches for the typed {@link #workflows()} first.
   */
  public JsonWorkflowClient jsonWorkflows() {
    return Objects.requireNonNull(router, "node not started");
  }

  /** The workflow runtimes of the execution clusters this node is a member of, by cluster id. */
  public Map<Long, WorkflowRuntime> localRuntimes() {
    return Map.copyOf(runtimes);
  }

  /**
   * This node's event stream (leaders, memberships, nodes, execution clusters, workflows of the groups it hosts):
   * what {@code GET /events} and gRPC {@code WatchEvents} serve.
   */
  public NodeEvents events() {
    return Objects.requireNonNull(eventFeeds, "node not started").events();
  }

  /** The management service (what the network discovery endpoints serve). */
  public ManagementService management() {
    return management;
  }

  /** The management state as this node knows it. */
  public ManagementView view() {
    ManagementService m = management;
    return m == null ? ManagementView.EMPTY : m.view();
  }

  /** This node's Raft host. */
  public RaftHost host() {
    return host;
  }

  public WorkflowRegistry registry() {
    return registry;
  }

  /** A copy of this node's settings. */
  public NodeOptions options() {
    return new NodeOptions(options);
  }

  /** The identity recorded in this node's storage once started. */
  public NodeIdentity identity() {
    return new NodeIdentity(nodeId, options.getClusterName());
  }
}
