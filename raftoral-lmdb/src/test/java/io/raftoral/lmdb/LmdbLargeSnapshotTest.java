package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.SnapshotDigest;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of more than 100 MB goes through the LMDB store the way a group uses it, generated on the fly and never
 * held whole in the heap: the producer streams it into a sink, peers read it in ranges, a second store receives those
 * ranges chunk by chunk and installs it, and a restore streams it back.
 */
class LmdbLargeSnapshotTest {

  private static final long GROUP = 1;
  private static final long SIZE = 100L * 1024 * 1024 + 12_345;
  private static final int WRITE_BYTES = 64 * 1024;
  private static final long SEED = 100;

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
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** Streams {@link #SIZE} pseudo-random bytes into {@code out}; returns their SHA-256. */
  private static byte[] generate(OutputStream out) throws Exception {
    MessageDigest sha = SnapshotDigest.newSha256();
    Random random = new Random(SEED);
    byte[] block = new byte[WRITE_BYTES];
    for (long written = 0; written < SIZE; written += block.length) {
      random.nextBytes(block);
      int n = (int) Math.min(block.length, SIZE - written);
      out.write(block, 0, n);
      sha.update(block, 0, n);
    }
    return sha.digest();
  }

  private static byte[] sha256Of(InputStream in) throws Exception {
    MessageDigest sha = SnapshotDigest.newSha256();
    byte[] block = new byte[WRITE_BYTES];
    for (int n = in.read(block); n >= 0; n = in.read(block)) {
      sha.update(block, 0, n);
    }
    return sha.digest();
  }

  @Test
  void aSnapshotOfMoreThan100MbStreamsFromProducerToPeerAndBackWithoutLivingInTheHeap() throws Exception {
    LmdbLogStore leader = LmdbLogStore.open(vertx, dir.resolve("leader"));
    LmdbLogStore follower = LmdbLogStore.open(vertx, dir.resolve("follower"));
    try {
      SnapshotSink sink = leader.createSnapshot(GROUP);
      byte[] expectedSha;
      try (OutputStream out = sink.stream()) {
        expectedSha = generate(out);
      }
      SnapshotRef ref = await(sink.finish());
      assertThat(ref.size()).isEqualTo(SIZE);
      assertThat(ref.sha256()).isEqualTo(expectedSha);
      assertThat(ref.chunkSize()).isEqualTo(SnapshotRef.DEFAULT_CHUNK_SIZE);
      Snapshot snapshot = new Snapshot(1000, 2, Membership.ofVoters(1L, 2L), ref.encode());
      await(leader.saveSnapshot(GROUP, snapshot));

      // the follower fetches range by range, one chunk at a time, as a transport would
      SnapshotReceiver receiver = follower.receiveSnapshot(GROUP, ref);
      MessageDigest fetched = SnapshotDigest.newSha256();
      while (true) {
        Buffer chunk = await(leader.readSnapshot(GROUP, ref.id(), receiver.offset(), ref.chunkSize()));
        if (chunk.length() == 0) {
          break;
        }
        fetched.update(chunk.getBytes());
        await(receiver.write(receiver.offset(), chunk));
      }
      assertThat(fetched.digest()).isEqualTo(expectedSha);
      await(receiver.complete());
      await(follower.write(GROUP, new StoreWrite(snapshot, List.of(), new HardState(2, 1, 1000))));

      assertThat(SnapshotRef.decode(await(follower.load(GROUP)).snapshot().data())).isEqualTo(ref);
      try (InputStream in = follower.openSnapshot(GROUP, ref.id())) {
        assertThat(sha256Of(in)).isEqualTo(expectedSha);
      }
    } finally {
      await(leader.close());
      await(follower.close());
    }
  }
}
