package io.raftoral.testkit;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.management.InJvmManagementNetwork;
import io.raftoral.management.ManagementOptions;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whole {@link RaftoralNode}s in one Vert.x instance: in-memory stores (kept across kills, losing unflushed
 * writes), the in-JVM Raft transport, management requests and node-to-node requests over the event bus. Nodes
 * bootstrap, join one by one or together, are killed, restarted on their stores and shut down gracefully.
 */
public final class LocalRaftoralCluster {

  private final Vertx vertx;
  private final Context own;
  private final InJvmNetwork network;
  private final InJvmManagementNetwork management = new InJvmManagementNetwork();
  private final Supplier<WorkflowRegistry> registries;
  private final NodeOptions template;
  /** Stores by address (a node's address is its identity until it has an id). */
  private final Map<String, InMemoryLogStore> stores = new ConcurrentHashMap<>();
  private final Map<String, RaftoralNode> nodes = new ConcurrentHashMap<>();
  private int joined;

  public LocalRaftoralCluster(Vertx vertx, Supplier<WorkflowRegistry> registries) {
    this(vertx, registries, new NodeOptions().setPreset(RaftPreset.TESTING)
        .setManagement(new ManagementOptions().setHeartbeatIntervalMillis(50).setReconcileIntervalMillis(20)
            .setFailureTimeoutMillis(1_500))
        .setWorkflow(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500)));
  }

  public LocalRaftoralCluster(Vertx vertx, Supplier<WorkflowRegistry> registries, NodeOptions template) {
    this.vertx = vertx;
    this.own = ((VertxInternal) vertx).createEventLoopContext();
    this.network = new InJvmNetwork(vertx);
    this.registries = registries;
    this.template = template;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Founds the cluster with node 1 at address "node-a". */
  public Future<RaftoralNode> bootstrap() {
    return deploy("node-a", true);
  }

  /** A new node (new address, empty store) joins; completes with it once started. */
  public Future<RaftoralNode> join() {
    int k = ++joined;
    return deploy("node-" + (char) ('a' + k), false);
  }

  /** Restarts the node that had {@code address} on its store. */
  public Future<RaftoralNode> restart(String address) {
    stores.get(address).recover();
    return deploy(address, false);
  }

  /**
   * Restarts the node that had {@code address} on an empty store, as after the loss of its disk: it registers again
   * and must get a new id.
   */
  public Future<RaftoralNode> restartOnEmptyStorage(String address) {
    stores.put(address, new InMemoryLogStore(vertx));
    return deploy(address, false);
  }

  private Future<RaftoralNode> deploy(String address, boolean bootstrap) {
    InMemoryLogStore store = stores.computeIfAbsent(address, a -> new InMemoryLogStore(vertx));
    NodeOptions opts = new NodeOptions(template).setAdvertiseAddress(address).setBootstrap(bootstrap);
    RaftoralNode node = new RaftoralNode(opts, store, network::transport, management.client(),
        new InJvmPeerRequests(vertx), registries.get());
    Promise<RaftoralNode> p = Promise.promise();
    // From a context of its own: deployed from some node's context it would die with that node.
    own.runOnContext(v -> vertx.deployVerticle(node).onComplete(ar -> {
      if (ar.succeeded()) {
        nodes.put(address, node);
        management.serve(node.management());
        p.complete(node);
      } else {
        p.fail(ar.cause());
      }
    }));
    return p.future();
  }

  /** The live node at {@code address}, or null. */
  public RaftoralNode node(String address) {
    return nodes.get(address);
  }

  /** The store of the node that has (or had) {@code address}, or null. */
  public InMemoryLogStore store(String address) {
    return stores.get(address);
  }

  /** The live node with id {@code id}, or null. */
  public RaftoralNode nodeById(long id) {
    return nodes.values().stream().filter(n -> n.nodeId() == id).findFirst().orElse(null);
  }

  /** Live nodes by address. */
  public Map<String, RaftoralNode> nodes() {
    return new TreeMap<>(nodes);
  }

  /** Kills the node at {@code address} like a power cut. */
  public Future<Void> kill(String address) {
    RaftoralNode n = nodes.remove(address);
    management.unserve(n.management());
    stores.get(address).crash();
    Promise<Void> p = Promise.promise();
    own.runOnContext(v -> vertx.undeploy(n.deploymentID()).onComplete(p));
    return p.future();
  }

  /** Leaves gracefully and stops the node at {@code address}. */
  public Future<Void> shutdown(String address) {
    RaftoralNode n = nodes.get(address);
    Promise<Void> p = Promise.promise();
    own.runOnContext(v -> Bridge.future(n.shutdown()).onComplete(ar -> {
      nodes.remove(address);
      management.unserve(n.management());
      p.handle(ar);
    }));
    return p.future();
  }

  /** Polls {@code condition} until it holds or {@code timeoutMs} passes. */
  public Future<Void> await(BooleanSupplier condition, long timeoutMs, String what) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    own.runOnContext(v -> poll(condition, deadline, what, p));
    return p.future();
  }

  private void poll(BooleanSupplier condition, long deadline, String what, Promise<Void> p) {
    boolean ok;
    try {
      ok = condition.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    if (ok) {
      p.tryComplete();
    } else if (System.currentTimeMillis() > deadline) {
      p.tryFail(new AssertionError("timed out waiting for " + what));
    } else {
      vertx.setTimer(10, id -> poll(condition, deadline, what, p));
    }
  }

  public Future<Void> close() {
    List<Future<?>> all = new ArrayList<>();
    for (String address : new ArrayList<>(nodes.keySet())) {
      all.add(kill(address));
    }
    return Future.all(all).mapEmpty();
  }
}
