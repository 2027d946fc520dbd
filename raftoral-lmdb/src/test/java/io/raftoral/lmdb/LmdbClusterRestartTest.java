package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Role;
import io.raftoral.transport.InJvmNetwork;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-node key-value group on LMDB stores (one JVM, in-JVM transport) restarted node by node and all at once keeps
 * every committed entry and rebuilds its state machines (snapshot restore, then log replay).
 */
class LmdbClusterRestartTest {

  private static final long GROUP = 5;
  private static final RaftGroupOptions OPTS =
      RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(40).setSnapshotLogRatio(0);

  @TempDir
  Path dir;
  private Vertx vertx;
  private InJvmNetwork network;
  private final Map<Long, Running> nodes = new TreeMap<>();

  private record Running(RaftHost host, LmdbLogStore store, KeyValueStore kv, RaftGroup<KvCommand, String> group) {}

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    network = new InJvmNetwork(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (long id : new ArrayList<>(nodes.keySet())) {
      stop(id);
    }
    await(vertx.close());
  }

  private void start(long id, boolean founding) throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir.resolve("node-" + id));
    RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
        .setTickMillis(RaftPreset.TESTING.tickMillis()), store, network.transport(id)));
    KeyValueStore kv = new KeyValueStore();
    RaftHost.GroupBuilder<KvCommand, String> b = host.group(GROUP, kv, KeyValueStore.CODEC).options(OPTS);
    if (founding) {
      b.members(1, 2, 3);
    }
    nodes.put(id, new Running(host, store, kv, await(b.start())));
  }

  private void stop(long id) throws Exception {
    Running r = nodes.remove(id);
    await(vertx.undeploy(r.host.deploymentID()));
    await(r.store.close());
  }

  private RaftGroup<KvCommand, String> leader() throws Exception {
    awaitCondition(() -> nodes.values().stream().anyMatch(r -> r.group.status().role() == Role.LEADER), "a leader");
    return nodes.values().stream().filter(r -> r.group.status().role() == Role.LEADER).findFirst().orElseThrow().group;
  }

  private void putAll(int from, int to) throws Exception {
    RaftGroup<KvCommand, String> leader = leader();
    List<Future<?>> puts = new ArrayList<>();
    for (int i = from; i < to; i++) {
      puts.add(Bridge.future(leader.propose(KvCommand.put("k" + i, "v" + i))));
    }
    await(Future.all(puts));
  }

  private void assertEveryReplicaHas(int keys) throws Exception {
    awaitCondition(() -> nodes.values().stream().allMatch(r -> r.kv.size() == keys), "every replica at " + keys + " keys");
    for (Running r : nodes.values()) {
      for (int i = 0; i < keys; i++) {
        assertThat(r.kv.get("k" + i)).as("node " + r.host.nodeId() + " key k" + i).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void restartingNodeByNodeAndAllAtOnceKeepsEveryCommittedEntry() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id, true);
    }
    putAll(0, 100);
    assertEveryReplicaHas(100);

    // node by node: each comes back on its own storage (snapshot + log) and catches up on what it missed
    for (long id = 1; id <= 3; id++) {
      stop(id);
      putAll(100 + (int) id * 10, 110 + (int) id * 10);
      start(id, false);
    }
    putAll(100, 110);
    assertEveryReplicaHas(140);

    // all at once
    for (long id = 1; id <= 3; id++) {
      stop(id);
    }
    for (long id = 1; id <= 3; id++) {
      start(id, false);
    }
    assertEveryReplicaHas(140);
    putAll(140, 150);
    assertEveryReplicaHas(150);
    String read = await(Bridge.future(leader().read(() -> "linearizable")));
    assertThat(read).isEqualTo("linearizable");
  }

  private void awaitCondition(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(5, id -> tick.complete());
      await(tick.future());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
