package io.raftoral.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.storage.SnapshotNotFoundException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM transport's out-of-band snapshot fetch: chunks of the requested size from the requested offset, read
 * from the peer's source only as fast as the handler takes them, and failures when the peer serves nothing, goes
 * away, or no longer keeps the snapshot. Called off Vert.x, every step runs synchronously, so what the test sees
 * right after a call is exactly what happened.
 */
class InJvmSnapshotFetchTest {

  private static final long GROUP = 5;
  private static final int SIZE = 10;
  private static final int CHUNK = 4;

  private Vertx vertx;
  private InJvmNetwork network;
  private final AtomicInteger reads = new AtomicInteger();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    network = new InJvmNetwork(vertx);
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  /** Serves a snapshot "s" of bytes 0..SIZE-1, at most 3 bytes a read (a whole chunk takes two reads). */
  private Transport serving(long nodeId) {
    Transport t = network.transport(nodeId);
    t.snapshotSource(new SnapshotSource() {
      @Override
      public Future<Buffer> read(long clusterId, String snapshotId, long offset, int maxBytes) {
        reads.incrementAndGet();
        if (!snapshotId.equals("s")) {
          return Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId));
        }
        Buffer b = Buffer.buffer();
        for (long i = offset; i < Math.min(SIZE, offset + Math.min(maxBytes, 3)); i++) {
          b.appendByte((byte) i);
        }
        return Future.succeededFuture(b);
      }

      @Override
      public Future<Long> size(long clusterId, String snapshotId) {
        return Future.succeededFuture((long) SIZE);
      }
    });
    return t;
  }

  @Test
  void chunksArriveWholeInOrderFromTheOffsetAndOnlyAsFastAsTheHandlerTakesThem() {
    serving(1);
    Transport fetcher = network.transport(2);
    List<Promise<Void>> pending = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    Buffer received = Buffer.buffer();
    Future<Void> done = fetcher.fetchSnapshot(1, GROUP, "s", 2, CHUNK, (offset, data) -> {
      offsets.add(offset);
      received.appendBuffer(data);
      Promise<Void> p = Promise.promise();
      pending.add(p);
      return p.future();
    });
    int readsForOneChunk = reads.get();
    assertThat(offsets).as("one chunk until the handler completes it").containsExactly(2L);
    pending.get(0).complete();
    assertThat(reads.get()).isGreaterThan(readsForOneChunk);
    assertThat(offsets).containsExactly(2L, 6L);
    assertThat(done.isComplete()).isFalse();
    pending.get(1).complete();
    assertThat(done.succeeded()).as("the end of the data ends the fetch").isTrue();
    assertThat(received.length()).isEqualTo(SIZE - 2);
    assertThat(received.getByte(0)).isEqualTo((byte) 2);
  }

  @Test
  void aFetchFailsWhenThePeerServesNothingGoesAwayOrNoLongerKeepsTheSnapshot() {
    Transport fetcher = network.transport(2);
    assertThat(fetcher.fetchSnapshot(1, GROUP, "s", 0, CHUNK, (o, d) -> Future.succeededFuture()).cause())
        .isInstanceOf(ConnectException.class);

    Transport peer = serving(1);
    assertThat(fetcher.fetchSnapshot(1, GROUP, "gone", 0, CHUNK, (o, d) -> Future.succeededFuture()).cause())
        .isInstanceOf(SnapshotNotFoundException.class);

    Promise<Void> first = Promise.promise();
    Future<Void> cut = fetcher.fetchSnapshot(1, GROUP, "s", 0, CHUNK, (o, d) -> first.future());
    peer.close();
    first.complete();
    assertThat(cut.cause()).as("the peer went away mid-transfer").isInstanceOf(ConnectException.class);
  }
}
