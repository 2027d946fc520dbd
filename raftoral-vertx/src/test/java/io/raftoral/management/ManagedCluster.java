package io.raftoral.management;

import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.raft.Membership;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/**
 * Nodes running the management layer in one JVM: hosts from a {@link LocalRaftCluster} (in-memory stores, in-JVM
 * transport), one {@link ManagementService} each, registration and heartbeats over an
 * {@link InJvmManagementNetwork}, execution clusters running the key-value example.
 */
final class ManagedCluster {

  static final long WAIT = 20_000;

  final LocalRaftCluster local;
  final InJvmManagementNetwork network = new InJvmManagementNetwork();
  final ManagementOptions options;
  final RaftGroupOptions groupOptions = RaftPreset.TESTING.groupOptions();
  final Map<Long, ManagementService> services = new ConcurrentSkipListMap<>();
  private final Map<Long, String> addresses = new ConcurrentHashMap<>();
  private final Set<Long> paused = ConcurrentHashMap.newKeySet();
  private int joined;
  /** The port of the founder's address when nodes use seed clients (others follow it). */
  private static final int FIRST_PORT = 20_001;
  private final boolean seedClients;

  ManagedCluster(Vertx vertx) {
    this(vertx, new ManagementOptions().setMergeUndersizedClusters(true).setHeartbeatIntervalMillis(50)
        .setReconcileIntervalMillis(20)
        .setFailureTimeoutMillis(1_500));
  }

  ManagedCluster(Vertx vertx, ManagementOptions options) {
    this(vertx, options, false);
  }

  /**
   * @param seedClients whether nodes reach the management leader as over the network ({@link InJvmSeedClient}):
   *     through their seeds (the founder and themselves) and the directory they know, at host:port addresses;
   *     else through the {@link InJvmManagementNetwork}, which always finds the leader
   */
  ManagedCluster(Vertx vertx, ManagementOptions options, boolean seedClients) {
    this.local = new LocalRaftCluster(vertx);
    this.options = options;
    this.seedClients = seedClients;
  }

  /** The address of the k-th node started (the founder is the first): host:port when nodes use seed clients. */
  private String addressOf(int k) {
    return seedClients ? "127.0.0.1:" + (FIRST_PORT + k) : k == 0 ? null : "joiner-" + k;
  }

  /** The live management service at {@code address}, or null. */
  private ManagementService serviceAt(String address) {
    for (Map.Entry<Long, ManagementService> e : Map.copyOf(services).entrySet()) {
      if (address.equals(addresses.get(e.getKey()))) {
        return e.getValue();
      }
    }
    return null;
  }

  /**
   * A seed client of the node at {@code address}: its seeds are the founder and itself, as in the demo. While the
   * node is paused it reaches nobody.
   */
  private ManagementClient seedClient(String address) {
    return new InJvmSeedClient(List.of(addressOf(0), address), to -> cutOff(address) ? null : serviceAt(to));
  }

  private boolean cutOff(String address) {
    return addresses.entrySet().stream().anyMatch(e -> e.getValue().equals(address) && paused.contains(e.getKey()));
  }

  Vertx vertx() {
    return local.vertx();
  }

  /** Starts the key-value group of an execution cluster (the factory the management layer is given). */
  final ExecutionGroupFactory kvFactory = this::startKv;

  private Future<RaftGroup<?, ?>> startKv(RaftHost host, long clusterId, Set<Long> founders) {
    KeyValueStore kv = new KeyValueStore();
    local.node(host.nodeId()).kv.put(clusterId, kv);
    RaftHost.GroupBuilder<KvCommand, String> b = host.group(clusterId, kv, KeyValueStore.CODEC).options(groupOptions);
    if (!founders.isEmpty()) {
      b.members(founders.stream().mapToLong(Long::longValue).toArray());
    }
    return b.start().map(g -> (RaftGroup<?, ?>) g);
  }

  /** Founds cluster 0 on node {@code id}. */
  Future<ManagementService> bootstrap(long id) {
    return local.startNodes(id).compose(v -> deploy(id, seedClients ? addressOf(0) : "node-" + id, true));
  }

