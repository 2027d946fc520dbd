package io.raftoral.transport.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.NetworkTransport;
import io.raftoral.transport.NetworkTransportOptions;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.SnapshotTransfers;
import io.raftoral.transport.TransportTlsOptions;
import io.raftoral.transport.contract.GeneratedSnapshotSource.Generated;
import io.raftoral.transport.contract.NetworkTransportContractTest.TransportConstructor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract of out-of-band snapshot transfers ({@link NetworkTransport#fetchSnapshot}) a network transport keeps,
 * run against each protocol by a small subclass in its module (shared through this module's test jar). Node 1 serves
 * snapshots generated on the fly ({@link GeneratedSnapshotSource}: 100 MB cost no memory), node 2 fetches them with a
 * {@link SnapshotCollector} playing the group layer: a whole snapshot arrives in order, in chunks of the requested
 * size, with the right SHA-256; a transfer broken half way (the receiver fails, or the serving node goes away and
 * comes back elsewhere) resumes from its last good offset instead of starting over; a refused chunk is fetched again;
 * an unknown snapshot or peer fails clearly; two transfers run at once; mutual TLS applies as it does to Raft
 * traffic; and Raft keeps committing through the same transports while a transfer is held up by its receiver.
 *
 * @param <O> the transport's options
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class SnapshotTransferContractTest<O extends NetworkTransportOptions<O>> {

  protected static final long CLUSTER = 7;
  protected static final int CHUNK = 1 << 20;
  /** The size: at least 100 MB, generated on the fly. */
  protected static final long BIG = 100L * 1024 * 1024;
  /** For what does not need 100 MB to be shown (the suite stays fast on a small machine). */
  protected static final long SMALL = 8L * 1024 * 1024 + 12_345;
  /** Chunk sizes that align with nothing: one far below a wire piece, one above several. */
  private static final int ODD_SMALL_CHUNK = 1_000;
  private static final int ODD_LARGE_CHUNK = 3 * CHUNK + 7;
  /** Larger than what flow control lets through while a transfer is held, by far. */
  private static final long HELD_SNAPSHOT_BYTES = 64L * 1024 * 1024;
  /** What a held transfer may have read ahead: windows, socket buffers and a piece, with a wide margin. */
  private static final long MAX_READ_AHEAD_BYTES = 32L * 1024 * 1024;
  private static final long SERVER = 1;
  private static final long FETCHER = 2;
  private static final long WAIT_SECONDS = 150;
  private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(WAIT_SECONDS);
  /** A resumed transfer may fetch again what was in flight when it broke, never the whole snapshot again. */
  private static final double MAX_RESUME_OVERHEAD = 1.5;
  private static final long POLL_MILLIS = 10;
  private static final RaftGroupOptions GROUP_OPTIONS = RaftPreset.TESTING.groupOptions();

  private final Supplier<O> defaults;
  private final TransportConstructor<O> constructor;
  protected GeneratedSnapshotSource source;
  protected NetworkTransport<O, ?> server;
  protected NetworkTransport<O, ?> fetcher;
  protected PeerAddresses peers;
  private NetworkRaftCluster cluster;

  /** The protocol's default options and transport constructor. */
  protected SnapshotTransferContractTest(Supplier<O> defaults, TransportConstructor<O> constructor) {
    this.defaults = defaults;
    this.constructor = constructor;
  }

  @BeforeEach
  void startServerAndFetcher(Vertx vertx) throws Exception {
    source = new GeneratedSnapshotSource(vertx);
    server = startServer(vertx);
    peers = new PeerAddresses().put(SERVER, "127.0.0.1:" + server.actualPort());
    fetcher = constructor.create(vertx, FETCHER, peers, defaults.get().setHost("127.0.0.1").setPort(0));
  }

  @AfterEach
  void closeAll() throws Exception {
    await(Future.join(server.close(), fetcher.close()));
    if (cluster != null) {
      cluster.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ kit

  /** Node 1's transport, serving {@link #source}, listening on a free loopback port. */
  protected NetworkTransport<O, ?> startServer(Vertx vertx) throws Exception {
    NetworkTransport<O, ?> t = constructor.create(vertx, SERVER, new PeerAddresses(),
        defaults.get().setHost("127.0.0.1").setPort(0));
    t.snapshotSource(source);
    await(t.listen());
    return t;
  }

  /** A snapshot of {@code size} bytes that node 1 serves. */
  protected Generated serve(String id, long size) {
    Generated s = new Generated(CLUSTER, id, size, id.hashCode());
    source.add(s);
    return s;
  }

  /** Node 2 fetches {@code s} from node 1 from {@code offset} into {@code into}. */
  protected Future<Void> fetch(Generated s, long offset, SnapshotCollector into) {
    return fetcher.fetchSnapshot(SERVER, s.clusterId(), s.id(), offset, CHUNK, into);
  }

  /** Waits for {@code f} on the test thread (a 100 MB transfer on a loaded machine gets its time). */
  protected static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** The failure of {@code f}, which must fail. */
  protected static Throwable failureOf(Future<?> f) {
    Throwable thrown = catchThrowable(() -> await(f));
    assertThat(thrown).as("the fetch should have failed").isInstanceOf(ExecutionException.class);
    return thrown.getCause();
  }

  /** The transport's snapshot byte counter in {@code direction}. */
  private static long snapshotBytes(MeterRegistry registry, String direction) {
    return (long) registry.get("raftoral.transport.snapshot").tag("direction", direction).functionCounter().count();
  }

  /** Every chunk in order and of the right size, and the digest of {@code s}. */
  protected static void assertWhole(SnapshotCollector c, Generated s) {
    assertThat(c.problems()).isEmpty();
    assertThat(c.nextOffset()).isEqualTo(s.size());
    assertThat(c.sha256()).isEqualTo(GeneratedSnapshotSource.sha256(s));
  }

  // ------------------------------------------------------------------------------------------------ the contract

  @Test
  void aHundredMegabyteSnapshotArrivesWholeInOrderInChunksOfTheRequestedSize() throws Exception {
    SimpleMeterRegistry servedMeters = new SimpleMeterRegistry();
    SimpleMeterRegistry fetchedMeters = new SimpleMeterRegistry();
    server.bindTo(servedMeters);
    fetcher.bindTo(fetchedMeters);
    Generated s = serve("big", BIG);
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
    await(fetch(s, 0, c));
    assertWhole(c, s);
    assertThat(c.chunks()).isEqualTo((BIG + CHUNK - 1) / CHUNK);
    assertThat(snapshotBytes(servedMeters, "sent")).isEqualTo(BIG);
    assertThat(snapshotBytes(fetchedMeters, "received")).isEqualTo(BIG);
  }

  /** Snapshot streams use the nodes' TLS settings, as Raft traffic does: here mutual TLS, each node its own identity. */
  @Test
  void aMutualTlsNodeServesSnapshotsToAFellowNode(Vertx vertx) throws Exception {
    SelfSignedCertificate serverCert = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate fetcherCert = SelfSignedCertificate.create("localhost");
    try {
      NetworkTransport<O, ?> tlsServer = constructor.create(vertx, SERVER, new PeerAddresses(),
          defaults.get().setHost("127.0.0.1").setPort(0).setTls(mutualTls(serverCert, serverCert, fetcherCert)));
      tlsServer.snapshotSource(source);
      await(tlsServer.listen());
      PeerAddresses tlsPeers = new PeerAddresses().put(SERVER, "localhost:" + tlsServer.actualPort());
      NetworkTransport<O, ?> tlsFetcher = constructor.create(vertx, FETCHER, tlsPeers,
          defaults.get().setHost("127.0.0.1").setPort(0).setTls(mutualTls(fetcherCert, serverCert, fetcherCert)));
      try {
        Generated s = serve("over-tls", SMALL);
        SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
        await(tlsFetcher.fetchSnapshot(SERVER, s.clusterId(), s.id(), 0, CHUNK, c));
        assertWhole(c, s);
        // The plaintext fetcher of the other tests cannot fetch from the TLS node.
        peers.put(SERVER, "localhost:" + tlsServer.actualPort());
        assertThat(failureOf(fetch(s, 0, new SnapshotCollector(s.size(), CHUNK)))).isNotNull();
      } finally {
        await(Future.join(tlsServer.close(), tlsFetcher.close()));
      }
    } finally {
      serverCert.delete();
      fetcherCert.delete();
    }
  }

  private static TransportTlsOptions mutualTls(SelfSignedCertificate own, SelfSignedCertificate... trusted) {
    TransportTlsOptions tls = new TransportTlsOptions().setEnabled(true).setMutual(true)
        .setCertPath(own.certificatePath()).setKeyPath(own.privateKeyPath());
    for (SelfSignedCertificate t : trusted) {
      tls.addTrustedCaPath(t.certificatePath());
    }
    return tls;
  }

  /** Chunks are cut to the requested size whatever the pieces on the wire: smaller, larger, never aligned. */
  @Test
  void chunksOfAnySizeAreCutFromWhatThePeerSends() throws Exception {
    Generated s = serve("odd", SMALL);
    for (int chunkSize : new int[] {ODD_SMALL_CHUNK, ODD_LARGE_CHUNK}) {
      SnapshotCollector c = new SnapshotCollector(s.size(), chunkSize);
      await(fetcher.fetchSnapshot(SERVER, s.clusterId(), s.id(), 0, chunkSize, c));
      assertWhole(c, s);
      assertThat(c.chunks()).isEqualTo((s.size() + chunkSize - 1) / chunkSize);
    }
  }

  @Test
  void aTransferTheReceiverBreaksHalfWayResumesFromItsLastGoodOffset() throws Exception {
    Generated s = serve("resumed", BIG);
    long half = BIG / 2;
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
    // The receiver gives up once half has arrived (its disk filled, it restarted): the chunk is not taken.
    boolean[] brokeOnce = {false};
    c.refusing(offset -> {
      if (!brokeOnce[0] && offset >= half) {
        brokeOnce[0] = true;
        return true;
      }
      return false;
    });
    assertThat(failureOf(fetch(s, 0, c))).hasMessageContaining("refused");
    long resumeAt = c.nextOffset();
    assertThat(resumeAt).isGreaterThanOrEqualTo(half);
    await(fetch(s, resumeAt, c));
    assertWhole(c, s);
    assertThat(c.bytesOffered()).isLessThan((long) (BIG * MAX_RESUME_OVERHEAD));
    assertThat(source.bytesRead()).as("bytes the server read over both transfers")
        .isLessThan((long) (BIG * MAX_RESUME_OVERHEAD));
  }

  @Test
  void aTransferWhoseServerGoesAwayResumesFromTheServerAtItsNewAddress(Vertx vertx) throws Exception {
    Generated s = serve("moved", SMALL);
    long third = SMALL / 3;
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
    // Once a third has arrived, the serving node goes away in the middle of the transfer.
    c.holding(offset -> offset >= third);
    Future<Void> broken = fetch(s, 0, c);
    await(pollUntil(vertx, c::holdingAChunk, "the transfer reaching a third"));
    await(server.close());
    c.release();
    assertThat(failureOf(broken)).isNotNull();
    long resumeAt = c.nextOffset();
    assertThat(resumeAt).isGreaterThanOrEqualTo(third).isLessThan(SMALL);

    server = startServer(vertx);
    peers.put(SERVER, "127.0.0.1:" + server.actualPort());
    await(fetch(s, resumeAt, c));
    assertWhole(c, s);
    assertThat(c.bytesOffered()).isLessThan((long) (SMALL * MAX_RESUME_OVERHEAD));
  }

  @Test
  void aRefusedChunkIsFetchedAgainFromItsOffset() throws Exception {
    Generated s = serve("corrupted", SMALL);
    long corrupted = 3L * CHUNK;
    boolean[] refusedOnce = {false};
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK).refusing(offset -> {
      if (offset == corrupted && !refusedOnce[0]) {
        refusedOnce[0] = true; // its checksum did not match: not taken, fetched again
        return true;
      }
      return false;
    });
    assertThat(failureOf(fetch(s, 0, c))).hasMessageContaining("refused");
    assertThat(c.nextOffset()).isEqualTo(corrupted);
    await(fetch(s, c.nextOffset(), c));
    assertWhole(c, s);
  }

  @Test
  void anUnknownSnapshotOrPeerOrABadRequestFailsClearly(Vertx vertx) throws Exception {
    Generated s = serve("known", SMALL);
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER, "unknown", 0, CHUNK, c)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER + 1, s.id(), 0, CHUNK, c)))
        .isInstanceOf(SnapshotNotFoundException.class);
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER, s.id(), s.size() + 1, CHUNK, c)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(failureOf(fetcher.fetchSnapshot(99, CLUSTER, s.id(), 0, CHUNK, c)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("node 99");
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER, s.id(), -1, CHUNK, c)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER, s.id(), 0, SnapshotTransfers.MAX_CHUNK_BYTES + 1, c)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk size");
    assertThat(failureOf(fetcher.fetchSnapshot(SERVER, CLUSTER, "", 0, CHUNK, c)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(c.chunks()).as("no chunk reached the handler").isZero();

    // Resuming exactly at the end has nothing left to fetch.
    await(fetcher.fetchSnapshot(SERVER, CLUSTER, s.id(), s.size(), CHUNK, c));
    assertThat(c.chunks()).isZero();

    // A node that serves no snapshots at all answers "not found" too.
    NetworkTransport<O, ?> bare = constructor.create(vertx, 3, new PeerAddresses(),
        defaults.get().setHost("127.0.0.1").setPort(0));
    await(bare.listen());
    try {
      peers.put(3, "127.0.0.1:" + bare.actualPort());
      assertThat(failureOf(fetcher.fetchSnapshot(3, CLUSTER, s.id(), 0, CHUNK, c)))
          .isInstanceOf(SnapshotNotFoundException.class);
    } finally {
      await(bare.close());
    }
  }

  @Test
  void anIdWithAnyPrintableCharacterIsServed() throws Exception {
    Generated s = serve("group 7/snap+1?x=%2F#é", SMALL);
    SnapshotCollector c = new SnapshotCollector(s.size(), CHUNK);
    await(fetch(s, 0, c));
    assertWhole(c, s);
  }

  @Test
  void twoTransfersRunAtOnce() throws Exception {
    Generated a = serve("first", SMALL);
    Generated b = serve("second", SMALL * 2);
    SnapshotCollector ca = new SnapshotCollector(a.size(), CHUNK);
    SnapshotCollector cb = new SnapshotCollector(b.size(), CHUNK);
    // The first is held after its first chunk until the second has arrived whole: they overlap for sure.
    ca.holding(offset -> offset == 0);
    Future<Void> first = fetch(a, 0, ca);
    await(fetch(b, 0, cb));
    assertThat(ca.holdingAChunk()).isTrue();
    ca.release();
    await(first);
    assertWhole(ca, a);
    assertWhole(cb, b);
  }

  /**
   * A 3-node Raft group commits through the same transports while node 2's transfer from node 1 is held up by its
   * receiver; meanwhile back-pressure keeps node 1 from reading far ahead (flow-control windows and socket buffers,
   * not the snapshot).
   */
  @Test
  void raftKeepsCommittingWhileATransferIsHeldByItsReceiver(Vertx vertx) throws Exception {
    Generated s = new Generated(CLUSTER, "held", HELD_SNAPSHOT_BYTES, 1);
    GeneratedSnapshotSource[] served = new GeneratedSnapshotSource[1];
    cluster = new NetworkRaftCluster(vertx, (vx, id, directory, port) -> {
      NetworkTransport<O, ?> t = constructor.create(vx, id, directory,
          defaults.get().setHost("127.0.0.1").setPort(port));
      if (id == SERVER) {
        served[0] = new GeneratedSnapshotSource(vx).add(s);
      }
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, RaftPreset.TESTING.tickMillis());
    NetworkRaftCluster c = cluster;
    await(c.startNodes(1, 2, 3));
    // The host serves its store's snapshots from its transport; this test serves generated ones instead.
    c.node(SERVER).transport.snapshotSource(served[0]);
    await(c.startGroup(CLUSTER, GROUP_OPTIONS, 1, 2, 3));
    await(c.awaitLeader(CLUSTER, WAIT_MILLIS));

    SnapshotCollector held = new SnapshotCollector(s.size(), CHUNK).holding(offset -> offset == CHUNK);
    Future<Void> transfer = c.node(FETCHER).transport.fetchSnapshot(SERVER, CLUSTER, s.id(), 0, CHUNK, held);
    await(c.await(held::holdingAChunk, WAIT_MILLIS, "the transfer holding its second chunk"));
    for (long id : c.liveNodeIds()) {
      await(Bridge.future(c.group(id, CLUSTER).propose(KvCommand.put("during-" + id, "v"))));
    }
    await(c.await(() -> c.liveNodeIds().stream().allMatch(replica -> c.liveNodeIds().stream()
        .allMatch(id -> "v".equals(c.kv(replica, CLUSTER).get("during-" + id)))), WAIT_MILLIS,
        "every replica applying what was proposed during the transfer"));
    assertThat(held.holdingAChunk()).as("the transfer is still held").isTrue();
    assertThat(served[0].bytesRead()).as("bytes node 1 read while the receiver held the transfer")
        .isLessThan(MAX_READ_AHEAD_BYTES);
    held.release();
    await(transfer);
    assertWhole(held, s);
  }

  /** Completes once {@code condition} holds (polled on {@code vertx}'s timers), fails after the wait. */
  private static Future<Void> pollUntil(Vertx vertx, BooleanSupplier condition, String what) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    vertx.setPeriodic(POLL_MILLIS, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        p.tryFail(new AssertionError("timed out waiting for " + what));
      }
    });
    return p.future();
  }
}
