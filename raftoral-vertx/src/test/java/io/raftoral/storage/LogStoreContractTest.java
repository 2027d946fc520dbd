package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link LogStore} must have. Subclasses supply the store; the same tests run against the
 * in-memory store and the LMDB store.
 */
public abstract class LogStoreContractTest {

  protected Vertx vertx;
  protected LogStore store;
  @TempDir
  protected Path dir;

  /** A new store over {@code directory} (stores without files may ignore it). */
  protected abstract LogStore createStore(Vertx vertx, Path directory);

  /**
   * The same store after a clean close and reopen, or after a restart of whatever holds it; stores that cannot be
   * reopened return {@code current}.
   */
  protected abstract LogStore reopen(Vertx vertx, Path directory, LogStore current);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = createStore(vertx, dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  protected static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  protected static Entry entry(long index, long term) {
    return Entry.normal(index, term, ("entry-" + index + "-" + term).getBytes(StandardCharsets.UTF_8));
  }

  protected static List<Entry> entries(long from, long to, long term) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  @Test
  void unknownGroupLoadsAsNull() throws Exception {
    assertThat(await(store.load(42))).isNull();
    assertThat(await(store.groups())).isEmpty();
  }

  @Test
  void writtenEntriesAndHardStateLoadBack() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 10, 1), new HardState(1, 2, 7))));
    PersistentState s = await(store.load(1));
    assertThat(s.entries()).isEqualTo(entries(1, 10, 1));
    assertThat(s.hardState()).isEqualTo(new HardState(1, 2, 7));
    assertThat(s.snapshot().index()).isZero();
    assertThat(await(store.groups())).containsExactly(1L);
  }

  @Test
  void configurationEntriesKeepTheirType() throws Exception {
    Entry cc = new Entry(1, 1, EntryType.CONFIG_CHANGE, ConfigChange.addLearner(5).encode());
    await(store.write(1, new StoreWrite(null, List.of(cc), null)));
    assertThat(await(store.load(1)).entries()).containsExactly(cc);
  }

  @Test
  void aWriteReplacesEntriesFromItsFirstIndexOn() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 10, 1), new HardState(1, 0, 3))));
    await(store.write(1, new StoreWrite(null, entries(6, 7, 2), new HardState(2, 0, 3))));
    List<Entry> expected = new ArrayList<>(entries(1, 5, 1));
    expected.addAll(entries(6, 7, 2));
    assertThat(await(store.load(1)).entries()).isEqualTo(expected);
  }

  @Test
  void aWriteThatLeavesAGapFailsAndChangesNothing() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 3, 1), null)));
    assertThatThrownBy(() -> await(store.write(1, new StoreWrite(null, entries(5, 6, 1), null))))
        .isInstanceOf(RuntimeException.class);
    assertThat(await(store.load(1)).entries()).isEqualTo(entries(1, 3, 1));
  }

  @Test
  void savedSnapshotCompactsTheLogAndRoundTripsLargeData() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 100, 1), new HardState(1, 1, 100))));
    byte[] big = new byte[1_000_003];
    new Random(7).nextBytes(big);
    Snapshot snap = new Snapshot(60, 1, new Membership(Set.of(1L, 2L, 3L), Set.of(4L)), big);
    await(store.saveSnapshot(1, snap));
    PersistentState s = await(store.load(1));
    assertThat(s.snapshot().index()).isEqualTo(60);
    assertThat(s.snapshot().term()).isEqualTo(1);
    assertThat(s.snapshot().membership()).isEqualTo(snap.membership());
    assertThat(s.snapshot().data()).isEqualTo(big);
    assertThat(s.entries()).isEqualTo(entries(61, 100, 1));
    // an older snapshot never replaces a newer one
    await(store.saveSnapshot(1, new Snapshot(30, 1, Membership.ofVoters(1L), new byte[] {1})));
    assertThat(await(store.load(1)).snapshot().index()).isEqualTo(60);
  }

  @Test
  void snapshotInWriteReplacesTheWholeLog() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 20, 1), new HardState(1, 0, 5))));
    Snapshot leaderSnap = new Snapshot(50, 3, Membership.ofVoters(1L, 2L), new byte[] {9, 9});
    await(store.write(1, new StoreWrite(leaderSnap, entries(51, 52, 3), new HardState(3, 0, 50))));
    PersistentState s = await(store.load(1));
    assertThat(s.snapshot().index()).isEqualTo(50);
    assertThat(s.snapshot().data()).containsExactly(9, 9);
    assertThat(s.entries()).isEqualTo(entries(51, 52, 3));
    assertThat(s.hardState().commit()).isEqualTo(50);
  }

  @Test
  void groupsAreIsolatedAndDeletable() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 5, 1), new HardState(1, 0, 0))));
    await(store.write(2, new StoreWrite(null, entries(1, 3, 2), new HardState(2, 0, 0))));
    await(store.saveSnapshot(2, new Snapshot(2, 2, Membership.ofVoters(1L), new byte[] {1})));
    assertThat(await(store.groups())).containsExactlyInAnyOrder(1L, 2L);
    assertThat(await(store.load(1)).entries()).isEqualTo(entries(1, 5, 1));
    assertThat(await(store.load(2)).entries()).isEqualTo(entries(3, 3, 2));
    await(store.deleteGroup(2));
    assertThat(await(store.load(2))).isNull();
    assertThat(await(store.groups())).containsExactly(1L);
    assertThat(await(store.load(1)).entries()).isEqualTo(entries(1, 5, 1));
  }

  @Test
  void concurrentWritesOfManyGroupsAllBecomeDurableInOrder() throws Exception {
    int groups = 16;
    int perGroup = 50;
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 1; i <= perGroup; i++) {
      for (long g = 1; g <= groups; g++) {
        all.add(store.write(g, new StoreWrite(null, List.of(entry(i, 1)), new HardState(1, 0, i - 1))));
      }
    }
    await(Future.all(all));
    for (long g = 1; g <= groups; g++) {
      PersistentState s = await(store.load(g));
      assertThat(s.entries()).isEqualTo(entries(1, perGroup, 1));
      assertThat(s.hardState().commit()).isEqualTo(perGroup - 1);
    }
  }

  @Test
  void identityIsRecordedAndAnotherIsRefused() throws Exception {
    assertThat(await(store.identity())).isNull();
    NodeIdentity me = new NodeIdentity(3, "prod");
    await(store.saveIdentity(me));
    assertThat(await(store.identity())).isEqualTo(me);
    await(store.saveIdentity(me)); // idempotent
    assertThatThrownBy(() -> await(store.saveIdentity(new NodeIdentity(4, "prod"))))
        .isInstanceOf(StorageException.class);
  }

  @Test
  void everythingSurvivesReopening() throws Exception {
    await(store.write(1, new StoreWrite(null, entries(1, 30, 2), new HardState(2, 1, 25))));
    await(store.saveSnapshot(1, new Snapshot(10, 2, Membership.ofVoters(1L, 2L, 3L), new byte[] {1, 2, 3})));
    await(store.saveIdentity(new NodeIdentity(1, "c")));
    store = reopen(vertx, dir, store);
    PersistentState s = await(store.load(1));
    assertThat(s.hardState()).isEqualTo(new HardState(2, 1, 25));
    assertThat(s.snapshot().index()).isEqualTo(10);
    assertThat(s.snapshot().data()).containsExactly(1, 2, 3);
    assertThat(s.entries()).isEqualTo(entries(11, 30, 2));
    assertThat(await(store.identity())).isEqualTo(new NodeIdentity(1, "c"));
  }
}
