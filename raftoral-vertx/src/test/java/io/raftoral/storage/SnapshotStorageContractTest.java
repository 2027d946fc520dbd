package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
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
 * What every {@link LogStore} that streams snapshots must do (the out-of-band snapshot SPI): a produced snapshot
 * reads back by range and as a stream under its reference; a received one is verified chunk by chunk, resumes after
 * an interruption, and is kept only when its SHA-256 matches; the current and the previous snapshot are kept.
 */
public abstract class SnapshotStorageContractTest {

  protected static final long GROUP = 3;
  protected static final int CHUNK = 1024;
  /** Three and a half chunks: the last one is short. */
  protected static final int SIZE = CHUNK * 7 / 2;
  private static final long SEED = 42;

  protected Vertx vertx;
  protected LogStore store;
  @TempDir
  protected Path dir;

  /** A new store over {@code directory} (stores without files may ignore it). */
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

  @Test
  void aProducedSnapshotReadsBackByRangeAndAsAStream() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef ref = produce(data);
    assertThat(ref.size()).isEqualTo(SIZE);
    assertThat(ref.chunks()).isEqualTo(SnapshotRef.chunkCount(SIZE, ref.chunkSize()));
    assertThat(await(store.readSnapshot(GROUP, ref.id(), 0, SIZE * 2)).getBytes()).isEqualTo(data);
    assertThat(await(store.readSnapshot(GROUP, ref.id(), CHUNK, CHUNK)).getBytes())
        .isEqualTo(Arrays.copyOfRange(data, CHUNK, 2 * CHUNK));
    assertThat(await(store.readSnapshot(GROUP, ref.id(), SIZE, CHUNK)).length()).as("the end").isZero();
    try (InputStream in = store.openSnapshot(GROUP, ref.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void anUnknownSnapshotIsNotFound() {
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, "nope", 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThatThrownBy(() -> store.openSnapshot(GROUP, "nope")).isInstanceOf(StorageException.class);
  }

  @Test
  void aReceivedSnapshotIsVerifiedChunkByChunkAndResumes() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef ref = refOf(data, "received");
    SnapshotReceiver first = store.receiveSnapshot(GROUP, ref);
    assertThat(first.offset()).isZero();
    await(first.write(0, chunk(data, 0)));
    Buffer corrupted = chunk(data, CHUNK);
    corrupted.setByte(1, (byte) ~corrupted.getByte(1));
    assertThatThrownBy(() -> await(first.write(CHUNK, corrupted))).isInstanceOf(SnapshotChecksumException.class);
    assertThatThrownBy(() -> await(first.write(2 * CHUNK, chunk(data, 2 * CHUNK))))
        .as("a chunk must start at the offset held").isInstanceOf(IllegalStateException.class);
    assertThat(first.offset()).as("nothing of a refused chunk is kept").isEqualTo(CHUNK);

    SnapshotReceiver resumed = store.receiveSnapshot(GROUP, ref);
    assertThat(resumed.offset()).as("an interrupted transfer resumes").isEqualTo(CHUNK);
    for (long at = resumed.offset(); at < SIZE; at += CHUNK) {
      await(resumed.write(at, chunk(data, (int) at)));
    }
    await(resumed.complete());
    assertThat(await(store.readSnapshot(GROUP, ref.id(), 0, SIZE)).getBytes()).isEqualTo(data);
    assertThat(store.receiveSnapshot(GROUP, ref).offset()).as("a kept snapshot needs no data")
        .isEqualTo(SIZE);
  }

  @Test
  void dataThatDoesNotMatchItsDigestIsDiscarded() throws Exception {
    byte[] data = data(SEED);
    SnapshotRef honest = refOf(data, "forged");
    byte[] wrongSha = honest.sha256().clone();
    wrongSha[0] ^= 1;
    SnapshotRef forged = new SnapshotRef(honest.id(), honest.size(), honest.chunkSize(), wrongSha,
        honest.chunkCrcs());
    SnapshotReceiver r = store.receiveSnapshot(GROUP, forged);
    for (long at = 0; at < SIZE; at += CHUNK) {
      await(r.write(at, chunk(data, (int) at)));
    }
    assertThatThrownBy(() -> await(r.complete())).isInstanceOf(SnapshotChecksumException.class);
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, forged.id(), 0, CHUNK)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThat(store.receiveSnapshot(GROUP, forged).offset()).as("fetched again from the start").isZero();
  }

