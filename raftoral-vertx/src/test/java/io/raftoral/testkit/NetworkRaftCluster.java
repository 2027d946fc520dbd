package io.raftoral.testkit;

import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.StateMachine;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.FaultInjectingTransport;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Raft nodes in one JVM that talk over a real network transport (gRPC, HTTP) on loopback sockets, for transport
 * tests and benchmarks: each node has its own Vert.x instance, its own {@link InMemoryLogStore} (which survives a
 * stop) and its own transport server on an ephemeral port, registered in one shared {@link PeerAddresses} directory
 * as {@code localhost:port}. Groups run the {@link KeyValueStore} example.
 *
 * <p>A stopped node's host is undeployed (closing its transport and server); {@link #restart} listens again on the
 * same port with a new transport, so peers must reconnect by themselves.
 */
public final class NetworkRaftCluster {

  /** What a node's transport looked like once started. */
  public record Bound(Transport transport, int port) {}

  /** Creates and starts the transport of one node (the module under test decides which). */
  @FunctionalInterface
  public interface NodeTransports {
    /**
     * Starts node {@code nodeId}'s transport on {@code vertx}, listening on loopback {@code port} (0: any free port),
     * sending to the addresses in {@code peers}.
     */
    Future<Bound> start(Vertx vertx, long nodeId, PeerAddresses peers, int port);
  }

  /** Creates the store of one node (see {@link #storeFactory}). */
  @FunctionalInterface
  public interface NodeStores {
    LogStore create(Vertx vertx, long nodeId);
  }

  /** One node. */
  public static final class Node {
    public final long id;
    public final Vertx vertx;
    /** The node's in-memory store, or null when a {@link NodeStores} factory made {@link #logStore}. */
    public final InMemoryLogStore store;
    /** The store the node's host runs on. */
    public final LogStore logStore;
    /** The transport the host uses: the protocol's own, or a {@link FaultInjectingTransport} around it. */
    public Transport transport;
    public int port;
    public RaftHost host;
    public final Map<Long, KeyValueStore> kv = new HashMap<>();

    Node(long id, Vertx vertx, NodeStores stores) {
      this.id = id;
      this.vertx = vertx;
      this.store = stores == null ? new InMemoryLogStore(vertx) : null;
      this.logStore = stores == null ? store : stores.create(vertx, id);
    }

    /** The fault-injecting wrapper of this node's transport (see {@link #faultInjection}). */
    public FaultInjectingTransport faults() {
      return (FaultInjectingTransport) transport;
    }

    public boolean isUp() {
      return host != null;
    }
  }

  private final Vertx control;
  private final NodeTransports transports;
  private final long tickMillis;
  private final PeerAddresses peers = new PeerAddresses();
  private final Map<Long, Node> nodes = new TreeMap<>();
  private NodeStores stores;
  private boolean faultInjection;

  /** {@code control} runs the polling timers of {@link #await}. */
  public NetworkRaftCluster(Vertx control, NodeTransports transports, long tickMillis) {
    this.control = control;
    this.transports = transports;
    this.tickMillis = tickMillis;
  }

  /** Nodes started from now on get their store from {@code factory} (for example LMDB) instead of an in-memory one. */
  public NetworkRaftCluster storeFactory(NodeStores factory) {
    this.stores = factory;
    return this;
  }

  /**
   * Nodes started from now on run their protocol's transport inside a {@link FaultInjectingTransport} (firewall,
   * snapshot-chunk faults), reached through {@link Node#faults()}.
   */
  public NetworkRaftCluster faultInjection(boolean on) {
    this.faultInjection = on;
    return this;
  }

  public PeerAddresses peers() {
    return peers;
  }

  public Node node(long id) {
    return nodes.get(id);
  }

  /** Starts new nodes (own Vert.x, empty store, transport on a free port) and registers their addresses. */
  public Future<Void> startNodes(long... ids) {
    List<Future<?>> all = new ArrayList<>();
    for (long id : ids) {
      Node n = new Node(id, Vertx.vertx(), stores);
      nodes.put(id, n);
      all.add(startHost(n, 0));
    }
    return Future.all(all).mapEmpty();
  }

  private Future<RaftHost> startHost(Node n, int port) {
    return transports.start(n.vertx, n.id, peers, port).compose(bound -> {
      n.transport = faultInjection ? new FaultInjectingTransport(n.vertx, bound.transport(), n.id)
          : bound.transport();
      n.port = bound.port();
      peers.put(n.id, "localhost:" + bound.port());
      return RaftHost.start(n.vertx, new RaftHostOptions().setNodeId(n.id).setTickMillis(tickMillis), n.logStore,
          n.transport);
    }).onSuccess(h -> n.host = h);
  }

  /** Founds key-value group {@code clusterId} with {@code members} as voters on each of them. */
  public Future<Void> startGroup(long clusterId, RaftGroupOptions options, long... members) {
    List<Future<?>> all = new ArrayList<>();
    for (long id : members) {
      all.add(startGroupOn(id, clusterId, options, members));
    }
    return Future.all(all).mapEmpty();
  }

