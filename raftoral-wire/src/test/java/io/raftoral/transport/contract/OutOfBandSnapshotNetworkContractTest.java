package io.raftoral.transport.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.group.SyntheticSnapshotMachine;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.FaultInjectingTransport;
import io.raftoral.transport.NetworkTransport;
import io.raftoral.transport.NetworkTransportOptions;
import io.raftoral.transport.contract.NetworkTransportContractTest.TransportConstructor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's whole path on real sockets: a Raft group of three nodes over one network transport, each on its own
 * store (the subclass's, LMDB in both protocols), streams a snapshot of {@link #SNAPSHOT_BYTES} (at least 100 MB,
 * derived from the state, so it costs no heap); a fourth node added as a learner gets only the snapshot's reference in
 * the Raft message and fetches the data out of band through the transport. Half way, the transfer is held (the group
 * keeps committing meanwhile), then broken by a partition of the learner; once healed, the learner resumes from its
 * last good offset, the first chunk it then receives is corrupted on the way and refused (CRC32C) and fetched again,
 * and the snapshot installs only once its SHA-256 matches; the learner's state machine then verifies every byte it
 * restores and ends equal to the leader's.
 *
 * @param <O> the transport's options
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
public abstract class OutOfBandSnapshotNetworkContractTest<O extends NetworkTransportOptions<O>> {

  private static final long GROUP = 11;
  /** The size: at least 100 MB ({@code -Draftoral.oob.networkSnapshotBytes} to try another). */
  private static final long SNAPSHOT_BYTES = Long.getLong("raftoral.oob.networkSnapshotBytes", 100L * 1024 * 1024);
  private static final int CHUNK_BYTES = 1 << 20;
  private static final int COMMANDS_BEFORE_JOINING = 20;
  private static final int COMMANDS_DURING_TRANSFER = 10;
  private static final long LEARNER = 4;
  private static final long[] FOUNDERS = {1, 2, 3};
  private static final long WAIT = 240_000;
  /** Elections after 0.5 to 1 s: a leader change mid-transfer would legitimately start another snapshot's transfer. */
  private static final int ELECTION_TICKS = 50;

  private final Supplier<O> defaults;
  private final TransportConstructor<O> constructor;
  private final Map<Long, SyntheticSnapshotMachine> machines = new HashMap<>();
  private NetworkRaftCluster cluster;

  @TempDir
  Path storeRoot;

  protected OutOfBandSnapshotNetworkContractTest(Supplier<O> defaults, TransportConstructor<O> constructor) {
    this.defaults = defaults;
    this.constructor = constructor;
  }

  /** The store of node {@code nodeId}, in {@code directory} (a real, durable one). */
  protected abstract LogStore createStore(Vertx vertx, Path directory);

