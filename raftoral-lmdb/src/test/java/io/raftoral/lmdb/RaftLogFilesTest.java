package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft log files of the LMDB store ({@link RaftLogFiles}): one flush per write, torn last writes dropped, damage
 * reported, old segments retired without losing state, and a store of LMDB tables moved into files.
 */
class RaftLogFilesTest {

  private static final long SEED = Long.getLong("raftoral.logFiles.seed", 20261203L);

  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static LmdbStoreOptions small() {
    return new LmdbStoreOptions().setLogSegmentBytes(4096).setMaxSealedLogSegments(1);
  }

  @Test
  void aLoneWriteCostsOneFlush() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    long before = store.syncCount();
    for (int i = 1; i <= 10; i++) {
      await(store.write(1, new StoreWrite(null, List.of(entry(i, 1)), new HardState(1, 1, i - 1))));
    }
    assertThat(store.syncCount() - before).isEqualTo(10);
    await(store.close());
  }

  @Test
  void aTornLastWriteIsDroppedAndWritingGoesOnAfterIt() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    await(store.write(1, new StoreWrite(null, entries(1, 5, 1), new HardState(1, 1, 3))));
    await(store.write(1, new StoreWrite(null, entries(6, 8, 1), new HardState(1, 1, 5))));
    await(store.close());
    // a crash in the middle of the second write: its last bytes never reached the disk
    Path segment = onlySegmentWithData();
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x55, 0x55, 0x55}), size - 3);
    }

    store = LmdbLogStore.open(vertx, dir);
    PersistentState state = await(store.load(1));
    assertThat(state.entries()).extracting(Entry::index).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(state.hardState().commit()).isEqualTo(3);
    await(store.write(1, new StoreWrite(null, entries(6, 7, 2), new HardState(2, 1, 6))));
    await(store.close());

    store = LmdbLogStore.open(vertx, dir);
    state = await(store.load(1));
    assertThat(state.entries()).extracting(Entry::index).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(state.entries().get(6).term()).isEqualTo(2);
    assertThat(state.hardState()).isEqualTo(new HardState(2, 1, 6));
    await(store.close());
  }

  @Test
  void preparedSegmentsAreWrittenIntoAndASpareOrAnInterruptedPreparationIsHandledAtOpen() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, small());
    for (int i = 1; i <= 30; i++) {
      await(store.write(1, new StoreWrite(null, List.of(bigEntry(i)), new HardState(1, 1, i - 1))));
    }
    await(store.close());
    // a preparation cut short by a crash leaves a file that is not a segment yet
    Path preparing = dir.resolve(RaftLogFiles.DIRECTORY).resolve(String.format("%020d.wal.preparing", 999));
    Files.write(preparing, new byte[100]);

    store = LmdbLogStore.open(vertx, dir, small());
    assertThat(preparing).doesNotExist();
    assertThat(await(store.load(1)).entries()).hasSize(30);
    for (int i = 31; i <= 60; i++) {
      await(store.write(1, new StoreWrite(null, List.of(bigEntry(i)), new HardState(1, 1, i - 1))));
    }
    await(store.close());
    store = LmdbLogStore.open(vertx, dir, small());
    PersistentState state = await(store.load(1));
    assertThat(state.entries()).extracting(Entry::index).startsWith(1L, 2L).endsWith(59L, 60L).hasSize(60);
    assertThat(state.entries().get(44).data()).isEqualTo(bigEntry(45).data());
    assertThat(store.raftLogSegmentFiles()).hasSizeLessThan(6);
    await(store.close());
  }

  @Test
  void damageBeforeLaterSegmentsIsReportedNamingTheFile() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, small());
    for (int i = 1; i <= 40; i++) {
      await(store.write(1, new StoreWrite(null, List.of(bigEntry(i)), new HardState(1, 1, i - 1))));
    }
    await(store.close());
    List<Path> segments = segmentsWithData();
    assertThat(segments.size()).isGreaterThan(1);
    Path damaged = segments.get(0);
    try (FileChannel ch = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x55}), 40); // inside the first record's checksummed bytes
    }
    assertThatThrownBy(() -> LmdbLogStore.open(vertx, dir, small()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(damaged.getFileName().toString())
        .hasMessageContaining("damaged");
  }

  /**
   * Random writes (appends, overwritten suffixes, received snapshots, compactions, deleted and recreated groups)
   * through the files with 4 KiB segments and through the in-memory store, which is the reference: after every few
   * operations the file store is closed and reopened, and every group must load the same state from both.
   */
  @Test
  void randomWritesWithRolledAndRetiredSegmentsLoadAsTheInMemoryStoreHoldsThem() throws Exception {
    Random random = new Random(SEED);
    InMemoryLogStore reference = new InMemoryLogStore(vertx);
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, small());
    long[] last = new long[5];
    long[] firstIndex = new long[5];
    long[] term = {1, 1, 1, 1, 1};
    try {
      for (int op = 0; op < 600; op++) {
        int g = 1 + random.nextInt(4);
        int kind = random.nextInt(20);
        if (kind < 12 || last[g] <= firstIndex[g]) {
          // append, sometimes overwriting a suffix from an earlier index with a new term
          long from = last[g] + 1;
          if (kind < 3 && last[g] > firstIndex[g] + 1) {
            from = firstIndex[g] + 1 + random.nextInt((int) (last[g] - firstIndex[g]));
            term[g]++;
          }
          long to = from + random.nextInt(6);
          StoreWrite w = new StoreWrite(null, entries(from, to, term[g]),
              new HardState(term[g], g, Math.min(to, firstIndex[g] + random.nextInt((int) (to - firstIndex[g]) + 1))));
          both(reference, store, s -> s.write(g, w));
          last[g] = to;
        } else if (kind < 15) {
          long at = firstIndex[g] + 1 + random.nextInt((int) (last[g] - firstIndex[g]));
          Snapshot s = new Snapshot(at, term[g], Membership.ofVoters(1L, 2L, 3L), ("state-" + at).getBytes(StandardCharsets.UTF_8));
          both(reference, store, st -> st.saveSnapshot(g, s));
          firstIndex[g] = at;
        } else if (kind < 17) {
          long at = last[g] + 3;
          term[g]++;
          Snapshot s = new Snapshot(at, term[g], Membership.ofVoters(1L, 2L), ("received-" + at).getBytes(StandardCharsets.UTF_8));
          StoreWrite w = new StoreWrite(s, List.of(), new HardState(term[g], 0, at));
          both(reference, store, st -> st.write(g, w));
          firstIndex[g] = at;
          last[g] = at;
        } else if (kind < 18) {
          both(reference, store, st -> st.deleteGroup(g));
          last[g] = 0;
          firstIndex[g] = 0;
        } else {
          await(store.close());
          store = LmdbLogStore.open(vertx, dir, small());
        }
        if (op % 50 == 49) {
          assertSameState(reference, store, op);
        }
      }
      await(store.close());
      store = LmdbLogStore.open(vertx, dir, small());
      assertSameState(reference, store, -1);
      assertThat(store.raftLogSegmentFiles()).as("old segments are retired (seed %d)", SEED).hasSizeLessThan(5);
    } finally {
      await(store.close());
      await(reference.close());
    }
  }

  @Test
  void aStoreWithTheLogsInLmdbTablesIsMovedIntoFilesAndCannotBeOpenedWithoutThem() throws Exception {
    LmdbLogStore tables = LmdbLogStore.open(vertx, dir, new LmdbStoreOptions().setLogInFiles(false));
    await(tables.write(1, new StoreWrite(null, entries(1, 5, 1), new HardState(1, 1, 4))));
    await(tables.saveSnapshot(1, new Snapshot(2, 1, Membership.ofVoters(1L), new byte[] {7})));
    await(tables.write(2, new StoreWrite(null, entries(1, 3, 2), new HardState(2, 2, 1))));
    PersistentState one = await(tables.load(1));
    PersistentState two = await(tables.load(2));
    await(tables.close());

    LmdbLogStore files = LmdbLogStore.open(vertx, dir);
    assertSame(one, await(files.load(1)));
    assertSame(two, await(files.load(2)));
    await(files.write(1, new StoreWrite(null, entries(6, 6, 1), new HardState(1, 1, 5))));
    await(files.close());

    assertThatThrownBy(() -> LmdbLogStore.open(vertx, dir, new LmdbStoreOptions().setLogInFiles(false)))
        .isInstanceOf(StorageException.class).hasMessageContaining("logInFiles");
    files = LmdbLogStore.open(vertx, dir);
    assertThat(await(files.groups())).containsExactly(1L, 2L);
    assertThat(await(files.load(1)).entries()).extracting(Entry::index).containsExactly(3L, 4L, 5L, 6L);
    await(files.close());
  }

  // -----------------------------------------------------------------------------------------------------------------

  private interface StoreOp {
    Future<Void> apply(LogStore s);
  }

  private static void both(LogStore reference, LogStore store, StoreOp op) throws Exception {
    await(op.apply(reference));
    await(op.apply(store));
  }

  private static void assertSameState(LogStore reference, LogStore store, int op) throws Exception {
    assertThat(await(store.groups())).as("groups after op %d (seed %d)", op, SEED)
        .containsExactlyInAnyOrderElementsOf(await(reference.groups()));
    for (long g : await(reference.groups())) {
      PersistentState want = await(reference.load(g));
      PersistentState got = await(store.load(g));
      assertThat(got).as("group %d after op %d (seed %d)", g, op, SEED).isNotNull();
      assertSame(want, got);
    }
  }

  private static void assertSame(PersistentState want, PersistentState got) {
    assertThat(got.hardState()).isEqualTo(want.hardState());
    assertThat(got.snapshot().index()).isEqualTo(want.snapshot().index());
    assertThat(got.snapshot().term()).isEqualTo(want.snapshot().term());
    assertThat(got.snapshot().membership()).isEqualTo(want.snapshot().membership());
    assertThat(got.snapshot().data()).isEqualTo(want.snapshot().data());
    assertThat(got.entries()).hasSameSizeAs(want.entries());
    for (int i = 0; i < want.entries().size(); i++) {
      Entry a = want.entries().get(i);
      Entry b = got.entries().get(i);
      assertThat(b.index()).isEqualTo(a.index());
      assertThat(b.term()).isEqualTo(a.term());
      assertThat(b.type()).isEqualTo(a.type());
      assertThat(b.data()).isEqualTo(a.data());
    }
  }

  private Path onlySegmentWithData() throws Exception {
    List<Path> withData = segmentsWithData();
    assertThat(withData).hasSize(1);
    return withData.get(0);
  }

  private List<Path> segmentsWithData() throws Exception {
    List<Path> out = new ArrayList<>();
    try (var files = Files.list(dir.resolve(RaftLogFiles.DIRECTORY))) {
      for (Path p : files.sorted().toList()) {
        if (p.toString().endsWith(".wal") && Files.size(p) >= 4 && firstInt(p) != 0) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static int firstInt(Path p) throws Exception {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4);
      ch.read(b, 0);
      return b.flip().getInt();
    }
  }

  private static Entry entry(long index, long term) {
    return Entry.normal(index, term, ("entry-" + index + "-" + term).getBytes(StandardCharsets.UTF_8));
  }

  private static Entry bigEntry(long index) {
    byte[] data = new byte[1000];
    new Random(index).nextBytes(data);
    return Entry.normal(index, 1, data);
  }

  private static List<Entry> entries(long from, long to, long term) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }
}
