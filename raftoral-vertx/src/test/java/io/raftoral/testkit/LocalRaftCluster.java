package io.raftoral.testkit;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.group.StateMachine;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.FaultInjectingTransport;
import io.raftoral.transport.InJvmNetwork;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Several Raft nodes in one Vert.x instance, for tests (MicroRaft's {@code LocalRaftGroup} idea on the real
 * runtime): each node is a {@link RaftHost} with its own {@link InMemoryLogStore} and a
 * {@link FaultInjectingTransport} on one {@link InJvmNetwork}. Nodes can be killed (unflushed writes lost) and
 * restarted on what their store kept; a firewall partitions them. Groups run the {@link KeyValueStore} example.
 */
public final class LocalRaftCluster {

  private final Vertx vertx;
  private final InJvmNetwork network;
  private final long tickMillis;
  private final Map<Long, Node> nodes = new TreeMap<>();

  /** One node: its store survives kills, its host and state machines do not. */
  public static final class Node {
    public final long id;
    public final InMemoryLogStore store;
    public FaultInjectingTransport transport;
    public RaftHost host;
    public final Map<Long, KeyValueStore> kv = new HashMap<>();

    Node(long id, InMemoryLogStore store) {
      this.id = id;
      this.store = store;
    }

    public boolean isUp() {
      return host != null;
    }
  }

  public LocalRaftCluster(Vertx vertx) {
    this(vertx, RaftPreset.TESTING.tickMillis());
  }