  @Test
  void theCurrentAndThePreviousSnapshotAreKept() throws Exception {
    SnapshotRef[] refs = new SnapshotRef[3];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = produce(data(SEED + i));
      await(store.saveSnapshot(GROUP, new Snapshot(10L * (i + 1), 1, new Membership(Set.of(1L), Set.of()),
          refs[i].encode())));
    }
    assertThatThrownBy(() -> await(store.readSnapshot(GROUP, refs[0].id(), 0, CHUNK)))
        .as("older ones are discarded").isInstanceOf(SnapshotNotFoundException.class);
    assertThat(await(store.readSnapshot(GROUP, refs[1].id(), 0, SIZE)).getBytes()).isEqualTo(data(SEED + 1));
    assertThat(await(store.readSnapshot(GROUP, refs[2].id(), 0, SIZE)).getBytes()).isEqualTo(data(SEED + 2));
  }

  /**
   * A follower that fetched a leader's snapshot keeps taking snapshots of its own until the log records the fetched
   * one: the fetched data must outlive them, or installing it fails and the group is stuck (seen in the workflow chaos
   * test with the in-memory store).
   */
  @Test
  void aReceivedSnapshotIsKeptUntilTheLogRecordsItWhileLocalSnapshotsAreSaved() throws Exception {
    Membership members = new Membership(Set.of(1L), Set.of());
    SnapshotRef first = produce(data(SEED));
    await(store.saveSnapshot(GROUP, new Snapshot(10, 1, members, first.encode())));
    byte[] fetched = data(SEED + 10);
    SnapshotRef received = refOf(fetched, "received-ahead");
    SnapshotReceiver r = store.receiveSnapshot(GROUP, received);
    for (long at = 0; at < SIZE; at += CHUNK) {
      await(r.write(at, chunk(fetched, (int) at)));
    }
    await(r.complete());
    for (int i = 1; i <= 3; i++) {
      SnapshotRef local = produce(data(SEED + i));
      await(store.saveSnapshot(GROUP, new Snapshot(10L * (i + 1), 1, members, local.encode())));
    }
    assertThat(await(store.readSnapshot(GROUP, received.id(), 0, SIZE)).getBytes())
        .as("fetched, not recorded yet").isEqualTo(fetched);
    await(store.write(GROUP, new StoreWrite(new Snapshot(500, 2, members, received.encode()), List.of(),
        new HardState(2, 0, 500))));
    try (InputStream in = store.openSnapshot(GROUP, received.id())) {
      assertThat(in.readAllBytes()).as("recorded, then installed").isEqualTo(fetched);
    }
  }

  protected SnapshotRef produce(byte[] data) throws Exception {
    SnapshotSink sink = store.createSnapshot(GROUP, CHUNK);
    sink.stream().write(data, 0, data.length / 2);
    sink.stream().write(data, data.length / 2, data.length - data.length / 2);
    return await(sink.finish());
  }

  protected static SnapshotRef refOf(byte[] data, String id) {
    SnapshotDigest digest = new SnapshotDigest(CHUNK);
    digest.update(data, 0, data.length);
    return digest.finish(id);
  }

  protected static Buffer chunk(byte[] data, int offset) {
    return Buffer.buffer(Arrays.copyOfRange(data, offset, Math.min(data.length, offset + CHUNK)));
  }

  protected static byte[] data(long seed) {
    byte[] b = new byte[SIZE];
    new Random(seed).nextBytes(b);
    return b;
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
}