  /** Starts group {@code clusterId} on node {@code id}: founding with {@code members}, else restarting from the store. */
  public Future<RaftGroup<KvCommand, String>> startGroupOn(long id, long clusterId, RaftGroupOptions options,
      long... members) {
    Node n = nodes.get(id);
    KeyValueStore kv = new KeyValueStore();
    n.kv.put(clusterId, kv);
    RaftHost.GroupBuilder<KvCommand, String> b = n.host.group(clusterId, kv, KeyValueStore.CODEC).options(options);
    if (members.length > 0) {
      b.members(members);
    }
    return b.start();
  }

  /**
   * Starts group {@code clusterId} running {@code stateMachine} on node {@code id}: founding when {@code members} is
   * given, else joining or restarting from the store. The state machine is the caller's to keep.
   */
  public <C, R> Future<RaftGroup<C, R>> startGroupOn(long id, long clusterId, RaftGroupOptions options,
      StateMachine<C, R> stateMachine, CommandCodec<C> codec, long... members) {
    RaftHost.GroupBuilder<C, R> b = nodes.get(id).host.group(clusterId, stateMachine, codec).options(options);
    if (members.length > 0) {
      b.members(members);
    }
    return b.start();
  }

  /** Stops node {@code id}: its host (groups, transport, server) goes away; its store and port are kept. */
  public Future<Void> stop(long id) {
    Node n = nodes.get(id);
    RaftHost h = n.host;
    n.host = null;
    n.kv.clear();
    return n.vertx.undeploy(h.deploymentID());
  }

  /** Restarts a stopped node on its store and its old port; start its groups again with {@link #startGroupOn}. */
  public Future<RaftHost> restart(long id) {
    Node n = nodes.get(id);
    return startHost(n, n.port);
  }

  /**
   * Restarts a stopped node on its store but on a new port, and updates the shared directory: peers must notice the
   * changed address and follow it.
   */
  public Future<RaftHost> restartOnNewPort(long id) {
    Node n = nodes.get(id);
    // Holds the old port while the new one is picked, so the OS cannot hand the same port out again; connections to
    // it are closed at once, as a stopped node's would be refused. When the old port cannot be bound (still held by
    // the stopped server's closing socket), the OS will not hand it out either.
    return n.vertx.createNetServer().connectHandler(socket -> socket.close()).listen(n.port, "127.0.0.1")
        .transform(placeholder -> placeholder.succeeded()
            ? startHost(n, 0).eventually(() -> placeholder.result().close())
            : startHost(n, 0));
  }

  public RaftGroup<KvCommand, String> group(long nodeId, long clusterId) {
    Node n = nodes.get(nodeId);
    return n == null || n.host == null ? null : n.host.group(clusterId);
  }

  public KeyValueStore kv(long nodeId, long clusterId) {
    Node n = nodes.get(nodeId);
    return n == null ? null : n.kv.get(clusterId);
  }

  public Set<Long> liveNodeIds() {
    Set<Long> up = new TreeSet<>();
    nodes.values().stream().filter(Node::isUp).forEach(n -> up.add(n.id));
    return up;
  }

  /** The live node leading {@code clusterId} in the highest term, or NONE. */
  public long leader(long clusterId) {
    long best = RaftNode.NONE;
    long bestTerm = -1;
    for (Node n : nodes.values()) {
      RaftGroup<KvCommand, String> g = n.host == null ? null : n.host.group(clusterId);
      if (g != null && g.status() != null && g.status().role() == Role.LEADER && g.status().term() > bestTerm) {
        best = n.id;
        bestTerm = g.status().term();
      }
    }
    return best;
  }

  public Future<Long> awaitLeader(long clusterId, long timeoutMs) {
    return await(() -> leader(clusterId) != RaftNode.NONE, timeoutMs, "a leader of group " + clusterId)
        .map(v -> leader(clusterId));
  }

  /** Polls {@code condition} every half tick on the control Vert.x until it holds or {@code timeoutMs} passes. */
  public Future<Void> await(BooleanSupplier condition, long timeoutMs, String what) {
    Promise<Void> p = Promise.promise();
    poll(condition, System.currentTimeMillis() + timeoutMs, what, p);
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
      control.setTimer(Math.max(1, tickMillis / 2), id -> poll(condition, deadline, what, p));
    }
  }

  /**
   * Closes every node's Vert.x (which undeploys its host), then the stores a {@link NodeStores} factory made; waits
   * (test thread only) up to 30 s.
   */
  public void close() throws Exception {
    List<Future<?>> all = new ArrayList<>();
    for (Node n : nodes.values()) {
      Future<?> closed = n.vertx.close();
      all.add(n.store == null ? closed.eventually(() -> n.logStore.close()) : closed);
      n.host = null;
    }
    Future.join(all).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Waits for {@code f} on the calling (test) thread, never an event loop, up to 30 s. */
  public static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code call} on {@code context} and completes with its outcome. Tests drive their raw HTTP/gRPC clients
   * through one context like this, as the transports do: a Vert.x 5.0.7 HTTP client used from a non-Vert.x thread
   * (a new context per call) occasionally never completes a request on a reused keep-alive connection (seen about
   * once in 200 calls here, never from one context).
   */
  public static <T> Future<T> on(Context context, Supplier<Future<T>> call) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        call.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

}