  /** A new node registers, starts its host with the id it got, and joins. Completes with its id. */
  Future<Long> join() {
    int k = ++joined;
    String address = addressOf(k);
    ManagementClient client = seedClients ? seedClient(address) : network.client();
    return ManagementService.register(vertx(), client, address, "request-" + k, WAIT)
        .compose(id -> local.startNodes(id).compose(v -> deploy(id, address, false)).map(id));
  }

  /** Restarts a killed node on its store, with its id and address: it registers nothing, it rejoins. */
  Future<ManagementService> restart(long id) {
    return local.restart(id).compose(h -> deploy(id, addresses.get(id), false));
  }

  private Future<ManagementService> deploy(long id, String address, boolean founding) {
    addresses.put(id, address);
    ManagementService s = new ManagementService(local.node(id).host, address, founding, clientOf(id),
        kvFactory, options, groupOptions);
    services.put(id, s);
    network.serve(s);
    // from a context of its own, so that it is no child deployment of whatever group's context we are on
    Promise<ManagementService> p = Promise.promise();
    ((VertxInternal) vertx()).createEventLoopContext().runOnContext(v ->
        vertx().deployVerticle(s).map(d -> s).onComplete(p));
    return p.future();
  }

  /** The client of node {@code id}: the network's, except that a paused node's heartbeats are lost. */
  private ManagementClient clientOf(long id) {
    if (seedClients) {
      return seedClient(addresses.get(id));
    }
    ManagementClient real = network.client();
    return new ManagementClient() {
      @Override
      public Future<Long> register(String address, String requestId) {
        return real.register(address, requestId);
      }

      @Override
      public Future<Long> rejoin(String address, long nodeId) {
        return paused.contains(id) ? Future.failedFuture(new IllegalStateException("paused"))
            : real.rejoin(address, nodeId);
      }

      @Override
      public Future<Void> heartbeat(long nodeId) {
        return paused.contains(id) ? Future.failedFuture(new IllegalStateException("paused"))
            : real.heartbeat(nodeId);
      }
    };
  }

  /** Cuts node {@code id} off: its Raft traffic and its heartbeats are lost until {@link #resume}. */
  void pause(long id) {
    paused.add(id);
    Set<Long> others = new TreeSet<>(services.keySet());
    others.remove(id);
    local.partition(Set.of(id), others);
  }

  void resume(long id) {
    paused.remove(id);
    local.heal();
  }

  /** Kills node {@code id} like a power cut (its management service goes with it). */
  Future<Void> kill(long id) {
    ManagementService s = services.remove(id);
    network.unserve(s);
    return vertx().undeploy(s.deploymentID()).compose(v -> local.kill(id));
  }

  /** Leaves gracefully, then stops the node. */
  Future<Void> leave(long id) {
    ManagementService s = services.get(id);
    return s.leave().compose(v -> {
      services.remove(id);
      network.unserve(s);
      return vertx().undeploy(s.deploymentID());
    });
  }

  /** The management service leading cluster 0, or null. */
  ManagementService managementLeader() {
    return services.values().stream().filter(ManagementService::isManagementLeader).findFirst().orElse(null);
  }

  /** The management state as the management leader knows it (null while there is none). */
  ManagementView view() {
    ManagementService l = managementLeader();
    return l == null ? null : l.view();
  }

  /** The desired members of every execution cluster, as the management leader knows them. */
  Map<Long, Set<Long>> layout() {
    Map<Long, Set<Long>> m = new TreeMap<>();
    ManagementView v = view();
    if (v != null) {
      v.clusters().forEach((id, c) -> m.put(id, c.desiredMembers()));
    }
    return m;
  }

  /** The Raft configuration of {@code clusterId} on its leader among the live nodes, or null. */
  Membership raftMembership(long clusterId) {
    for (ManagementService s : services.values()) {
      RaftGroup<?, ?> g = local.node(s.nodeId()).host.group(clusterId);
      if (g != null && g.isLeader()) {
        return g.membership();
      }
    }
    return null;
  }

