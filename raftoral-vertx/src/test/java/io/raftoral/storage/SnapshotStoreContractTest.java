package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * The behaviour every {@link LogStore} that streams snapshots must have (the out-of-band snapshot SPI:
 * {@link LogStore#createSnapshot}, {@link LogStore#receiveSnapshot}, {@link LogStore#readSnapshot},
 * {@link LogStore#openSnapshot}). Subclasses supply the store; sizes are small here, the stores' own tests try large
 * ones.
 */
public abstract class SnapshotStoreContractTest {

  protected static final long GROUP = 7;
  /** Small chunks, so that a few kilobytes make several of them (the last one short). */
  protected static final int CHUNK = 1024;
  private static final int DATA_BYTES = 5 * CHUNK + 123;
  private static final long SEED = 15;
  private static final int AWAIT_SECONDS = 30;

  protected Vertx vertx;
  protected LogStore store;
  @TempDir
  protected Path dir;

  /** A new store over {@code directory} producing snapshots in chunks of {@link #CHUNK} bytes. */
  protected abstract LogStore createStore(Vertx vertx, Path directory);

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
      return f.toCompletionStage().toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  protected static byte[] data(int length) {
    byte[] b = new byte[length];
    new Random(SEED).nextBytes(b);
    return b;
  }

  /** Writes {@code data} through a sink of {@code store} and returns its reference. */
  protected static SnapshotRef produce(LogStore store, long group, byte[] data) throws Exception {
    SnapshotSink sink = store.createSnapshot(group);
    try (OutputStream out = sink.stream()) {
      out.write(data, 0, data.length / 2);
      out.write(data, data.length / 2, data.length - data.length / 2);
    }
    return await(sink.finish());
  }

  private static Snapshot raftSnapshot(long index, SnapshotRef ref) {
    return new Snapshot(index, 1, Membership.ofVoters(1L, 2L), ref.encode());
  }

  private byte[] readInRanges(String id, int rangeBytes) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      Buffer b = await(store.readSnapshot(GROUP, id, all.size(), rangeBytes));
      if (b.length() == 0) {
        return all.toByteArray();
      }
      all.write(b.getBytes());
    }
  }

  @Test
  void aSnapshotWrittenThroughTheSinkReadsBackInRangesAndAsAStream() throws Exception {
    byte[] data = data(DATA_BYTES);
    SnapshotRef ref = produce(store, GROUP, data);

    SnapshotDigest expected = new SnapshotDigest(ref.chunkSize());
    expected.update(data, 0, data.length);
    assertThat(ref).isEqualTo(expected.finish(ref.id()));
    assertThat(ref.size()).isEqualTo(DATA_BYTES);
    assertThat(readInRanges(ref.id(), CHUNK / 3)).isEqualTo(data);
    try (InputStream in = store.openSnapshot(GROUP, ref.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void twoSnapshotsOfOneGroupGetDistinctIds() throws Exception {
    SnapshotRef first = produce(store, GROUP, data(CHUNK));
    SnapshotRef second = produce(store, GROUP, data(CHUNK));
    assertThat(first.id()).isNotEqualTo(second.id());
  }

  @Test
  void aSavedSnapshotReferenceLoadsAsItsDataAndCompactsTheLog() throws Exception {
    List<Entry> entries = new ArrayList<>();
    for (long i = 1; i <= 10; i++) {
      entries.add(Entry.normal(i, 1, ("e" + i).getBytes(StandardCharsets.UTF_8)));
    }
    await(store.write(GROUP, new StoreWrite(null, entries, new HardState(1, 1, 10))));
    SnapshotRef ref = produce(store, GROUP, data(DATA_BYTES));
    await(store.saveSnapshot(GROUP, raftSnapshot(6, ref)));

    PersistentState state = await(store.load(GROUP));
    assertThat(state.snapshot().index()).isEqualTo(6);
    assertThat(SnapshotRef.decode(state.snapshot().data())).isEqualTo(ref);
    assertThat(state.entries()).extracting(Entry::index).containsExactly(7L, 8L, 9L, 10L);
    assertThat(readInRanges(ref.id(), CHUNK)).isEqualTo(data(DATA_BYTES));
  }

  @Test
  void aSnapshotReceivedChunkByChunkIsKeptAndInstalledByAWrite() throws Exception {
    byte[] data = data(DATA_BYTES);
    SnapshotRef ref = refOf("received-1", data);
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    assertThat(receiver.offset()).isZero();
    feed(receiver, data, ref.chunks());
    await(receiver.complete());

    assertThat(readInRanges(ref.id(), CHUNK)).isEqualTo(data);
    await(store.write(GROUP, new StoreWrite(raftSnapshot(40, ref), List.of(), new HardState(2, 1, 40))));
    PersistentState state = await(store.load(GROUP));
    assertThat(state.snapshot().index()).isEqualTo(40);
    assertThat(SnapshotRef.decode(state.snapshot().data())).isEqualTo(ref);
    try (InputStream in = store.openSnapshot(GROUP, ref.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void aCorruptedChunkIsRefusedAndNothingOfItIsWritten() throws Exception {
    byte[] data = data(DATA_BYTES);
    SnapshotRef ref = refOf("corrupted-chunk", data);
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    await(receiver.write(0, Buffer.buffer(Arrays.copyOfRange(data, 0, CHUNK))));
    byte[] bad = Arrays.copyOfRange(data, CHUNK, 2 * CHUNK);
    bad[CHUNK / 2] ^= 1;

    assertThatThrownBy(() -> await(receiver.write(CHUNK, Buffer.buffer(bad))))
        .isInstanceOf(SnapshotChecksumException.class);
    assertThat(receiver.offset()).isEqualTo(CHUNK);
    // the good chunk, fetched again, is taken
    await(receiver.write(CHUNK, Buffer.buffer(Arrays.copyOfRange(data, CHUNK, 2 * CHUNK))));
    assertThat(receiver.offset()).isEqualTo(2L * CHUNK);
  }

  @Test
  void aChunkAtTheWrongOffsetIsRefused() throws Exception {
    byte[] data = data(DATA_BYTES);
    SnapshotRef ref = refOf("wrong-offset", data);
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    assertThatThrownBy(() -> await(receiver.write(CHUNK, Buffer.buffer(Arrays.copyOfRange(data, CHUNK,
        2 * CHUNK))))).isInstanceOf(IllegalStateException.class);
    assertThat(receiver.offset()).isZero();
  }

  @Test
  void aWholeThatDoesNotMatchItsDigestIsRefusedAtCompleteAndDiscarded() throws Exception {
    byte[] data = data(DATA_BYTES);
    SnapshotRef good = refOf("wrong-sha", data);
    byte[] wrongSha = good.sha256().clone();
    wrongSha[0] ^= 1;
    SnapshotRef ref = new SnapshotRef(good.id(), good.size(), good.chunkSize(), wrongSha, good.chunkCrcs());
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    feed(receiver, data, ref.chunks());

    assertThatThrownBy(() -> await(receiver.complete())).isInstanceOf(SnapshotChecksumException.class);
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, ref.id(), 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThat(store.receiveSnapshot(GROUP, ref).offset()).as("a new transfer starts over").isZero();
  }

  @Test
  void unknownAndIncompleteSnapshotsAreNotFound() throws Exception {
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, "never-made", 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, "../../etc/passwd", 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    byte[] data = data(DATA_BYTES);
    SnapshotRef ref = refOf("incomplete", data);
    SnapshotReceiver receiver = store.receiveSnapshot(GROUP, ref);
    await(receiver.write(0, Buffer.buffer(Arrays.copyOfRange(data, 0, CHUNK))));
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, ref.id(), 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThatThrownBy(() -> store.openSnapshot(GROUP, ref.id())).isInstanceOf(StorageException.class);
  }

  /** The reference a peer would send for {@code data} under {@code id}, at {@link #CHUNK}-byte chunks. */
  protected static SnapshotRef refOf(String id, byte[] data) {
    SnapshotDigest digest = new SnapshotDigest(CHUNK);
    digest.update(data, 0, data.length);
    return digest.finish(id);
  }

  /** Writes the first {@code chunks} chunks of {@code data} from the receiver's offset on. */
  protected static void feed(SnapshotReceiver receiver, byte[] data, int chunks) throws Exception {
    for (int i = 0; i < chunks && receiver.offset() < data.length; i++) {
      int from = (int) receiver.offset();
      int to = Math.min(data.length, from + receiver.ref().chunkSize());
      await(receiver.write(from, Buffer.buffer(Arrays.copyOfRange(data, from, to))));
    }
  }
}
