package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.raft.RaftStatus;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.testkit.LocalRaftCluster;
import io.raftoral.transport.FaultInjectingTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Snapshots out of band (§7) on the real runtime: the Raft message carries only a {@link SnapshotRef}; a member
 * that needs the snapshot fetches its data from the leader in verified chunks, resumes a broken transfer from its
 * last good offset, refuses a corrupted chunk, and installs the snapshot once its SHA-256 matches, while the group
 * keeps committing. The state machine streams a snapshot of {@link #SNAPSHOT_BYTES} derived from its state and
 * verifies every byte when restoring.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutOfBandSnapshotTest {

  private static final long GROUP = 9;
  private static final long WAIT = 60_000;
  /** The state machine's snapshot size: 1 MiB, or {@code -Draftoral.oob.snapshotBytes=104857600} for 100 MB. */
  private static final long SNAPSHOT_BYTES = Long.getLong("raftoral.oob.snapshotBytes", 1 << 20);
  /** Small chunks keep the default run fast while the transfer still takes tens of chunks. */
  private static final int CHUNK_BYTES = Integer.getInteger("raftoral.oob.chunkBytes", 32 * 1024);
  /**
   * Commands committed before a member joins, then compacted by an operator's snapshot on every node. No snapshot is
   * taken by itself during a test (the threshold is far away), so a joining member fetches exactly one.
   */
  private static final int COMMANDS_BEFORE_JOINING = 50;
  private static final int COMMANDS_DURING_TRANSFER = 10;
  private static final long SNAPSHOT_EVERY = 10_000;
  /**
   * Elections after 0.5 to 1 s rather than the testing preset's 0.1 s: a leader change during a transfer legitimately
   * makes the member fetch the new leader's snapshot from the start, which would blur what a test shows.
   */
  private static final int ELECTION_TICKS = 50;

  private final Map<Long, SyntheticSnapshotMachine> machines = new HashMap<>();

  private static RaftGroupOptions options() {
    return RaftPreset.TESTING.groupOptions().setElectionTicks(ELECTION_TICKS).setSnapshotEveryEntries(SNAPSHOT_EVERY)
        .setSnapshotChunkBytes(CHUNK_BYTES);
  }

  @Test
  void aLearnerAddedAfterCompactionCatchesUpThroughAnOutOfBandTransfer(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    compactedGroup(c)
        .compose(v -> join(c, 4))
        .compose(v -> caughtUp(c, 4))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          FaultInjectingTransport learner = c.node(4).transport;
          assertThat(learner.snapshotFetchStarts()).as("fetched from the start, nothing to resume").isNotEmpty()
              .allMatch(offset -> offset == 0);
          assertThat(learner.snapshotBytesFetched()).as("the whole snapshot came out of band")
              .isGreaterThan(SNAPSHOT_BYTES);
          assertThat(machines.get(4L).restores()).isPositive();
          RaftStatus s = c.group(4, GROUP).status();
          assertThat(s.firstIndex()).as("the learner's log starts after the snapshot").isGreaterThan(1);
          ctx.completeNow();
        })));
  }

  @Test
  void aTransferCutHalfWayResumesFromTheLastGoodOffset(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    compactedGroup(c)
        .compose(v -> c.startNodes(4))
        .compose(v -> {
          c.node(4).transport.holdSnapshotChunksAfter(SNAPSHOT_BYTES / 2);
          return join(c, 4);
        })
        .compose(v -> c.await(() -> c.node(4).transport.heldSnapshotChunks() > 0, WAIT, "the transfer half way"))
        .compose(v -> {
          // Cut the learner off: the held chunk breaks the transfer, and fetching again fails while cut off.
          c.partition(Set.of(4L), Set.of(1L, 2L, 3L));
          c.node(4).transport.releaseSnapshotChunks();
          return c.await(() -> c.node(4).transport.snapshotFetchesRefused() > 0, WAIT,
              "the learner trying to fetch again while cut off");
        })
        .compose(v -> {
          c.heal();
          return caughtUp(c, 4);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          FaultInjectingTransport learner = c.node(4).transport;
          List<Long> starts = learner.snapshotFetchStarts();
          assertThat(starts).as("a first fetch and at least one resumed one").hasSizeGreaterThanOrEqualTo(2);
          assertThat(starts.get(0)).isZero();
          assertThat(starts.subList(1, starts.size())).as("a later fetch resumes where the first one broke")
              .anyMatch(offset -> offset > 0);
          assertThat(learner.snapshotBytesFetched()).as("resumed, not restarted").isLessThan(2 * SNAPSHOT_BYTES);
          assertThat(machines.get(4L).restores()).isPositive();
          ctx.completeNow();
        })));
  }

  @Test
  void aCorruptedChunkIsRefusedAndFetchedAgain(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    compactedGroup(c)
        .compose(v -> c.startNodes(4))
        .compose(v -> {
          c.node(4).transport.holdSnapshotChunksAfter(SNAPSHOT_BYTES / 2);
          return join(c, 4);
        })
        .compose(v -> c.await(() -> c.node(4).transport.heldSnapshotChunks() > 0, WAIT, "the transfer half way"))
        .compose(v -> {
          c.node(4).transport.corruptNextSnapshotChunk().releaseSnapshotChunks();
          return caughtUp(c, 4);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          FaultInjectingTransport learner = c.node(4).transport;
          List<Long> starts = learner.snapshotFetchStarts();
          assertThat(starts).as("the refused chunk is fetched again").hasSizeGreaterThanOrEqualTo(2);
          assertThat(starts.subList(1, starts.size())).as("from the last good offset").anyMatch(offset -> offset > 0);
          assertThat(learner.snapshotBytesFetched()).as("the corrupted chunk fetched twice")
              .isGreaterThan(SNAPSHOT_BYTES).isLessThan(2 * SNAPSHOT_BYTES);
          assertThat(machines.get(4L).restores()).as("installed, every byte verified").isPositive();
          ctx.completeNow();
        })));
  }

  @Test
  void commitsContinueWhileATransferIsHeld(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] before = new long[1];
    compactedGroup(c)
        .compose(v -> c.startNodes(4))
        .compose(v -> {
          c.node(4).transport.holdSnapshotChunksAfter(0);
          return join(c, 4);
        })
        .compose(v -> c.await(() -> c.node(4).transport.heldSnapshotChunks() > 0, WAIT, "the transfer held"))
        .compose(v -> {
          before[0] = leaderMachine(c).count();
          return proposeAll(c, "during", COMMANDS_DURING_TRANSFER);
        })
        .compose(v -> c.await(() -> c.group(4, GROUP).status().leaderId() == c.leader(GROUP), WAIT,
            "the learner following the leader while it waits for the snapshot"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(leaderMachine(c).count()).as("commits went on during the transfer")
              .isGreaterThanOrEqualTo(before[0] + COMMANDS_DURING_TRANSFER);
          assertThat(machines.get(4L).count()).as("the learner has not installed anything yet").isZero();
          assertThat(c.node(4).transport.heldSnapshotChunks()).as("the transfer is still held").isPositive();
        })))
        .compose(v -> {
          c.node(4).transport.releaseSnapshotChunks();
          return caughtUp(c, 4);
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void twoFollowersFetchAtOnce(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    compactedGroup(c)
        .compose(v -> c.startNodes(4, 5))
        .compose(v -> {
          c.node(4).transport.holdSnapshotChunksAfter(CHUNK_BYTES);
          c.node(5).transport.holdSnapshotChunksAfter(CHUNK_BYTES);
          return join(c, 4).compose(x -> join(c, 5));
        })
        .compose(v -> c.await(() -> c.node(4).transport.heldSnapshotChunks() > 0
            && c.node(5).transport.heldSnapshotChunks() > 0, WAIT, "both transfers under way"))
        .compose(v -> {
          c.node(4).transport.releaseSnapshotChunks();
          c.node(5).transport.releaseSnapshotChunks();
          return caughtUp(c, 4).compose(x -> caughtUp(c, 5));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : new long[] {4, 5}) {
            assertThat(c.node(id).transport.snapshotFetchStarts()).as("node %d fetched from the start", id)
                .startsWith(0L);
            assertThat(machines.get(id).restores()).isPositive();
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aRestartedFollowerResumesItsHalfReceivedSnapshot(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] fetchedBeforeKill = new long[1];
    compactedGroup(c)
        .compose(v -> c.startNodes(4))
        .compose(v -> {
          c.node(4).transport.holdSnapshotChunksAfter(SNAPSHOT_BYTES / 2);
          return join(c, 4);
        })
        .compose(v -> c.await(() -> c.node(4).transport.heldSnapshotChunks() > 0, WAIT, "the transfer half way"))
        .compose(v -> {
          fetchedBeforeKill[0] = c.node(4).transport.snapshotBytesFetched();
          return c.kill(4);
        })
        .compose(v -> c.restart(4))
        .compose(host -> start(c, 4))
        .compose(v -> caughtUp(c, 4))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          FaultInjectingTransport restarted = c.node(4).transport;
          assertThat(restarted.snapshotFetchStarts()).as("the restarted node resumes its transfer")
              .anyMatch(offset -> offset > 0);
          assertThat(fetchedBeforeKill[0] + restarted.snapshotBytesFetched()).as("resumed, not restarted")
              .isLessThan(2 * SNAPSHOT_BYTES);
          assertThat(machines.get(4L).restores()).isPositive();
          ctx.completeNow();
        })));
  }

  @Test
  void inlineSnapshotsOfStoresThatCannotStreamStillInstallAndRestore(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    c.startNodes(1, 2, 3)
        .compose(v -> {
          Set.of(1L, 2L, 3L).forEach(id -> c.node(id).store.streamSnapshots(false));
          return compactedGroup(c);
        })
        .compose(v -> c.node(1).store.load(GROUP))
        .compose(stored -> {
          ctx.verify(() -> assertThat(SnapshotRef.isRef(stored.snapshot().data())).as("an inline snapshot").isFalse());
          return join(c, 4);
        })
        .compose(v -> caughtUp(c, 4))
        .compose(v -> c.kill(1))
        .compose(v -> c.restart(1))
        .compose(host -> start(c, 1))
        .compose(g -> caughtUp(c, 1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.node(4).transport.snapshotFetchStarts()).as("nothing fetched out of band").isEmpty();
          assertThat(machines.get(4L).restores()).isPositive();
          assertThat(machines.get(1L).restores()).as("restarted from its inline snapshot").isPositive();
          ctx.completeNow();
        })));
  }

  @Test
  void snapshotChunkBytesRoundTripsThroughJson() {
    RaftGroupOptions o = new RaftGroupOptions().setSnapshotChunkBytes(CHUNK_BYTES);
    assertThat(new RaftGroupOptions(o.toJson()).getSnapshotChunkBytes()).isEqualTo(CHUNK_BYTES);
    assertThat(new RaftGroupOptions(o).getSnapshotChunkBytes()).isEqualTo(CHUNK_BYTES);
    assertThat(new RaftGroupOptions().getSnapshotChunkBytes())
        .isEqualTo(RaftGroupOptions.DEFAULT_SNAPSHOT_CHUNK_BYTES).isEqualTo(SnapshotRef.DEFAULT_CHUNK_SIZE);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Nodes 1-3 run the group, commit some commands, and every one of them compacts its log. */
  private Future<Void> compactedGroup(LocalRaftCluster c) {
    Future<Void> up = c.node(1) == null ? c.startNodes(1, 2, 3) : Future.succeededFuture();
    return up
        .compose(v -> Future.all(start(c, 1, 1, 2, 3), start(c, 2, 1, 2, 3), start(c, 3, 1, 2, 3)))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> proposeAll(c, "before", COMMANDS_BEFORE_JOINING))
        .compose(v -> c.await(() -> Set.of(1L, 2L, 3L).stream().allMatch(id ->
            machines.get(id).count() >= COMMANDS_BEFORE_JOINING), WAIT, "every node applying the commands"))
        .compose(v -> Future.all(Set.of(1L, 2L, 3L).stream()
            .map(id -> Bridge.future(c.node(id).host.<String, Long>group(GROUP).snapshot())).toList()))
        .compose(v -> c.await(() -> Set.of(1L, 2L, 3L).stream().allMatch(id ->
            c.group(id, GROUP).status().firstIndex() > COMMANDS_BEFORE_JOINING), WAIT, "log compaction everywhere"));
  }

  private Future<RaftGroup<String, Long>> start(LocalRaftCluster c, long id, long... members) {
    SyntheticSnapshotMachine machine = new SyntheticSnapshotMachine(SNAPSHOT_BYTES);
    machines.put(id, machine);
    return c.startGroupOn(id, GROUP, options(), machine, SyntheticSnapshotMachine.CODEC, members);
  }

  /** Starts node {@code id} if needed, its (joining) member, and adds it as a learner. */
  private Future<Void> join(LocalRaftCluster c, long id) {
    Future<Void> up = c.node(id) == null ? c.startNodes(id) : Future.succeededFuture();
    return up.compose(v -> start(c, id))
        .compose(g -> c.changeMembership(GROUP, leader -> leader.addLearner(id), m -> m.contains(id), WAIT))
        .mapEmpty();
  }

  /** Waits until node {@code id}'s state machine is the leader's (restored from a snapshot). */
  private Future<Void> caughtUp(LocalRaftCluster c, long id) {
    return c.await(() -> {
      SyntheticSnapshotMachine leader = leaderMachine(c);
      SyntheticSnapshotMachine m = machines.get(id);
      return leader != null && m.restores() > 0 && m.count() == leader.count() && m.hash() == leader.hash();
    }, WAIT, "node " + id + " catching up with the leader");
  }

  private SyntheticSnapshotMachine leaderMachine(LocalRaftCluster c) {
    long leader = c.leader(GROUP);
    return leader <= 0 ? null : machines.get(leader);
  }

  /** Commits {@code count} commands one after the other through whichever node leads. */
  private Future<Void> proposeAll(LocalRaftCluster c, String prefix, int count) {
    return c.proposeInOrder(GROUP, IntStream.range(0, count).mapToObj(i -> prefix + i).toList(), WAIT);
  }
}
