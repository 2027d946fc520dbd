package io.raftoral.grpc.transport;

import static io.raftoral.testkit.NetworkRaftCluster.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.wire.WireCodec;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.NetworkTransportMetrics;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link GrpcTransport} under a real 3-node Raft group: every node its own Vert.x, its own server on an ephemeral
 * loopback port, in-memory stores. Covers commits through every node, a peer stopped and restarted (reconnect and
 * catch-up), refused frames (garbage, wrong schema, wrong recipient, oversized) while the node keeps serving, and
 * TLS / mutual TLS clusters that refuse clients without a trusted certificate.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcTransportTest {

  private static final long GROUP = 1;
  private static final long WAIT = 15_000;
  private static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();
  private static final String SEND = "raftoral.v1.RaftTransport/Send";

  /** Certificates for localhost: three nodes' and a stranger's. Generated once per class (RSA key generation is slow). */
  private static final List<SelfSignedCertificate> NODE_CERTS = new ArrayList<>();
  private static SelfSignedCertificate strangerCert;

  private NetworkRaftCluster cluster;

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
    strangerCert.delete();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static NetworkRaftCluster.NodeTransports grpc(GrpcTransportOptions base) {
    return (vertx, id, peers, port) -> {
      GrpcTransport t = new GrpcTransport(vertx, id, peers,
          new GrpcTransportOptions(base).setHost("127.0.0.1").setPort(port));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    };
  }

  private NetworkRaftCluster threeNodes(Vertx vertx, GrpcTransportOptions options) throws Exception {
    cluster = new NetworkRaftCluster(vertx, grpc(options), RaftPreset.TESTING.tickMillis());
    join(cluster.startNodes(1, 2, 3));
    join(cluster.startGroup(GROUP, OPTS, 1, 2, 3));
    join(cluster.awaitLeader(GROUP, WAIT));
    return cluster;
  }

  /** Proposes one put through every live node and waits until every live replica applied all of them. */
  private static void commitsThroughEveryNode(NetworkRaftCluster c, String prefix) throws Exception {
    for (long id : c.liveNodeIds()) {
      assertThat(join(Bridge.future(c.group(id, GROUP).propose(KvCommand.put(prefix + id, "v" + id)))).index()).isPositive();
    }
    join(c.await(() -> c.liveNodeIds().stream().allMatch(replica -> c.liveNodeIds().stream()
        .allMatch(id -> ("v" + id).equals(c.kv(replica, GROUP).get(prefix + id)))), WAIT,
        "every replica applying every node's proposal"));
  }

  private static GrpcTransport transport(NetworkRaftCluster c, long id) {
    return (GrpcTransport) c.node(id).transport;
  }

  @Test
  void threeNodesElectALeaderAndCommitThroughEveryNode(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, new GrpcTransportOptions());
    commitsThroughEveryNode(c, "k");
    for (long id = 1; id <= 3; id++) {
      NetworkTransportMetrics m = transport(c, id).metrics();
      assertThat(m.sentBatches()).isPositive();
      assertThat(m.receivedBatches()).isPositive();
      assertThat(m.rejectedFrames()).isZero();
    }
  }

  @Test
  void aStoppedPeerIsReconnectedToAndCatchesUp(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, new GrpcTransportOptions());
    commitsThroughEveryNode(c, "before");
    long leader = join(c.awaitLeader(GROUP, WAIT));
    long follower = leader == 3 ? 2 : 3;
    join(c.stop(follower));
    for (int i = 0; i < 30; i++) {
      // The two remaining nodes are a majority (a proposal on a follower is forwarded to the leader).
      join(Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("while-down-" + i, "x"))));
    }
    join(c.restart(follower));
    join(c.startGroupOn(follower, GROUP, OPTS));
    join(c.await(() -> IntStream.range(0, 30).allMatch(i -> "x".equals(c.kv(follower, GROUP).get("while-down-" + i))),
        WAIT, "the restarted node catching up"));
    commitsThroughEveryNode(c, "after");
    long reconnects = c.liveNodeIds().stream().filter(id -> id != follower)
        .mapToLong(id -> transport(c, id).metrics().reconnects()).sum();
    assertThat(reconnects).as("streams to the restarted node re-established").isPositive();
  }

  @Test
  void aPeerThatMovesToANewAddressIsFollowed(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, new GrpcTransportOptions());
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

  /**
   * A peer that accepts the stream but never reads it: HTTP/2 flow control fills the stream, the transport drops
   * (and counts) instead of queueing, send() never throws, and once the stream has been full for the stall timeout it
   * is replaced by a new one.
   */
  @Test
  void aPeerThatStopsReadingCausesCountedDropsNotUnboundedQueues(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    GrpcServer deaf = GrpcServer.server(vertx);
    java.util.concurrent.atomic.AtomicInteger streams = new java.util.concurrent.atomic.AtomicInteger();
    deaf.callHandler(GrpcTransport.SEND_SERVER, call -> {
      streams.incrementAndGet();
      call.pause(); // never reads: the sender's flow-control window and write queue fill up
    });
    HttpServer server = join(vertx.createHttpServer().requestHandler(deaf).listen(0, "127.0.0.1"));
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + server.actualPort());
    GrpcTransport sender = new GrpcTransport(vertx, 1, peers, new GrpcTransportOptions()
        .setStreamWriteQueueBytes(16 * 1024).setStallTimeoutMillis(300).setReconnectInitialDelayMillis(10));
    byte[] payload = new byte[8 * 1024];
    RaftBatch big = new RaftBatch(1, 2, List.of(new RaftEnvelope(GROUP, Message.builder(MessageType.APPEND, 1, 2)
        .term(1).entries(List.of(io.raftoral.raft.Entry.normal(1, 1, payload))).build())));
    long deadline = System.currentTimeMillis() + WAIT;
    // Keeps sending from the transport's side (one batch per millisecond) until the stalled stream was replaced.
    long timer = vertx.setPeriodic(1, id -> sender.send(big));
    try {
      join(NetworkRaftCluster.on(ctx, () -> {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setPeriodic(10, id -> {
          if (sender.metrics().droppedBackPressure() > 0 && streams.get() >= 2) {
            vertx.cancelTimer(id);
            p.tryComplete();
          } else if (System.currentTimeMillis() > deadline) {
            vertx.cancelTimer(id);
            p.tryFail(new AssertionError("no back-pressure drops or no new stream: " + sender.metrics()
                + ", streams " + streams.get()));
          }
        });
        return p.future();
      }));
    } finally {
      vertx.cancelTimer(timer);
    }
    NetworkTransportMetrics m = sender.metrics();
    assertThat(m.droppedBackPressure()).isPositive();
    join(sender.close());
    join(server.close());
  }

  /** Unknown peers, unreachable peers and oversized batches: send() returns normally and each drop is counted. */
  @Test
  void sendNeverThrowsAndCountsEveryDropByReason(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    HttpServer closed = join(vertx.createHttpServer().requestHandler(req -> { }).listen(0, "127.0.0.1"));
    int deadPort = closed.actualPort();
    join(closed.close());
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + deadPort).put(3, "localhost:" + deadPort);
    GrpcTransport sender = new GrpcTransport(vertx, 1, peers, new GrpcTransportOptions().setMaxFrameBytes(1024));
    RaftBatch small = new RaftBatch(1, 2, List.of(new RaftEnvelope(GROUP, Message.builder(MessageType.HEARTBEAT, 1, 2)
        .term(1).build())));
    RaftBatch large = new RaftBatch(1, 3, List.of(new RaftEnvelope(GROUP, Message.builder(MessageType.APPEND, 1, 3)
        .term(1).entries(List.of(io.raftoral.raft.Entry.normal(1, 1, new byte[2048]))).build())));
    sender.send(new RaftBatch(1, 9, List.of()));
    sender.send(large);
    sender.send(null);
    long deadline = System.currentTimeMillis() + WAIT;
    long timer = vertx.setPeriodic(5, id -> sender.send(small));
    try {
      join(NetworkRaftCluster.on(ctx, () -> {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setPeriodic(10, id -> {
          if (sender.metrics().droppedUnreachable() > 1) {
            vertx.cancelTimer(id);
            p.tryComplete();
          } else if (System.currentTimeMillis() > deadline) {
            vertx.cancelTimer(id);
            p.tryFail(new AssertionError("no unreachable drops: " + sender.metrics()));
          }
        });
        return p.future();
      }));
    } finally {
      vertx.cancelTimer(timer);
    }
    NetworkTransportMetrics m = sender.metrics();
    assertThat(m.droppedNoAddress()).isEqualTo(1);
    assertThat(m.droppedTooLarge()).isEqualTo(1);
    assertThat(m.sentBatches()).isZero();
    join(sender.close());
    sender.send(small); // after close: ignored
  }

  /** The outcome of one raw call: its gRPC status and message. */
  private record Outcome(GrpcStatus status, String message) {}

  /** One raw call made from {@code context} (see {@link NetworkRaftCluster#on}). */
  private static Future<Outcome> rawCall(Context context, GrpcClient raw, SocketAddress address, Buffer frame) {
    return NetworkRaftCluster.on(context, () -> rawCall(raw, address, frame));
  }

  private static Future<Outcome> rawCall(GrpcClient raw, SocketAddress address, Buffer frame) {
    return raw.request(address).compose(req -> {
      req.fullMethodName(SEND);
      return req.send(frame);
    }).compose(resp -> resp.end().transform(ar -> Future.succeededFuture(new Outcome(resp.status(),
        resp.statusMessage()))));
  }

  private static GrpcClient plainClient(Vertx vertx) {
    return GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @Test
  void badFramesAreRefusedWithAClearStatusAndTheNodeKeepsServing(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    NetworkRaftCluster c = threeNodes(vertx, new GrpcTransportOptions().setMaxFrameBytes(64 * 1024));
    SocketAddress node1 = SocketAddress.inetSocketAddress(c.node(1).port, "localhost");
    GrpcClient raw = plainClient(vertx);

    Outcome garbage = join(rawCall(ctx, raw, node1, Buffer.buffer("this is not protobuf \u0000\u00ff\u00fe")));
    assertThat(garbage.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(garbage.message()).contains("malformed raftoral.v1.RaftBatch");

    Buffer futureSchema = Buffer.buffer(WireCodec.toProto(new RaftBatch(2, 1, List.of())).toBuilder()
        .setSchemaVersion(9).build().toByteArray());
    Outcome version = join(rawCall(ctx, raw, node1, futureSchema));
    assertThat(version.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(version.message()).contains("unsupported schema version 9");

    Buffer forNode42 = Buffer.buffer(WireCodec.encode(new RaftBatch(2, 42, List.of(new RaftEnvelope(GROUP,
        Message.builder(MessageType.HEARTBEAT, 2, 42).term(1).build())))));
    Outcome misaddressed = join(rawCall(ctx, raw, node1, forNode42));
    assertThat(misaddressed.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    assertThat(misaddressed.message()).contains("this is node 1, not node 42");

    Outcome oversized = join(rawCall(ctx, raw, node1, Buffer.buffer(new byte[100 * 1024])));
    assertThat(oversized.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);

    Outcome empty = join(rawCall(ctx, raw, node1, Buffer.buffer()));
    assertThat(empty.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);

    NetworkTransportMetrics m = transport(c, 1).metrics();
    assertThat(m.rejectedMalformed()).isEqualTo(3);
    assertThat(m.rejectedMisaddressed()).isEqualTo(1);
    assertThat(m.rejectedTooLarge()).isEqualTo(1);
    commitsThroughEveryNode(c, "still");
    join(raw.close());
  }


    private List<TransportTlsOptions> nodeTls(boolean mutual) {
    List<SelfSignedCertificate> certs = NODE_CERTS;
    List<TransportTlsOptions> tls = new ArrayList<>();
    for (SelfSignedCertificate own : certs) {
      TransportTlsOptions t = new TransportTlsOptions().setEnabled(true).setMutual(mutual)
          .setCertPath(own.certificatePath()).setKeyPath(own.privateKeyPath());
      certs.forEach(peer -> t.addTrustedCaPath(peer.certificatePath()));
      tls.add(t);
    }
    return tls;
  }

  private NetworkRaftCluster tlsCluster(Vertx vertx, List<TransportTlsOptions> tls) throws Exception {
    cluster = new NetworkRaftCluster(vertx, (vx, id, peers, port) -> {
      GrpcTransport t = new GrpcTransport(vx, id, peers, new GrpcTransportOptions().setHost("127.0.0.1").setPort(port)
          .setTls(tls.get((int) id - 1)));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    }, RaftPreset.TESTING.tickMillis());
    join(cluster.startNodes(1, 2, 3));
    join(cluster.startGroup(GROUP, OPTS, 1, 2, 3));
    join(cluster.awaitLeader(GROUP, WAIT));
    return cluster;
  }

  private static Buffer heartbeatFrame() {
    return Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of())));
  }

  @Test
  void aTlsClusterCommitsAndRefusesPlaintextAndUntrustingClients(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(false);
    NetworkRaftCluster c = tlsCluster(vertx, tls);
    commitsThroughEveryNode(c, "tls");
    SocketAddress node1 = SocketAddress.inetSocketAddress(c.node(1).port, "localhost");

    GrpcClient plaintext = plainClient(vertx);
    assertThatThrownBy(() -> join(rawCall(ctx, plaintext, node1, heartbeatFrame()))).isInstanceOf(ExecutionException.class);
    GrpcClient untrusting = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustOptions(strangerCert.trustOptions()));
    assertThatThrownBy(() -> join(rawCall(ctx, untrusting, node1, heartbeatFrame()))).isInstanceOf(ExecutionException.class);
    // A client that trusts the node (one-way TLS needs no client certificate) is served.
    GrpcClient trusting = GrpcClient.client(vertx, tls.get(1).applyTo(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)));
    assertThat(join(rawCall(ctx, trusting, node1, heartbeatFrame())).status()).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void aMutualTlsClusterCommitsAndRefusesClientsWithoutATrustedCertificate(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(true);
    NetworkRaftCluster c = tlsCluster(vertx, tls);
    commitsThroughEveryNode(c, "mtls");
    SocketAddress node1 = SocketAddress.inetSocketAddress(c.node(1).port, "localhost");

    // Trusts the node, but has no certificate of its own.
    GrpcClient anonymous = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustOptions(tls.get(1).applyTo(new HttpClientOptions()).getTrustOptions()));
    assertThatThrownBy(() -> join(rawCall(ctx, anonymous, node1, heartbeatFrame()))).isInstanceOf(ExecutionException.class);
    // Trusts the node and presents a certificate the node does not trust.
        GrpcClient untrusted = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustOptions(tls.get(1).applyTo(new HttpClientOptions()).getTrustOptions())
        .setKeyCertOptions(strangerCert.keyCertOptions()));
    assertThatThrownBy(() -> join(rawCall(ctx, untrusted, node1, heartbeatFrame()))).isInstanceOf(ExecutionException.class);
    // A fellow node's identity is accepted.
    GrpcClient member = GrpcClient.client(vertx, tls.get(1).applyTo(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)));
    assertThat(join(rawCall(ctx, member, node1, heartbeatFrame())).status()).isEqualTo(GrpcStatus.OK);
    assertThat(transport(c, 1).metrics().rejectedFrames()).isZero();
  }

  @Test
  void optionsRoundTripThroughJson() {
    GrpcTransportOptions o = new GrpcTransportOptions().setHost("10.0.0.1").setPort(7100).setMaxFrameBytes(2048)
        .setStreamWriteQueueBytes(4096).setMaxBatchesWhileConnecting(3).setConnectTimeoutMillis(500)
        .setReconnectInitialDelayMillis(10).setReconnectMaxDelayMillis(900).setStallTimeoutMillis(700)
        .setTls(new TransportTlsOptions().setEnabled(true).setCertPath("c.pem").setKeyPath("k.pem")
            .addTrustedCaPath("ca.pem").setMutual(true).setVerifyHostname(false));
    JsonObject json = o.toJson();
    assertThat(new GrpcTransportOptions(json).toJson()).isEqualTo(json);
    assertThat(new GrpcTransportOptions(new JsonObject()).toJson()).isEqualTo(new GrpcTransportOptions().toJson());
    assertThat(json.getJsonObject("tls").getJsonArray("trustedCaPaths").getList()).containsExactly("ca.pem");
    assertThatThrownBy(() -> new GrpcTransportOptions().setPort(70_000)).isInstanceOf(IllegalArgumentException.class);
    // Incomplete TLS settings are refused when a transport is built from them, naming what is missing.
    GrpcTransportOptions incomplete = new GrpcTransportOptions().setTls(new TransportTlsOptions().setEnabled(true));
    Vertx vertx = Vertx.vertx();
    try {
      assertThatThrownBy(() -> new GrpcTransport(vertx, 1, new PeerAddresses(), incomplete))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate or key");
    } finally {
      vertx.close();
    }
    assertThatThrownBy(() -> new TransportTlsOptions().setEnabled(true).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate or key");
  }
}