  /** The live nodes hosting group {@code clusterId}. */
  Set<Long> hosting(long clusterId) {
    Set<Long> ids = new TreeSet<>();
    services.keySet().forEach(id -> {
      if (local.node(id).host.groupIds().contains(clusterId)) {
        ids.add(id);
      }
    });
    return ids;
  }

  /**
   * Whether the cluster has converged on {@code expected}: that is the desired layout, every execution cluster's
   * leader has exactly those voters (and reported them), only desired members host the groups, and cluster 0 has
   * the first {@code maxVoters} live nodes... as voters and the rest as learners.
   */
  boolean convergedOn(Map<Long, Set<Long>> expected) {
    ManagementView v = view();
    if (v == null || !layout().equals(expected)) {
      return false;
    }
    for (Map.Entry<Long, Set<Long>> e : expected.entrySet()) {
      Membership m = raftMembership(e.getKey());
      ExecutionCluster c = v.clusters().get(e.getKey());
      if (m == null || !m.voters().equals(e.getValue()) || !m.learners().isEmpty()
          || !c.reportedVoters().equals(e.getValue()) || !c.reportedLearners().isEmpty()
          || !hosting(e.getKey()).equals(e.getValue())) {
        return false;
      }
    }
    Membership zero = raftMembership(ManagementService.MANAGEMENT_CLUSTER_ID);
    int live = services.size();
    return zero != null && zero.members().equals(services.keySet())
        && zero.voters().size() == Math.min(live, options.getMaxVoters());
  }

  Future<Void> await(BooleanSupplier condition, String what) {
    return local.await(condition, WAIT, what);
  }

  Future<Void> awaitConverged(Map<Long, Set<Long>> expected) {
    return local.await(() -> convergedOn(expected), WAIT, "convergence on " + expected).recover(e ->
        Future.failedFuture(new AssertionError(e.getMessage() + "; layout " + layout() + ", raft "
            + describeRaft(expected.keySet()), e)));
  }

  String describeRaft(Set<Long> clusters) {
    StringBuilder sb = new StringBuilder();
    sb.append("0=").append(raftMembership(0));
    for (long id : clusters) {
      sb.append(", ").append(id).append('=').append(raftMembership(id)).append(" hosted by ").append(hosting(id));
    }
    ManagementView v = view();
    if (v != null) {
      sb.append(", nodes ").append(v.nodes().values());
    }
    return sb.toString();
  }

  /**
   * Whether every live node's view agrees with the management leader's: the same directory (ids and states) and the
   * same desired memberships.
   */
  boolean viewsAgree() {
    ManagementView leader = view();
    if (leader == null) {
      return false;
    }
    for (ManagementService s : services.values()) {
      ManagementView v = s.view();
      if (!states(v).equals(states(leader)) || !desired(v).equals(desired(leader))) {
        return false;
      }
    }
    return true;
  }

  private static Map<Long, NodeState> states(ManagementView v) {
    Map<Long, NodeState> m = new TreeMap<>();
    v.nodes().values().forEach(n -> m.put(n.id(), n.state()));
    return m;
  }

  private static Map<Long, Set<Long>> desired(ManagementView v) {
    Map<Long, Set<Long>> m = new TreeMap<>();
    v.clusters().forEach((id, c) -> m.put(id, c.desiredMembers()));
    return m;
  }

  Future<Void> awaitViewsAgree() {
    return local.await(this::viewsAgree, WAIT, "every node's view agreeing with the leader's").recover(e -> {
      StringBuilder sb = new StringBuilder();
      services.forEach((id, s) -> sb.append(" node ").append(id).append(": ").append(states(s.view()))
          .append(desired(s.view())));
      return Future.failedFuture(new AssertionError(e.getMessage() + ";" + sb, e));
    });
  }

  Future<Void> close() {
    Future<Void> all = Future.succeededFuture();
    for (ManagementService s : services.values()) {
      all = all.compose(v -> vertx().undeploy(s.deploymentID()).otherwiseEmpty());
    }
    return all.compose(v -> local.close());
  }
}