  public LocalRaftCluster(Vertx vertx, long tickMillis) {
    this.vertx = vertx;
    this.network = new InJvmNetwork(vertx);
    this.tickMillis = tickMillis;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The in-JVM network the nodes talk over (e.g. to inject batches from a node that is not part of the cluster). */
  public InJvmNetwork network() {
    return network;
  }

  /** The node ticker interval of every host of this cluster. */
  public long tickMillis() {
    return tickMillis;
  }

  /** Starts hosts for {@code ids} (new nodes with empty stores). */
  public Future<Void> startNodes(long... ids) {
    List<Future<?>> all = new ArrayList<>();
    for (long id : ids) {
      Node n = new Node(id, new InMemoryLogStore(vertx));
      nodes.put(id, n);
      all.add(startHost(n));
    }
    return Future.all(all).mapEmpty();
  }

  private Future<RaftHost> startHost(Node n) {
    n.transport = new FaultInjectingTransport(vertx, network.transport(n.id), n.id);
    // Deployed from a context of its own: Vert.x makes a verticle deployed from another verticle's context a child
    // of that deployment, and callers often run on some group's context (futures complete there). A host started
    // that way would die with the other node when that node is killed.
    Promise<RaftHost> started = Promise.promise();
    ((VertxInternal) vertx).createEventLoopContext().runOnContext(v ->
        RaftHost.start(vertx, new RaftHostOptions().setNodeId(n.id).setTickMillis(tickMillis), n.store, n.transport)
            .onComplete(started));
    return started.future().onSuccess(h -> n.host = h);
  }

  public Node node(long id) {
    return nodes.get(id);
  }

  public Set<Long> nodeIds() {
    return nodes.keySet();
  }

  /** Founds key-value group {@code clusterId} with {@code members} as voters on each of them. */
  public Future<Void> startGroup(long clusterId, RaftGroupOptions options, long... members) {
    List<Future<?>> all = new ArrayList<>();
    for (long id : members) {
      all.add(startGroupOn(id, clusterId, options, members));
    }
    return Future.all(all).mapEmpty();
  }

  /** Starts key-value group {@code clusterId} on node {@code id}: founding when {@code members} is given, else joining or restarting from the store. */
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

  /**
   * Starts a new node {@code id} (empty store) and starts key-value group {@code clusterId} on it as a joining
   * member: it has no configuration and waits for the leader to add it ({@link RaftGroup#addLearner}).
   */
  public Future<RaftGroup<KvCommand, String>> startJoiningNode(long id, long clusterId, RaftGroupOptions options) {
    return startNodes(id).compose(v -> startGroupOn(id, clusterId, options));
  }

  /** The key-value store of group {@code clusterId} on node {@code nodeId} (null when not running there). */
  public KeyValueStore kv(long nodeId, long clusterId) {
    Node n = nodes.get(nodeId);
    return n == null ? null : n.kv.get(clusterId);
  }

  /** The ids of the nodes that are up. */
  public Set<Long> liveNodeIds() {
    Set<Long> up = new TreeSet<>();
    for (Node n : nodes.values()) {
      if (n.isUp()) {
        up.add(n.id);
      }
    }
    return up;
  }

  /**
   * Runs {@code action} on the current leader of {@code clusterId} until the leader's configuration satisfies
   * {@code done}, retrying while leadership moves (a change refused or of unknown outcome because the leader
   * changed is simply tried again on the next leader, once {@code done} is checked). Completes with the index the
   * action reported, or -1 when {@code done} already held.
   */
  public Future<Long> changeMembership(long clusterId, Function<RaftGroup<KvCommand, String>, Uni<Long>> action,
      Predicate<Membership> done, long timeoutMs) {
    return onLeaderUntil(clusterId, action, () -> {
      long l = leader(clusterId);
      return l != RaftNode.NONE && done.test(group(l, clusterId).membership());
    }, timeoutMs).map(r -> r == null ? -1L : r);
  }

  /**
   * Runs {@code action} on the current leader of {@code clusterId}, again on whichever node leads next if it fails
   * (leadership moved under it), until it succeeds or {@code done} holds. Completes with the action's result, or
   * null when {@code done} held first. For operations that must be called on the leader, on busy test machines
   * where an election can happen at any time.
   */
  public <T> Future<T> onLeaderUntil(long clusterId, Function<RaftGroup<KvCommand, String>, Uni<T>> action,
      BooleanSupplier done, long timeoutMs) {
    Promise<T> p = Promise.promise();
    tryOnLeader(clusterId, action, done, System.currentTimeMillis() + timeoutMs, p, null);
    return p.future();
  }

  private <T> void tryOnLeader(long clusterId, Function<RaftGroup<KvCommand, String>, Uni<T>> action,
      BooleanSupplier done, long deadline, Promise<T> p, Throwable last) {
    if (done.getAsBoolean()) {
      p.tryComplete(null);
      return;
    }
    if (System.currentTimeMillis() > deadline) {
      AssertionError e = new AssertionError("operation on the leader of group " + clusterId + " did not succeed");
      if (last != null) {
        e.initCause(last);
      }
      p.tryFail(e);
      return;
    }
    long l = leader(clusterId);
    if (l == RaftNode.NONE) {
      vertx.setTimer(Math.max(1, tickMillis), id -> tryOnLeader(clusterId, action, done, deadline, p, last));
      return;
    }
    Bridge.future(action.apply(group(l, clusterId))).onComplete(ar -> {
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else {
        vertx.setTimer(Math.max(1, tickMillis), id -> tryOnLeader(clusterId, action, done, deadline, p, ar.cause()));
      }
    });
  }

  public RaftGroup<KvCommand, String> group(long nodeId, long clusterId) {
    Node n = nodes.get(nodeId);
    return n == null || n.host == null ? null : n.host.group(clusterId);
  }

  /** The node that leads {@code clusterId} in the highest term among live nodes, or NONE. */
  public long leader(long clusterId) {
    long best = RaftNode.NONE;
    long bestTerm = -1;
    for (Node n : nodes.values()) {
      RaftGroup<KvCommand, String> g = n.host == null ? null : n.host.group(clusterId);
      if (g != null && g.status() != null && g.status().role() == Role.LEADER
          && g.status().term() > bestTerm) {
        best = n.id;
        bestTerm = g.status().term();
      }
    }
    return best;
  }

  /** Completes with the leader of {@code clusterId} once there is one, polling every tick, within {@code timeoutMs}. */
  public Future<Long> awaitLeader(long clusterId, long timeoutMs) {
    return await(() -> leader(clusterId) != RaftNode.NONE, timeoutMs, "a leader of group " + clusterId)
        .map(v -> leader(clusterId));
  }

  /** Polls {@code condition} on the event loop until it holds or {@code timeoutMs} passes. */
  public Future<Void> await(BooleanSupplier condition, long timeoutMs, String what) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    poll(condition, deadline, what, p);
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
      vertx.setTimer(Math.max(1, tickMillis / 2), id -> poll(condition, deadline, what, p));
    }
  }

  /**
   * Proposes {@code commands} to group {@code clusterId} one after the other, each on the leader of the moment
   * (retried on another leader until {@code timeoutMs}), for groups whose commands are strings.
   */
  public Future<Void> proposeInOrder(long clusterId, List<String> commands, long timeoutMs) {
    Future<Void> chain = Future.succeededFuture();
    for (String command : commands) {
      chain = chain.compose(v -> onLeaderUntil(clusterId, g -> node(leader(clusterId)).host
          .<String, Long>group(clusterId).propose(command), () -> false, timeoutMs)).mapEmpty();
    }
    return chain;
  }

  /** Kills node {@code id} like a power cut: its host stops and its store loses unflushed writes. */
  public Future<Void> kill(long id) {
    Node n = nodes.get(id);
    n.store.crash();
    RaftHost h = n.host;
    n.host = null;
    n.kv.clear();
    return vertx.undeploy(h.deploymentID());
  }

  /** Restarts a killed node on its store; its groups must be started again with {@link #startGroupOn}. */
  public Future<RaftHost> restart(long id) {
    Node n = nodes.get(id);
    n.store.recover();
    return startHost(n);
  }

  /** Cuts every link between the given sides (symmetric firewall). */
  public void partition(Set<Long> side, Set<Long> otherSide) {
    for (long a : side) {
      for (long b : otherSide) {
        if (nodes.get(a).transport != null) {
          nodes.get(a).transport.block(b);
        }
        if (nodes.get(b).transport != null) {
          nodes.get(b).transport.block(a);
        }
      }
    }
  }

  public void heal() {
    for (Node n : nodes.values()) {
      if (n.transport != null) {
        n.transport.unblockAll();
      }
    }
  }

  public Future<Void> close() {
    List<Future<?>> all = new ArrayList<>();
    for (Node n : nodes.values()) {
      if (n.host != null) {
        all.add(vertx.undeploy(n.host.deploymentID()));
        n.host = null;
      }
    }
    return Future.all(all).mapEmpty();
  }
}
