package io.raftoral.http.transport;

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
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.Router;
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
 * {@link HttpTransport} under a real 3-node Raft group: every node its own Vert.x, its own HTTP server on an
 * ephemeral loopback port, in-memory stores. Covers commits through every node, a peer stopped and restarted
 * (reconnect and catch-up), refused requests (garbage, wrong schema, wrong recipient, oversized, wrong media type)
 * while the node keeps serving, sharing one server with other routes, and TLS / mutual TLS clusters that refuse
 * clients without a trusted certificate.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpTransportTest {

  private static final long GROUP = 1;
  private static final long WAIT = 15_000;
  private static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();
  private static final String PATH = HttpTransportOptions.DEFAULT_PATH;

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

  private static NetworkRaftCluster.NodeTransports http(java.util.function.LongFunction<HttpTransportOptions> base) {
    return (vertx, id, peers, port) -> {
      HttpTransport t = new HttpTransport(vertx, id, peers, base.apply(id).setHost("127.0.0.1").setPort(port));
      return t.listen().map(x -> new NetworkRaftCluster.Bound(t, t.actualPort()));
    };
  }

  private NetworkRaftCluster threeNodes(Vertx vertx, java.util.function.LongFunction<HttpTransportOptions> options)
      throws Exception {
    cluster = new NetworkRaftCluster(vertx, http(options), RaftPreset.TESTING.tickMillis());
    join(cluster.startNodes(1, 2, 3));
    join(cluster.startGroup(GROUP, OPTS, 1, 2, 3));
    join(cluster.awaitLeader(GROUP, WAIT));
    return cluster;
  }

  private static void commitsThroughEveryNode(NetworkRaftCluster c, String prefix) throws Exception {
    for (long id : c.liveNodeIds()) {
      assertThat(join(Bridge.future(c.group(id, GROUP).propose(KvCommand.put(prefix + id, "v" + id)))).index()).isPositive();
    }
    join(c.await(() -> c.liveNodeIds().stream().allMatch(replica -> c.liveNodeIds().stream()
        .allMatch(id -> ("v" + id).equals(c.kv(replica, GROUP).get(prefix + id)))), WAIT,
        "every replica applying every node's proposal"));
  }

  private static HttpTransport transport(NetworkRaftCluster c, long id) {
    return (HttpTransport) c.node(id).transport;
  }

  @Test
  void threeNodesElectALeaderAndCommitThroughEveryNode(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions());
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
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions());
    commitsThroughEveryNode(c, "before");
    long leader = join(c.awaitLeader(GROUP, WAIT));
    long follower = leader == 3 ? 2 : 3;
    join(c.stop(follower));
    for (int i = 0; i < 30; i++) {
      join(Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("while-down-" + i, "x"))));
    }
    join(c.await(() -> transport(c, leader).metrics().droppedUnreachable() > 0, WAIT,
        "the leader noticing the stopped node"));
    join(c.restart(follower));
    join(c.startGroupOn(follower, GROUP, OPTS));
    join(c.await(() -> IntStream.range(0, 30).allMatch(i -> "x".equals(c.kv(follower, GROUP).get("while-down-" + i))),
        WAIT, "the restarted node catching up"));
    commitsThroughEveryNode(c, "after");
    assertThat(transport(c, leader).metrics().reconnects()).as("the leader reaching the restarted node again")
        .isPositive();
  }

  @Test
  void aPeerThatMovesToANewAddressIsFollowed(Vertx vertx) throws Exception {
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions());
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
   * A peer that accepts requests but never answers: at most maxInFlightPerPeer requests wait, further batches are
   * dropped and counted, send() never throws, and once the requests time out the peer counts as unreachable.
   */
  @Test
  void aPeerThatNeverAnswersCausesCountedDropsNotUnboundedQueues(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Router silent = Router.router(vertx);
    java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    silent.post(PATH).handler(rc -> requests.incrementAndGet()); // never responds
    HttpServer server = join(vertx.createHttpServer().requestHandler(silent).listen(0, "127.0.0.1"));
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + server.actualPort());
    HttpTransport sender = new HttpTransport(vertx, 1, peers, new HttpTransportOptions().setMaxInFlightPerPeer(4)
        .setRequestTimeoutMillis(300));
    RaftBatch batch = new RaftBatch(1, 2, List.of(new RaftEnvelope(GROUP,
        Message.builder(MessageType.HEARTBEAT, 1, 2).term(1).build())));
    long deadline = System.currentTimeMillis() + WAIT;
    long timer = vertx.setPeriodic(1, id -> sender.send(batch));
    try {
      join(NetworkRaftCluster.on(ctx, () -> {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setPeriodic(10, id -> {
          NetworkTransportMetrics m = sender.metrics();
          if (m.droppedBackPressure() > 0 && m.droppedUnreachable() > 0) {
            vertx.cancelTimer(id);
            p.tryComplete();
          } else if (System.currentTimeMillis() > deadline) {
            vertx.cancelTimer(id);
            p.tryFail(new AssertionError("expected back-pressure then unreachable drops: " + m));
          }
        });
        return p.future();
      }));
    } finally {
      vertx.cancelTimer(timer);
    }
    assertThat(requests.get()).as("requests that reached the silent peer").isPositive();
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
    HttpTransport sender = new HttpTransport(vertx, 1, peers, new HttpTransportOptions().setMaxBodyBytes(1024));
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

  private record Answer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** POSTs {@code body} to node's Raft endpoint from {@code context} (see {@link NetworkRaftCluster#on}). */
  private static Future<Answer> post(Context context, HttpClient client, int port, String contentType, Buffer body) {
    return NetworkRaftCluster.on(context, () -> post(client, port, contentType, body));
  }

  private static Future<Answer> post(HttpClient client, int port, String contentType, Buffer body) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
        .setURI(PATH).setTimeout(5_000);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return client.request(request).compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("Content-Type"),
            b.toString())));
  }

  @Test
  void badRequestsGetAClearErrorAndTheNodeKeepsServing(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions().setMaxBodyBytes(64 * 1024));
    int port = c.node(1).port;
    HttpClient raw = vertx.createHttpClient();
    String protobuf = HttpTransport.CONTENT_TYPE;

    Answer garbage = join(post(ctx, raw, port, protobuf, Buffer.buffer("this is not protobuf \u0000\u00ff")));
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(garbage.contentType()).isEqualTo("application/json");
    assertThat(garbage.json().getString("error")).isEqualTo("malformed_frame");
    assertThat(garbage.json().getString("message")).contains("malformed raftoral.v1.RaftBatch");

    Buffer futureSchema = Buffer.buffer(WireCodec.toProto(new RaftBatch(2, 1, List.of())).toBuilder()
        .setSchemaVersion(9).build().toByteArray());
    Answer version = join(post(ctx, raw, port, protobuf, futureSchema));
    assertThat(version.status()).isEqualTo(400);
    assertThat(version.json().getString("message")).contains("unsupported schema version 9");

    Buffer forNode42 = Buffer.buffer(WireCodec.encode(new RaftBatch(2, 42, List.of(new RaftEnvelope(GROUP,
        Message.builder(MessageType.HEARTBEAT, 2, 42).term(1).build())))));
    Answer misaddressed = join(post(ctx, raw, port, protobuf, forNode42));
    assertThat(misaddressed.status()).isEqualTo(421);
    assertThat(misaddressed.json().getString("error")).isEqualTo("misdirected");
    assertThat(misaddressed.json().getString("message")).contains("this is node 1, not node 42");

    Answer oversized = join(post(ctx, raw, port, protobuf, Buffer.buffer(new byte[100 * 1024])));
    assertThat(oversized.status()).isEqualTo(413);
    assertThat(oversized.json().getString("error")).isEqualTo("frame_too_large");

    Answer json = join(post(ctx, raw, port, "application/json", Buffer.buffer("{}")));
    assertThat(json.status()).isEqualTo(415);
    assertThat(json.json().getString("error")).isEqualTo("unsupported_media_type");

    Answer get = join(NetworkRaftCluster.on(ctx, () -> raw.request(new RequestOptions().setMethod(HttpMethod.GET)
        .setHost("localhost").setPort(port).setURI(PATH).setTimeout(5_000)).compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("Content-Type"),
            b.toString())))));
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.json().getString("error")).isEqualTo("method_not_allowed");

    Answer empty = join(post(ctx, raw, port, protobuf, Buffer.buffer()));
    assertThat(empty.status()).isEqualTo(400);

    Answer valid = join(post(ctx, raw, port, protobuf, Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of())))));
    assertThat(valid.status()).isEqualTo(204);

    NetworkTransportMetrics m = transport(c, 1).metrics();
    assertThat(m.rejectedMalformed()).isEqualTo(4);
    assertThat(m.rejectedMisaddressed()).isEqualTo(1);
    assertThat(m.rejectedTooLarge()).isEqualTo(1);
    commitsThroughEveryNode(c, "still");
    join(raw.close());
  }

  @Test
  void theRaftEndpointSharesOneServerWithOtherRoutes(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Router router = Router.router(vertx);
    router.get("/health").handler(rc -> rc.json(new JsonObject().put("status", "UP")));
    HttpTransport transport = new HttpTransport(vertx, 1, new PeerAddresses(), new HttpTransportOptions()).mount(router);
    List<RaftBatch> received = new ArrayList<>();
    transport.receiveHandler(received::add);
    HttpServer server = join(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    HttpClient raw = vertx.createHttpClient();
    try {
      Answer health = join(NetworkRaftCluster.on(ctx, () -> raw.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
              .setPort(server.actualPort()).setURI("/health").setTimeout(5_000))
          .compose(req -> req.send()).compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), null,
              b.toString())))));
      assertThat(health.json().getString("status")).isEqualTo("UP");
      Answer raft = join(post(ctx, raw, server.actualPort(), HttpTransport.CONTENT_TYPE,
          Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of())))));
      assertThat(raft.status()).isEqualTo(204);
      assertThat(received).hasSize(1);
      assertThat(transport.router()).isNull();
    } finally {
      join(raw.close());
      join(transport.close());
      join(server.close());
    }
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

  private static Buffer emptyBatch() {
    return Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of())));
  }

  @Test
  void aTlsClusterCommitsAndRefusesPlaintextAndUntrustingClients(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(false);
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions().setTls(tls.get((int) id - 1)));
    commitsThroughEveryNode(c, "tls");
    int port = c.node(1).port;

    HttpClient plaintext = vertx.createHttpClient();
    assertThatThrownBy(() -> join(post(ctx, plaintext, port, HttpTransport.CONTENT_TYPE, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    HttpClient untrusting = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(strangerCert.trustOptions()));
    assertThatThrownBy(() -> join(post(ctx, untrusting, port, HttpTransport.CONTENT_TYPE, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    HttpClient trusting = vertx.createHttpClient(tls.get(1).applyTo(new HttpClientOptions()));
    assertThat(join(post(ctx, trusting, port, HttpTransport.CONTENT_TYPE, emptyBatch())).status()).isEqualTo(204);
  }

  @Test
  void aMutualTlsClusterCommitsAndRefusesClientsWithoutATrustedCertificate(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<TransportTlsOptions> tls = nodeTls(true);
    NetworkRaftCluster c = threeNodes(vertx, id -> new HttpTransportOptions().setTls(tls.get((int) id - 1)));
    commitsThroughEveryNode(c, "mtls");
    int port = c.node(1).port;
    var nodeTrust = tls.get(1).applyTo(new HttpClientOptions()).getTrustOptions();

    HttpClient anonymous = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(nodeTrust));
    assertThatThrownBy(() -> join(post(ctx, anonymous, port, HttpTransport.CONTENT_TYPE, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    HttpClient untrusted = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(nodeTrust)
        .setKeyCertOptions(strangerCert.keyCertOptions()));
    assertThatThrownBy(() -> join(post(ctx, untrusted, port, HttpTransport.CONTENT_TYPE, emptyBatch())))
        .isInstanceOf(ExecutionException.class);
    HttpClient member = vertx.createHttpClient(tls.get(1).applyTo(new HttpClientOptions()));
    assertThat(join(post(ctx, member, port, HttpTransport.CONTENT_TYPE, emptyBatch())).status()).isEqualTo(204);
    assertThat(transport(c, 1).metrics().rejectedFrames()).isZero();
  }

  @Test
  void optionsRoundTripThroughJson() {
    HttpTransportOptions o = new HttpTransportOptions().setHost("10.0.0.1").setPort(7100).setPath("/raft/v9")
        .setMaxBodyBytes(2048).setMaxInFlightPerPeer(3).setConnectionsPerPeer(2).setPipelining(false)
        .setConnectTimeoutMillis(500).setRequestTimeoutMillis(600).setReconnectInitialDelayMillis(10)
        .setReconnectMaxDelayMillis(900)
        .setTls(new TransportTlsOptions().setEnabled(true).setCertPath("c.pem").setKeyPath("k.pem")
            .addTrustedCaPath("ca.pem").setMutual(true));
    JsonObject json = o.toJson();
    assertThat(new HttpTransportOptions(json).toJson()).isEqualTo(json);
    assertThat(new HttpTransportOptions(new JsonObject()).toJson()).isEqualTo(new HttpTransportOptions().toJson());
    assertThatThrownBy(() -> new HttpTransportOptions().setPath("raft")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpTransportOptions().setMaxInFlightPerPeer(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
