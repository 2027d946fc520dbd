package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When a group takes its snapshots (§7; Ongaro's dissertation §5.1.1): every {@code snapshotEveryEntries} entries,
 * and, with a {@code snapshotLogRatio}, only once the entries applied since the last snapshot add up to that many
 * times its size, so a large state is not written whole again after a few small entries.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotCadenceTest {

  private static final long GROUP = 5;
  private static final long WAIT = 30_000;
  private static final int EVERY = 5;
  /** The state's snapshot: 20 KB, against commands of about 120 bytes framed. */
  private static final long SNAPSHOT_BYTES = 20_000;
  private static final String PADDING = "x".repeat(100);

  private SyntheticSnapshotMachine machine;

  @Test
  void aLargeStateIsSnapshottedAgainOnlyOnceTheLogGrewByItsSize(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    int[] afterFirst = new int[1];
    soloGroup(c, 1.0)
        .compose(v -> proposeAll(c, "first", EVERY))
        .compose(v -> c.await(() -> machine.snapshots() >= 1, WAIT, "the first snapshot"))
        .compose(v -> {
          afterFirst[0] = machine.snapshots();
          // About 12 KB of entries: fewer bytes than the snapshot, however many entries.
          return proposeAll(c, "small", 100);
        })
        .compose(v -> proposeAll(c, "fence", 1)) // the turn that applied the last one (and would snapshot) is over
        .compose(v -> {
          ctx.verify(() -> assertThat(machine.snapshots()).as("no snapshot while the log is smaller than the state")
              .isEqualTo(afterFirst[0]));
          return proposeAll(c, "more", 120); // about 26 KB since the first snapshot
        })
        .compose(v -> proposeAll(c, "fence", 1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(machine.snapshots()).as("one more once the log outgrew the state").isEqualTo(afterFirst[0] + 1);
          ctx.completeNow();
        })));
  }

  @Test
  void withoutARatioASnapshotFollowsEverySoManyEntries(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    soloGroup(c, 0)
        .compose(v -> proposeAll(c, "first", 4 * EVERY))
        .compose(v -> proposeAll(c, "fence", 1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(machine.snapshots()).as("one every %d entries", EVERY).isGreaterThanOrEqualTo(3);
          ctx.completeNow();
        })));
  }

  /** A one-member group on node 1 with snapshots every {@link #EVERY} entries and the given ratio. */
  private Future<Void> soloGroup(LocalRaftCluster c, double ratio) {
    machine = new SyntheticSnapshotMachine(SNAPSHOT_BYTES);
    RaftGroupOptions options = RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(EVERY)
        .setSnapshotLogRatio(ratio);
    return c.startNodes(1)
        .compose(v -> c.startGroupOn(1, GROUP, options, machine, SyntheticSnapshotMachine.CODEC, 1))
        .compose(g -> c.awaitLeader(GROUP, WAIT))
        .mapEmpty();
  }

  private Future<Void> proposeAll(LocalRaftCluster c, String prefix, int count) {
    return c.proposeInOrder(GROUP, IntStream.range(0, count).mapToObj(i -> prefix + i + PADDING).toList(), WAIT);
  }
}
