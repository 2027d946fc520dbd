package io.raftoral.grpc.transport;

import static io.raftoral.testkit.NetworkRaftCluster.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.transport.NetworkTransportMetrics;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.contract.NetworkTransportContractTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link GrpcTransport} against the network transport contract ({@link NetworkTransportContractTest}: a real 3-node
 * Raft group, reconnects, moved peers, refused frames, counted drops, TLS and mutual TLS), its refusals as gRPC
 * statuses, and what only a stream has: a peer that stops reading.
 */
class GrpcTransportTest extends NetworkTransportContractTest<GrpcTransportOptions> {

  private static final String SEND = "raftoral.v1.RaftTransport/Send";
  /** How the transport's refusals map to the contract's verdicts. */
  private static final Map<GrpcStatus, Verdict> VERDICTS = Map.of(
      GrpcStatus.OK, Verdict.ACCEPTED,
      GrpcStatus.INVALID_ARGUMENT, Verdict.MALFORMED,
      GrpcStatus.FAILED_PRECONDITION, Verdict.MISADDRESSED,
      GrpcStatus.RESOURCE_EXHAUSTED, Verdict.TOO_LARGE);

  GrpcTransportTest() {
    super(GrpcTransportOptions::new, GrpcTransportOptions::new, GrpcTransportOptions::new, GrpcTransportOptions::setMaxFrameBytes,
        GrpcTransport::new);
  }

  /** One {@code Send} call carrying {@code frame} as its only message; the answer is the call's status. */
  @Override
  protected Future<FrameAnswer> sendRaw(Vertx vertx, HttpClientOptions client, int port, Buffer frame) {
    // gRPC is HTTP/2: spoken directly without TLS, negotiated by ALPN with it.
    GrpcClient raw = GrpcClient.client(vertx, client.setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setUseAlpn(client.isSsl()));
    return raw.request(SocketAddress.inetSocketAddress(port, "localhost")).compose(req -> {
      req.fullMethodName(SEND);
      return req.send(frame);
    }).compose(resp -> resp.end().transform(ar -> Future.succeededFuture(
        new FrameAnswer(VERDICTS.getOrDefault(resp.status(), Verdict.OTHER), resp.statusMessage()))))
        .eventually(raw::close);
  }

  @Override
  protected GrpcTransportOptions fullySetOptions() {
    return new GrpcTransportOptions().setHost("10.0.0.1").setPort(7100).setMaxFrameBytes(2048)
        .setStreamWriteQueueBytes(4096).setMaxBatchesWhileConnecting(3).setConnectTimeoutMillis(500)
        .setReconnectInitialDelayMillis(10).setReconnectMaxDelayMillis(900).setStallTimeoutMillis(700)
        .setTls(fullySetTls());
  }

  /**
   * A peer that accepts the stream but never reads it: HTTP/2 flow control fills the stream, the transport drops
   * (and counts) instead of queueing, send() never throws, and once the stream has been full for the stall timeout it
   * is replaced by a new one.
   */
  @Test
  void aPeerThatStopsReadingCausesCountedDropsNotUnboundedQueues(Vertx vertx) throws Exception {
    GrpcServer deaf = GrpcServer.server(vertx);
    AtomicInteger streams = new AtomicInteger();
    deaf.callHandler(GrpcTransport.SEND_SERVER, call -> {
      streams.incrementAndGet();
      call.pause(); // never reads: the sender's flow-control window and write queue fill up
    });
    HttpServer server = join(vertx.createHttpServer().requestHandler(deaf).listen(0, "127.0.0.1"));
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + server.actualPort());
    GrpcTransport sender = new GrpcTransport(vertx, 1, peers, new GrpcTransportOptions()
        .setStreamWriteQueueBytes(16 * 1024).setStallTimeoutMillis(300).setReconnectInitialDelayMillis(10));
    RaftBatch big = append(1, 2, 8 * 1024);
    // Keeps sending (one batch per millisecond) until the stalled stream was replaced.
    sendUntil(vertx, sender, big, 1, () -> sender.metrics().droppedBackPressure() > 0 && streams.get() >= 2,
        () -> "no back-pressure drops or no new stream: " + sender.metrics() + ", streams " + streams.get());
    NetworkTransportMetrics m = sender.metrics();
    assertThat(m.droppedBackPressure()).isPositive();
    join(sender.close());
    join(server.close());
  }
}