  @AfterEach
  void closeCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewMemberFetchesA100MegabyteSnapshotOutOfBandResumingAfterABreakAndRefetchingACorruptedChunk(Vertx vertx)
      throws Exception {
    NetworkRaftCluster c = new NetworkRaftCluster(vertx, (vx, id, peers, port) -> {
      NetworkTransport<O, ?> t = constructor.create(vx, id, peers, defaults.get().setHost("127.0.0.1").setPort(port));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, RaftPreset.TESTING.tickMillis())
        .storeFactory((vx, id) -> createStore(vx, storeRoot.resolve("node-" + id)))
        .faultInjection(true);
    cluster = c;

    await(c.startNodes(FOUNDERS));
    for (long id : FOUNDERS) {
      await(start(c, id, FOUNDERS));
    }
    await(c.awaitLeader(GROUP, WAIT));
    await(proposeAll(c, "before", COMMANDS_BEFORE_JOINING));
    await(c.await(() -> allApplied(COMMANDS_BEFORE_JOINING), WAIT, "every founder applying the commands"));
    for (long id : FOUNDERS) {
      await(Bridge.future(c.node(id).host.<String, Long>group(GROUP).snapshot()));
    }
    await(c.await(() -> compactedEverywhere(c), WAIT, "log compaction on every founder"));
    long leaderSnapshotBytes = snapshotSize(c, await(c.awaitLeader(GROUP, WAIT)));
    assertThat(leaderSnapshotBytes).as("the leader's snapshot").isGreaterThanOrEqualTo(100L * 1000 * 1000);

    await(c.startNodes(LEARNER));
    FaultInjectingTransport learner = c.node(LEARNER).faults();
    learner.holdSnapshotChunksAfter(SNAPSHOT_BYTES / 2);
    await(start(c, LEARNER));
    long leader = await(c.awaitLeader(GROUP, WAIT));
    await(Bridge.future(c.group(leader, GROUP).addLearner(LEARNER)));
    await(c.await(() -> learner.heldSnapshotChunks() > 0, WAIT, "the transfer half way"));

    long countBefore = machines.get(await(c.awaitLeader(GROUP, WAIT))).count();
    await(proposeAll(c, "during", COMMANDS_DURING_TRANSFER));
    assertThat(machines.get(await(c.awaitLeader(GROUP, WAIT))).count()).as("commits go on while the transfer is held")
        .isGreaterThanOrEqualTo(countBefore + COMMANDS_DURING_TRANSFER);
    assertThat(machines.get(LEARNER).restores()).as("nothing installed yet").isZero();

    // Break the transfer: the learner is cut off, so the held chunk and the next attempts fail.
    learner.block(FOUNDERS[0], FOUNDERS[1], FOUNDERS[2]);
    learner.releaseSnapshotChunks();
    await(c.await(() -> learner.snapshotFetchesRefused() > 0, WAIT, "a fetch refused while cut off"));
    long fetchedBeforeHeal = learner.snapshotBytesFetched();
    learner.corruptNextSnapshotChunk();
    learner.unblockAll();

    await(c.await(() -> caughtUp(c), WAIT, "the learner installing the snapshot and catching up"));
    List<Long> starts = learner.snapshotFetchStarts();
    assertThat(starts.get(0)).as("the first fetch starts at the beginning").isZero();
    assertThat(starts.subList(1, starts.size())).as("fetches after the break resume from the last good offset")
        .isNotEmpty().allMatch(offset -> offset > 0);
    assertThat(starts.size()).as("a resumed fetch, and one more for the refused corrupted chunk")
        .isGreaterThanOrEqualTo(3);
    assertThat(fetchedBeforeHeal).as("half the snapshot before the break").isGreaterThanOrEqualTo(SNAPSHOT_BYTES / 2);
    assertThat(learner.snapshotBytesFetched()).as("resumed, not restarted: less than twice the snapshot in all")
        .isGreaterThanOrEqualTo(SNAPSHOT_BYTES).isLessThan(2 * SNAPSHOT_BYTES);
    assertThat(machines.get(LEARNER).restores()).as("installed, every byte verified by the state machine")
        .isPositive();
    assertThat(SnapshotRef.isRef(c.node(LEARNER).logStore.load(GROUP).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).snapshot().data())).as("the learner keeps the snapshot as a reference to its file")
        .isTrue();
  }

  // ------------------------------------------------------------------------------------------------ kit

  private static RaftGroupOptions options() {
    return RaftPreset.TESTING.groupOptions().setElectionTicks(ELECTION_TICKS).setSnapshotEveryEntries(100_000)
        .setSnapshotChunkBytes(CHUNK_BYTES);
  }

  private Future<RaftGroup<String, Long>> start(NetworkRaftCluster c, long id, long... members) {
    SyntheticSnapshotMachine machine = new SyntheticSnapshotMachine(SNAPSHOT_BYTES);
    machines.put(id, machine);
    return c.startGroupOn(id, GROUP, options(), machine, SyntheticSnapshotMachine.CODEC, members);
  }

  private boolean allApplied(long count) {
    for (long id : FOUNDERS) {
      if (machines.get(id).count() < count) {
        return false;
      }
    }
    return true;
  }

  private static boolean compactedEverywhere(NetworkRaftCluster c) {
    for (long id : FOUNDERS) {
      if (c.group(id, GROUP).status().firstIndex() <= COMMANDS_BEFORE_JOINING) {
        return false;
      }
    }
    return true;
  }

  /** The size of the snapshot node {@code node} keeps, once its store has recorded it (the save is asynchronous). */
  private static long snapshotSize(NetworkRaftCluster c, long node) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT;
    while (true) {
      byte[] data = await(c.node(node).logStore.load(GROUP)).snapshot().data();
      if (SnapshotRef.isRef(data)) {
        return SnapshotRef.decode(data).size();
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("node " + node + " never recorded its snapshot");
      }
      await(c.await(() -> true, 0, "a poll interval"));
    }
  }

  private boolean caughtUp(NetworkRaftCluster c) {
    long leader = c.leader(GROUP);
    SyntheticSnapshotMachine l = leader <= 0 ? null : machines.get(leader);
    SyntheticSnapshotMachine m = machines.get(LEARNER);
    return l != null && m.restores() > 0 && m.count() == l.count() && m.hash() == l.hash();
  }

  /** Commits {@code count} commands one after the other through whichever node leads. */
  private static Future<Void> proposeAll(NetworkRaftCluster c, String prefix, int count) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      String command = prefix + i;
      chain = chain.compose(v -> c.awaitLeader(GROUP, WAIT))
          .compose(leader -> Bridge.future(c.node(leader).host.<String, Long>group(GROUP).propose(command)))
          .mapEmpty();
    }
    return chain;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT, TimeUnit.MILLISECONDS);
  }
}
