package io.raftoral.testkit;

import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.node.RaftHost;
import io.raftoral.node.RaftHostOptions;
import io.raftoral.raft.RaftNode;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.FaultInjectingTransport;
import io.raftoral.transport.InJvmNetwork;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

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
    return RaftHost.start(vertx, new RaftHostOptions().setNodeId(n.id).setTickMillis(tickMillis), n.store, n.transport)
        .onSuccess(h -> n.host = h);
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
      if (g != null && g.status() != null && g.status().role() == io.raftoral.raft.Role.LEADER
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
