package io.raftoral.transport.contract;

import static io.raftoral.testkit.NetworkRaftCluster.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.raft.Entry;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.NetworkTransport;
import io.raftoral.transport.NetworkTransportMetrics;
import io.raftoral.transport.NetworkTransportOptions;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.Transport;
import io.raftoral.transport.TransportTlsOptions;
import io.raftoral.wire.WireCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.TrustOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract of a network transport ({@link NetworkTransport}) that carries the {@code raftoral.v1} wire schema
 * (which is why it lives here, beside {@link WireCodec}), run against each protocol by a small subclass in its module
 * (shared through this module's test jar). Under a real 3-node Raft group (every node its own Vert.x, its own server
 * on an ephemeral loopback port, in-memory stores) the transport commits through every node, reconnects to a stopped
 * and restarted peer (which catches up), follows a peer to a new address, refuses bad frames (garbage, wrong schema,
 * wrong recipient, oversized, empty) with a clear answer while the node keeps serving, counts every dropped batch by
 * reason without ever throwing, and runs TLS / mutual TLS clusters that refuse clients without a trusted
 * certificate. The subclass names its constructors and says how one raw frame is sent with its protocol;
 * protocol-specific behaviour (back pressure, shared servers, option validation) stays in the subclass.
 *
 * @param <O> the transport's options
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class NetworkTransportContractTest<O extends NetworkTransportOptions<O>> {

  protected static final long GROUP = 1;
  protected static final long WAIT = 15_000;
  protected static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();
  /** The frame limit of {@link #badFramesAreRefusedWithAClearAnswerAndTheNodeKeepsServing}: the test sends more. */
  private static final int SMALL_FRAME_LIMIT = 64 * 1024;
  private static final int OVERSIZED_FRAME = 100 * 1024;
  /** The smallest limit the options accept: a batch with one 2 KiB entry is over it. */
  private static final int TINY_FRAME_LIMIT = 1024;
  private static final int ENTRY_OVER_TINY_LIMIT = 2048;

  /** Certificates for localhost: three nodes' and a stranger's, made once per class (RSA key generation is slow). */
  private static final List<SelfSignedCertificate> NODE_CERTS = new ArrayList<>();
  protected static SelfSignedCertificate strangerCert;

  protected NetworkRaftCluster cluster;

  /** What a peer answered to one raw frame, in the contract's words. */
  public enum Verdict { ACCEPTED, MALFORMED, MISADDRESSED, TOO_LARGE, OTHER }

  /** A raw frame's verdict and the peer's message (the protocol's status message or error body). */
  public record FrameAnswer(Verdict verdict, String message) {}

  /** A protocol's transport constructor. */
  @FunctionalInterface
  public interface TransportConstructor<O extends NetworkTransportOptions<O>> {
    NetworkTransport<O, ?> create(Vertx vertx, long nodeId, PeerAddresses peers, O options);
  }

  /** A protocol's setter of the largest frame sent or accepted. */
  @FunctionalInterface
  public interface FrameLimitSetter<O extends NetworkTransportOptions<O>> {
    O set(O options, int maxFrameBytes);
  }

  private final Supplier<O> defaults;
  private final Function<JsonObject, O> fromJson;
  private final UnaryOperator<O> copy;
  private final FrameLimitSetter<O> frameLimit;
  private final TransportConstructor<O> constructor;

  /**
   * The protocol's constructors of default options, of options from JSON and of a copy of options, its frame limit
   * setter, and its transport constructor
   * ({@code super(FooOptions::new, FooOptions::new, FooOptions::new, FooOptions::setMaxFrameBytes, Foo::new)}).
   */
  protected NetworkTransportContractTest(Supplier<O> defaults, Function<JsonObject, O> fromJson, UnaryOperator<O> copy,
      FrameLimitSetter<O> frameLimit, TransportConstructor<O> constructor) {
    this.defaults = defaults;
    this.fromJson = fromJson;
    this.copy = copy;
    this.frameLimit = frameLimit;
    this.constructor = constructor;
  }

  /** Options with every default. */
  protected final O options() {
    return defaults.get();
  }

  protected final NetworkTransport<O, ?> newTransport(Vertx vertx, long nodeId, PeerAddresses peers, O options) {
    return constructor.create(vertx, nodeId, peers, options);
  }

  /** {@code options} with the largest frame sent or accepted set to {@code bytes}. */
  private O withMaxFrameBytes(O options, int bytes) {
    return frameLimit.set(options, bytes);
  }

  /**
   * Sends {@code frame} as one raw request of the protocol to the transport listening on loopback {@code port}, with a
   * new client made from {@code client} (plain or TLS settings: the subclass adds its protocol's), closed afterwards.
   * Fails when the connection or the TLS handshake fails.
   */
  protected abstract Future<FrameAnswer> sendRaw(Vertx vertx, HttpClientOptions client, int port, Buffer frame);

  /** Options with every setting changed from its default. */
  protected abstract O fullySetOptions();

  @BeforeAll
  static void generateCertificates() {
    for (int i = 0; i < 3; i++) {
      NODE_CERTS.add(SelfSignedCertificate.create("localhost"));
    }
    strangerCert = SelfSignedCertificate.create("localhost");
  }

  @AfterAll
  static void deleteCertificates() {
    NODE_CERTS.forEach(SelfSignedCertificate::delete);
    NODE_CERTS.clear();
    strangerCert.delete();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ kit

  /** A 3-node cluster whose node {@code id} uses {@code options.apply(id)}, with a leader of {@link #GROUP}. */
  protected NetworkRaftCluster threeNodes(Vertx vertx, LongFunction<O> options) throws Exception {
    cluster = new NetworkRaftCluster(vertx, (vx, id, peers, port) -> {
      NetworkTransport<O, ?> t = newTransport(vx, id, peers, options.apply(id).setHost("127.0.0.1").setPort(port));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, RaftPreset.TESTING.tickMillis());
    join(cluster.startNodes(1, 2, 3));
    join(cluster.startGroup(GROUP, OPTS, 1, 2, 3));
    join(cluster.awaitLeader(GROUP, WAIT));
    return cluster;
  }

  /** Proposes one put through every live node and waits until every live replica applied all of them. */
  protected static void commitsThroughEveryNode(NetworkRaftCluster c, String prefix) throws Exception {
    for (long id : c.liveNodeIds()) {
      assertThat(join(Bridge.future(c.group(id, GROUP).propose(KvCommand.put(prefix + id, "v" + id)))).index())
          .isPositive();
    }
    join(c.await(() -> c.liveNodeIds().stream().allMatch(replica -> c.liveNodeIds().stream()
        .allMatch(id -> ("v" + id).equals(c.kv(replica, GROUP).get(prefix + id)))), WAIT,
        "every replica applying every node's proposal"));
  }

  protected static NetworkTransport<?, ?> transport(NetworkRaftCluster c, long id) {
    return (NetworkTransport<?, ?>) c.node(id).transport;
  }

  /** A heartbeat batch from {@code from} to {@code to}. */
  protected static RaftBatch heartbeat(long from, long to) {
    return new RaftBatch(from, to, List.of(new RaftEnvelope(GROUP, Message.builder(MessageType.HEARTBEAT, from, to)
        .term(1).build())));
  }

  /** An append from {@code from} to {@code to} carrying one entry of {@code payloadBytes}. */
  protected static RaftBatch append(long from, long to, int payloadBytes) {
    return new RaftBatch(from, to, List.of(new RaftEnvelope(GROUP, Message.builder(MessageType.APPEND, from, to)
        .term(1).entries(List.of(Entry.normal(1, 1, new byte[payloadBytes]))).build())));
  }

  /**
   * Sends {@code batch} through {@code sender} every {@code everyMillis} (on {@code vertx}'s timers) until
   * {@code done} holds, polled from one context; fails with {@code failure}'s message after {@link #WAIT}.
   */
  protected static void sendUntil(Vertx vertx, Transport sender, RaftBatch batch, long everyMillis,
      BooleanSupplier done, Supplier<String> failure) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    long deadline = System.currentTimeMillis() + WAIT;
    long timer = vertx.setPeriodic(everyMillis, id -> sender.send(batch));
    try {
      join(NetworkRaftCluster.on(ctx, () -> {
        Promise<Void> p = Promise.promise();
        vertx.setPeriodic(10, id -> {
          if (done.getAsBoolean()) {
            vertx.cancelTimer(id);
            p.tryComplete();
          } else if (System.currentTimeMillis() > deadline) {
            vertx.cancelTimer(id);
            p.tryFail(new AssertionError(failure.get()));
          }
        });
        return p.future();
      }));
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** {@link #sendRaw} from one context (see {@link NetworkRaftCluster#on}). */
  protected Future<FrameAnswer> raw(Context ctx, Vertx vertx, HttpClientOptions client, int port, Buffer frame) {
    return NetworkRaftCluster.on(ctx, () -> sendRaw(vertx, client, port, frame));
  }

  /** The TLS settings of the three nodes: each its own certificate, trusting all three. */
  protected static List<TransportTlsOptions> nodeTls(boolean mutual) {
    List<TransportTlsOptions> tls = new ArrayList<>();
    for (SelfSignedCertificate own : NODE_CERTS) {
      TransportTlsOptions t = new TransportTlsOptions().setEnabled(true).setMutual(mutual)
          .setCertPath(own.certificatePath()).setKeyPath(own.privateKeyPath());
      NODE_CERTS.forEach(peer -> t.addTrustedCaPath(peer.certificatePath()));
      tls.add(t);
    }
    return tls;
  }

  private static Buffer emptyBatch() {
    return Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of())));
  }

  // ------------------------------------------------------------------------------------------------ the contract

  @Test
  void threeNodesElectALeaderAndCommitThroughEveryNode(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, id -> options());
    commitsThroughEveryNode(c, "k");
    for (long id = 1; id <= 3; id++) {
      NetworkTransportMetrics m = transport(c, id).metrics();
      assertThat(m.sentBatches()).isPositive();
      assertThat(m.receivedBatches()).isPositive();
      assertThat(m.rejectedFrames()).isZero();
      assertThat(m.refusedByPeer()).isZero();
    }
  }

  @Test
  void aStoppedPeerIsReconnectedToAndCatchesUp(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, id -> options());
    commitsThroughEveryNode(c, "before");
    long leader = join(c.awaitLeader(GROUP, WAIT));
    long follower = leader == 3 ? 2 : 3;
    join(c.stop(follower));
    for (int i = 0; i < 30; i++) {
      // The two remaining nodes are a majority (a proposal on a follower is forwarded to the leader).
      join(Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("while-down-" + i, "x"))));
    }
    join(c.await(() -> transport(c, leader).metrics().droppedUnreachable() > 0, WAIT,
        "the leader noticing the stopped node"));
    join(c.restart(follower));
    join(c.startGroupOn(follower, GROUP, OPTS));
    join(c.await(() -> IntStream.range(0, 30).allMatch(i -> "x".equals(c.kv(follower, GROUP).get("while-down-" + i))),
        WAIT, "the restarted node catching up"));
    commitsThroughEveryNode(c, "after");
    long reconnects = c.liveNodeIds().stream().filter(id -> id != follower)
        .mapToLong(id -> transport(c, id).metrics().reconnects()).sum();
    assertThat(reconnects).as("connections to the restarted node re-established").isPositive();
    assertThat(transport(c, leader).metrics().reconnects()).as("the leader reaching the restarted node again")
        .isPositive();
  }

  @Test
  void aPeerThatMovesToANewAddressIsFollowed(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, id -> options());
    commitsThroughEveryNode(c, "before");
    long leader = join(c.awaitLeader(GROUP, WAIT));
    long follower = leader == 3 ? 2 : 3;
    int oldPort = c.node(follower).port;
    join(c.stop(follower));
    join(c.restartOnNewPort(follower));
    assertThat(c.node(follower).port).isNotEqualTo(oldPort);
    join(c.startGroupOn(follower, GROUP, OPTS));
    commitsThroughEveryNode(c, "moved");
  }

  /** Unknown peers, unreachable peers and oversized batches: send() returns normally and each drop is counted. */
  @Test
  void sendNeverThrowsAndCountsEveryDropByReason(Vertx vertx) throws Exception {
    HttpServer closed = join(vertx.createHttpServer().requestHandler(req -> { }).listen(0, "127.0.0.1"));
    int deadPort = closed.actualPort();
    join(closed.close());
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + deadPort).put(3, "localhost:" + deadPort);
    NetworkTransport<O, ?> sender = newTransport(vertx, 1, peers, withMaxFrameBytes(options(), TINY_FRAME_LIMIT));
    RaftBatch small = heartbeat(1, 2);
    sender.send(new RaftBatch(1, 9, List.of()));
    sender.send(append(1, 3, ENTRY_OVER_TINY_LIMIT));
    sender.send(null);
    sendUntil(vertx, sender, small, 5, () -> sender.metrics().droppedUnreachable() > 1,
        () -> "no unreachable drops: " + sender.metrics());
    NetworkTransportMetrics m = sender.metrics();
    assertThat(m.droppedNoAddress()).isEqualTo(1);
    assertThat(m.droppedTooLarge()).isEqualTo(1);
    assertThat(m.sentBatches()).isZero();
    join(sender.close());
    sender.send(small); // after close: ignored
  }

  @Test
  void badFramesAreRefusedWithAClearAnswerAndTheNodeKeepsServing(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    NetworkRaftCluster c = threeNodes(vertx, id -> withMaxFrameBytes(options(), SMALL_FRAME_LIMIT));
    int port = c.node(1).port;
    HttpClientOptions plain = new HttpClientOptions();

    FrameAnswer garbage = join(raw(ctx, vertx, plain, port, Buffer.buffer("this is not protobuf \u0000\u00ff\u00fe")));
    assertThat(garbage.verdict()).isEqualTo(Verdict.MALFORMED);
    assertThat(garbage.message()).contains("malformed raftoral.v1.RaftBatch");

    Buffer futureSchema = Buffer.buffer(WireCodec.toProto(new RaftBatch(2, 1, List.of())).toBuilder()
        .setSchemaVersion(9).build().toByteArray());
    FrameAnswer version = join(raw(ctx, vertx, plain, port, futureSchema));
    assertThat(version.verdict()).isEqualTo(Verdict.MALFORMED);
    assertThat(version.message()).contains("unsupported schema version 9");

    FrameAnswer misaddressed = join(raw(ctx, vertx, plain, port, Buffer.buffer(WireCodec.encode(heartbeat(2, 42)))));
    assertThat(misaddressed.verdict()).isEqualTo(Verdict.MISADDRESSED);
    assertThat(misaddressed.message()).contains("this is node 1, not node 42");

    FrameAnswer oversized = join(raw(ctx, vertx, plain, port, Buffer.buffer(new byte[OVERSIZED_FRAME])));
    assertThat(oversized.verdict()).isEqualTo(Verdict.TOO_LARGE);

    FrameAnswer empty = join(raw(ctx, vertx, plain, port, Buffer.buffer()));
    assertThat(empty.verdict()).isEqualTo(Verdict.MALFORMED);

    FrameAnswer valid = join(raw(ctx, vertx, plain, port, emptyBatch()));
    assertThat(valid.verdict()).isEqualTo(Verdict.ACCEPTED);

    NetworkTransportMetrics m = transport(c, 1).metrics();
    assertThat(m.rejectedMalformed()).isEqualTo(3);
    assertThat(m.rejectedMisaddressed()).isEqualTo(1);
    assertThat(m.rejectedTooLarge()).isEqualTo(1);
    commitsThroughEveryNode(c, "still");
  }

  @Test
  void aTlsClusterCommitsAndRefusesPlaintextAndUntrustingClients(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(false);
    NetworkRaftCluster c = threeNodes(vertx, id -> options().setTls(tls.get((int) id - 1)));
    commitsThroughEveryNode(c, "tls");
    int port = c.node(1).port;

    HttpClientOptions plaintext = new HttpClientOptions();
    assertThatThrownBy(() -> join(raw(ctx, vertx, plaintext, port, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    HttpClientOptions untrusting = new HttpClientOptions().setSsl(true).setTrustOptions(strangerCert.trustOptions());
    assertThatThrownBy(() -> join(raw(ctx, vertx, untrusting, port, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    // A client that trusts the node (one-way TLS needs no client certificate) is served.
    HttpClientOptions trusting = tls.get(1).applyTo(new HttpClientOptions());
    assertThat(join(raw(ctx, vertx, trusting, port, emptyBatch())).verdict()).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void aMutualTlsClusterCommitsAndRefusesClientsWithoutATrustedCertificate(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(true);
    NetworkRaftCluster c = threeNodes(vertx, id -> options().setTls(tls.get((int) id - 1)));
    commitsThroughEveryNode(c, "mtls");
    int port = c.node(1).port;
    TrustOptions nodeTrust = tls.get(1).applyTo(new HttpClientOptions()).getTrustOptions();

    // Trusts the node, but has no certificate of its own.
    HttpClientOptions anonymous = new HttpClientOptions().setSsl(true).setTrustOptions(nodeTrust);
    assertThatThrownBy(() -> join(raw(ctx, vertx, anonymous, port, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    // Trusts the node and presents a certificate the node does not trust.
    HttpClientOptions untrusted = new HttpClientOptions().setSsl(true).setTrustOptions(nodeTrust)
        .setKeyCertOptions(strangerCert.keyCertOptions());
    assertThatThrownBy(() -> join(raw(ctx, vertx, untrusted, port, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    // A fellow node's identity is accepted.
    HttpClientOptions member = tls.get(1).applyTo(new HttpClientOptions());
    assertThat(join(raw(ctx, vertx, member, port, emptyBatch())).verdict()).isEqualTo(Verdict.ACCEPTED);
    assertThat(transport(c, 1).metrics().rejectedFrames()).isZero();
  }

  @Test
  void optionsRoundTripThroughJsonAndCopy() {
    O o = fullySetOptions();
    JsonObject json = o.toJson();
    assertThat(json).isNotEqualTo(options().toJson());
    assertThat(fromJson.apply(json).toJson()).isEqualTo(json);
    assertThat(copy.apply(o).toJson()).isEqualTo(json);
    assertThat(fromJson.apply(new JsonObject()).toJson()).isEqualTo(options().toJson());
    assertThat(json.getJsonObject("tls").getJsonArray("trustedCaPaths").getList()).containsExactly("ca.pem");
    assertThatThrownBy(() -> options().setPort(70_000)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Incomplete TLS settings are refused when a transport is built from them, naming what is missing. */
  @Test
  void incompleteTlsSettingsAreRefusedWhenATransportIsBuilt(Vertx vertx) {
    O incomplete = options().setTls(new TransportTlsOptions().setEnabled(true));
    assertThatThrownBy(() -> newTransport(vertx, 1, new PeerAddresses(), incomplete))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate or key");
    assertThatThrownBy(() -> new TransportTlsOptions().setEnabled(true).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate or key");
  }

  /** The options every subclass's {@link #fullySetOptions()} starts from: TLS with every setting changed. */
  protected static TransportTlsOptions fullySetTls() {
    return new TransportTlsOptions().setEnabled(true).setCertPath("c.pem").setKeyPath("k.pem")
        .addTrustedCaPath("ca.pem").setMutual(true).setVerifyHostname(false);
  }
}
