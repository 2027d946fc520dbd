package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Membership;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.SnapshotDigest;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the LMDB store does with snapshot files beyond the SPI's contract: transfers resume after a restart from the
 * verified part, old files go (but never under a reader), a group's deletion and a backup take the files along.
 */
class LmdbSnapshotFilesTest {

  private static final long GROUP = 3;
  private static final int CHUNK = 4096;
  private static final int CHUNKS = 10;
  private static final int DATA_BYTES = CHUNKS * CHUNK - 100;
  private static final int HALF = CHUNKS / 2;
  private static final long SEED = 42;

  private Vertx vertx;
  private LmdbLogStore store;
  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = open(dir.resolve("store"));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  private LmdbLogStore open(Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setSnapshotChunkBytes(CHUNK));
  }

  private LmdbLogStore reopen() throws Exception {
    await(store.close());
    store = open(dir.resolve("store"));
    return store;
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  private static byte[] data(long seed) {
    byte[] b = new byte[DATA_BYTES];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static SnapshotRef refOf(String id, byte[] data) {
    SnapshotDigest digest = new SnapshotDigest(CHUNK);
    digest.update(data, 0, data.length);
    return digest.finish(id);
  }

  private SnapshotRef produceAndSave(long index, byte[] data) throws Exception {
    SnapshotSink sink = store.createSnapshot(GROUP);
    try (OutputStream out = sink.stream()) {
      out.write(data);
    }
    SnapshotRef ref = await(sink.finish());
    await(store.saveSnapshot(GROUP, new Snapshot(index, 1, Membership.ofVoters(1L), ref.encode())));
    return ref;
  }

  private Path kept(SnapshotRef ref) {
    return store.directory().resolve("snapshots").resolve(Long.toString(GROUP)).resolve(ref.id() + ".snap");
  }

  private static void feedChunks(SnapshotReceiver receiver, byte[] data, int chunks) throws Exception {
    for (int i = 0; i < chunks && receiver.offset() < data.length; i++) {
      int from = (int) receiver.offset();
      int to = Math.min(data.length, from + CHUNK);
      await(receiver.write(from, Buffer.buffer(Arrays.copyOfRange(data, from, to))));
    }
  }

  private byte[] readAll(LmdbLogStore from, SnapshotRef ref) throws Exception {
    try (InputStream in = from.openSnapshot(GROUP, ref.id())) {
      return in.readAllBytes();
    }
  }

  @Test
  void aHalfReceivedSnapshotResumesAfterTheStoreReopens() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef ref = refOf("from-leader-1", data);
    feedChunks(store.receiveSnapshot(GROUP, ref), data, HALF);

    SnapshotReceiver resumed = reopen().receiveSnapshot(GROUP, ref);
    assertThat(resumed.offset()).isEqualTo((long) HALF * CHUNK);
    feedChunks(resumed, data, CHUNKS);
    await(resumed.complete());
    assertThat(readAll(store, ref)).isEqualTo(data);
  }

  @Test
  void aDamagedPartialFileIsCutBackToItsLastGoodChunkAtStart() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef ref = refOf("from-leader-2", data);
    feedChunks(store.receiveSnapshot(GROUP, ref), data, HALF);
    await(store.close());
    Path part = kept(ref).resolveSibling(ref.id() + ".part");
    int damagedChunk = 3;
    try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {(byte) ~data[damagedChunk * CHUNK + 1]}),
          (long) damagedChunk * CHUNK + 1); // what a power cut can leave: a chunk the disk did not get
      channel.write(ByteBuffer.wrap(new byte[CHUNK / 2]), (long) HALF * CHUNK); // and a torn tail
    }

    store = open(dir.resolve("store"));
    SnapshotReceiver resumed = store.receiveSnapshot(GROUP, ref);
    assertThat(resumed.offset()).isEqualTo((long) damagedChunk * CHUNK);
    assertThat(Files.size(part)).isEqualTo((long) damagedChunk * CHUNK);
    feedChunks(resumed, data, CHUNKS);
    await(resumed.complete());
    assertThat(readAll(store, ref)).isEqualTo(data);
  }

  @Test
  void chunksWrittenWithoutWaitingAreAppliedInCallOrder() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef ref = refOf("pipelined", data);
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    List<Future<Void>> writes = new ArrayList<>();
    for (int from = 0; from < data.length; from += CHUNK) {
      writes.add(receiver.write(from, Buffer.buffer(Arrays.copyOfRange(data, from, Math.min(data.length,
          from + CHUNK)))));
    }
    writes.add(receiver.complete());
    await(Future.all(writes));
    assertThat(readAll(store, ref)).isEqualTo(data);
  }

  @Test
  void installingAReferenceWhoseDataIsNotHereFailsClearly() throws Exception {
    SnapshotRef elsewhere = refOf("never-received", data(1));
    Snapshot snapshot = new Snapshot(10, 1, Membership.ofVoters(1L), elsewhere.encode());
    assertThatThrownBy(() -> await(store.write(GROUP, new StoreWrite(snapshot, List.of(), null))))
        .isInstanceOf(StorageException.class).hasMessageContaining(elsewhere.id());
    assertThatThrownBy(() -> await(store.saveSnapshot(GROUP, snapshot)))
        .isInstanceOf(StorageException.class).hasMessageContaining(elsewhere.id());
    assertThat(await(store.load(GROUP))).isNull();
  }

  @Test
  void filesOfOlderSnapshotsAreDeletedOnceTwoNewerOnesAreSaved() throws Exception {
    SnapshotRef first = produceAndSave(10, data(1));
    SnapshotRef second = produceAndSave(20, data(2));
    assertThat(kept(first)).exists();
    assertThat(kept(second)).exists();

    SnapshotRef third = produceAndSave(30, data(3));
    assertThat(kept(first)).doesNotExist();
    assertThat(kept(second)).as("a peer may still fetch the previous snapshot").exists();
    assertThat(kept(third)).exists();
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, first.id(), 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThat(readAll(store, second)).isEqualTo(data(2));
  }

  @Test
  void aFileBeingReadIsDeletedOnlyWhenItsLastReaderCloses() throws Exception {
    SnapshotRef first = produceAndSave(10, data(1));
    InputStream reader = store.openSnapshot(GROUP, first.id());
    produceAndSave(20, data(2));
    produceAndSave(30, data(3));

    assertThat(kept(first)).exists();
    assertThatThrownBy(() -> store.openSnapshot(GROUP, first.id())).isInstanceOf(SnapshotNotFoundException.class);
    assertThat(reader.readAllBytes()).isEqualTo(data(1));
    reader.close();
    assertThat(kept(first)).doesNotExist();
  }

  @Test
  void deleteGroupRemovesItsSnapshotFiles() throws Exception {
    SnapshotRef saved = produceAndSave(10, data(1));
    byte[] incoming = data(2);
    feedChunks(store.receiveSnapshot(GROUP, refOf("partial", incoming)), incoming, HALF);
    Path groupDirectory = kept(saved).getParent();
    assertThat(groupDirectory).isDirectory();

    await(store.deleteGroup(GROUP));
    assertThat(groupDirectory).doesNotExist();
    assertThat(await(store.load(GROUP))).isNull();
  }

  @Test
  void anUnfinishedProducersFileIsRemovedAtStart() throws Exception {
    SnapshotSink sink = store.createSnapshot(GROUP);
    sink.stream().write(data(1));
    sink.stream().flush();
    Path groupDirectory = store.directory().resolve("snapshots").resolve(Long.toString(GROUP));
    assertThat(LmdbSnapshotRecovery.list(groupDirectory)).hasSize(1);

    reopen();
    assertThat(LmdbSnapshotRecovery.list(groupDirectory)).isEmpty();
  }

  @Test
  void aMissingSnapshotFileFailsTheLoadNamingIt() throws Exception {
    SnapshotRef ref = produceAndSave(10, data(1));
    await(store.close());
    Files.delete(kept(ref));

    store = open(dir.resolve("store"));
    assertThatThrownBy(() -> await(store.load(GROUP))).isInstanceOf(StorageException.class)
        .hasMessageContaining(ref.id()).hasMessageContaining("missing");
  }

  @Test
  void aBackupCarriesTheSnapshotFilesItRefersToAndARestoreBringsThemBack() throws Exception {
    produceAndSave(10, data(1));
    produceAndSave(20, data(2));
    SnapshotRef current = produceAndSave(30, data(3));
    Path backup = dir.resolve("backup");
    long bytes = await(store.backup(backup));
    assertThat(bytes).isGreaterThan(DATA_BYTES);
    Path backedUpFiles = backup.resolve("snapshots").resolve(Long.toString(GROUP));
    assertThat(LmdbSnapshotRecovery.list(backedUpFiles)).as("only the snapshot the copy records")
        .containsExactly(backedUpFiles.resolve(current.id() + ".snap"));

    Path restored = dir.resolve("restored");
    LmdbBackups.restore(backup, restored);
    LmdbLogStore again = open(restored);
    try {
      Snapshot snapshot = await(again.load(GROUP)).snapshot();
      assertThat(SnapshotRef.decode(snapshot.data())).isEqualTo(current);
      assertThat(readAll(again, current)).isEqualTo(data(3));
    } finally {
      await(again.close());
    }
  }
}
