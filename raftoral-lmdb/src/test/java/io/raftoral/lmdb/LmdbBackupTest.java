package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.PersistentState;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a store that keeps writing is a consistent copy that opens and holds the data written before it began;
 * a restore copies it into an empty directory and forgets the node identity.
 */
class LmdbBackupTest {

  private static final long GROUP = 1;
  private static final int ENTRIES_BEFORE = 200;
  private static final int ENTRIES_DURING = 200;
  private static final int ENTRY_BYTES = 512;
  private static final NodeIdentity IDENTITY = new NodeIdentity(4, "backup-test");

  private Vertx vertx;
  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static StoreWrite entry(long index) {
    return new StoreWrite(null, List.of(Entry.normal(index, 1, new byte[ENTRY_BYTES])), new HardState(1, 0, index));
  }

  @Test
  void aBackupOfARunningStoreOpensAndHoldsTheDataAndARestoreForgetsTheIdentity() throws Exception {
    Path live = dir.resolve("live");
    Path backup = dir.resolve("backup");
    LmdbLogStore store = LmdbLogStore.open(vertx, live);
    await(store.saveIdentity(IDENTITY));
    for (long i = 1; i <= ENTRIES_BEFORE; i++) {
      await(store.write(GROUP, entry(i)));
    }
    // the writer keeps committing while the copy runs
    List<Future<Void>> during = new ArrayList<>();
    Future<Long> copied = store.backup(backup);
    for (long i = ENTRIES_BEFORE + 1; i <= ENTRIES_BEFORE + ENTRIES_DURING; i++) {
      during.add(store.write(GROUP, entry(i)));
    }
    long bytes = await(copied);
    await(Future.all(during));
    assertThat(bytes).isPositive();
    assertThat(await(store.load(GROUP)).entries()).hasSize(ENTRIES_BEFORE + ENTRIES_DURING);
    await(store.close());

    LmdbLogStore copy = LmdbLogStore.open(vertx, backup);
    assertThat(await(copy.identity())).isEqualTo(IDENTITY);
    PersistentState state = await(copy.load(GROUP));
    int held = state.entries().size();
    assertThat(held).isBetween(ENTRIES_BEFORE, ENTRIES_BEFORE + ENTRIES_DURING);
    // one moment's copy: a gap-free prefix, its hard state no further than its log
    for (int i = 0; i < held; i++) {
      assertThat(state.entries().get(i).index()).isEqualTo(i + 1);
    }
    assertThat(state.hardState().commit()).isLessThanOrEqualTo(held);
    await(copy.close());

    Path restored = dir.resolve("restored");
    assertThat(LmdbBackups.restore(backup, restored)).isEqualTo(IDENTITY);
    LmdbLogStore again = LmdbLogStore.open(vertx, restored);
    assertThat(await(again.identity())).as("a restored copy registers as a new node").isNull();
    assertThat(await(again.load(GROUP)).entries()).hasSize(held);
    await(again.close());
  }

  @Test
  void aNonEmptyTargetIsRefusedByBackupAndRestore() throws Exception {
    Path taken = dir.resolve("taken");
    Files.createDirectories(taken);
    Files.writeString(taken.resolve("something"), "x");
    LmdbLogStore store = LmdbLogStore.open(vertx, dir.resolve("live"));
    await(store.write(GROUP, entry(1)));
    assertThatThrownBy(() -> await(store.backup(taken))).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StorageException.class).hasMessageContaining("not empty");
    Path backup = dir.resolve("backup");
    await(store.backup(backup));
    await(store.close());
    assertThatThrownBy(() -> LmdbBackups.restore(backup, taken)).isInstanceOf(StorageException.class)
        .hasMessageContaining("not empty");
    assertThatThrownBy(() -> LmdbBackups.restore(dir.resolve("nothing-here"), dir.resolve("fresh")))
        .isInstanceOf(StorageException.class).hasMessageContaining("data.mdb");
  }
}
