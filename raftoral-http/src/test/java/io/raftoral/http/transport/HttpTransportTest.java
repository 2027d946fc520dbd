package io.raftoral.http.transport;

import static io.raftoral.testkit.NetworkRaftCluster.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.NetworkTransportMetrics;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.contract.NetworkTransportContractTest;
import io.raftoral.wire.WireCodec;
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
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTransport} against the network transport contract ({@link NetworkTransportContractTest}: a real 3-node
 * Raft group, reconnects, moved peers, refused frames, counted drops, TLS and mutual TLS), its refusals as HTTP
 * statuses with a JSON error, and what only HTTP has: a peer that never answers, media types and methods, and one
 * server shared with other routes.
 */
class HttpTransportTest extends NetworkTransportContractTest<HttpTransportOptions> {

  private static final String PATH = HttpTransportOptions.DEFAULT_PATH;
  private static final long REQUEST_TIMEOUT_MILLIS = 5_000;
  private static final String JSON = "application/json";
  /** The status and JSON error code of each refusal, by the contract's verdict. */
  private static final Map<Integer, String> ERRORS = Map.of(400, "malformed_frame", 421, "misdirected",
      413, "frame_too_large");
  private static final Map<Integer, Verdict> VERDICTS = Map.of(204, Verdict.ACCEPTED, 400, Verdict.MALFORMED,
      421, Verdict.MISADDRESSED, 413, Verdict.TOO_LARGE);

  HttpTransportTest() {
    super(HttpTransportOptions::new, HttpTransportOptions::new, HttpTransportOptions::new, HttpTransportOptions::setMaxBodyBytes,
        HttpTransport::new);
  }

  /** What the node answered to one request. */
  private record Answer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    /** A refusal counts only with its JSON error code; its message is the JSON's. */
    FrameAnswer asFrameAnswer() {
      if (status == 204) {
        return new FrameAnswer(Verdict.ACCEPTED, body);
      }
      boolean clearError = JSON.equals(contentType) && json().getString("error").equals(ERRORS.get(status));
      return new FrameAnswer(clearError ? VERDICTS.get(status) : Verdict.OTHER, json().getString("message"));
    }
  }

  /** One {@code POST} of {@code frame} as {@code application/x-protobuf} to the Raft endpoint. */
  @Override
  protected Future<FrameAnswer> sendRaw(Vertx vertx, HttpClientOptions client, int port, Buffer frame) {
    HttpClient raw = vertx.createHttpClient(client);
    return post(raw, port, HttpTransport.CONTENT_TYPE, frame).map(Answer::asFrameAnswer).eventually(raw::close);
  }

  private static Future<Answer> post(HttpClient client, int port, String contentType, Buffer body) {
    return request(client, new RequestOptions().setMethod(HttpMethod.POST).setURI(PATH).setPort(port)
        .putHeader("Content-Type", contentType), body);
  }

  private static Future<Answer> request(HttpClient client, RequestOptions request, Buffer body) {
    return client.request(request.setHost("localhost").setTimeout(REQUEST_TIMEOUT_MILLIS))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("Content-Type"),
            b.toString())));
  }

  @Override
  protected HttpTransportOptions fullySetOptions() {
    return new HttpTransportOptions().setHost("10.0.0.1").setPort(7100).setPath("/raft/v9")
        .setMaxBodyBytes(2048).setMaxInFlightPerPeer(3).setConnectionsPerPeer(2).setPipelining(false)
        .setConnectTimeoutMillis(500).setRequestTimeoutMillis(600).setReconnectInitialDelayMillis(10)
        .setReconnectMaxDelayMillis(900).setTls(fullySetTls());
  }

  /**
   * A peer that accepts requests but never answers: at most maxInFlightPerPeer requests wait, further batches are
   * dropped and counted, send() never throws, and once the requests time out the peer counts as unreachable.
   */
  @Test
  void aPeerThatNeverAnswersCausesCountedDropsNotUnboundedQueues(Vertx vertx) throws Exception {
    Router silent = Router.router(vertx);
    AtomicInteger requests = new AtomicInteger();
    silent.post(PATH).handler(rc -> requests.incrementAndGet()); // never responds
    HttpServer server = join(vertx.createHttpServer().requestHandler(silent).listen(0, "127.0.0.1"));
    PeerAddresses peers = new PeerAddresses().put(2, "localhost:" + server.actualPort());
    HttpTransport sender = new HttpTransport(vertx, 1, peers, new HttpTransportOptions().setMaxInFlightPerPeer(4)
        .setRequestTimeoutMillis(300));
    sendUntil(vertx, sender, heartbeat(1, 2), 1, () -> {
      NetworkTransportMetrics m = sender.metrics();
      return m.droppedBackPressure() > 0 && m.droppedUnreachable() > 0;
    }, () -> "expected back-pressure then unreachable drops: " + sender.metrics());
    assertThat(requests.get()).as("requests that reached the silent peer").isPositive();
    join(sender.close());
    join(server.close());
  }

  /** Beside the contract's refusals: another media type (415, counted as malformed) or method (405), as JSON. */
  @Test
  void otherMediaTypesAndMethodsGetAClearJsonError(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    HttpTransport transport = join(new HttpTransport(vertx, 1, new PeerAddresses(), new HttpTransportOptions()
        .setHost("127.0.0.1").setPort(0)).listen());
    int port = transport.actualPort();
    HttpClient raw = vertx.createHttpClient();
    try {
      Answer json = join(NetworkRaftCluster.on(ctx, () -> post(raw, port, JSON, Buffer.buffer("{}"))));
      assertThat(json.status()).isEqualTo(415);
      assertThat(json.contentType()).isEqualTo(JSON);
      assertThat(json.json().getString("error")).isEqualTo("unsupported_media_type");

      Answer get = join(NetworkRaftCluster.on(ctx, () -> request(raw, new RequestOptions().setMethod(HttpMethod.GET)
          .setPort(port).setURI(PATH), Buffer.buffer())));
      assertThat(get.status()).isEqualTo(405);
      assertThat(get.json().getString("error")).isEqualTo("method_not_allowed");
      assertThat(transport.metrics().rejectedMalformed()).isEqualTo(1);
    } finally {
      join(raw.close());
      join(transport.close());
    }
  }

  @Test
  void theRaftEndpointSharesOneServerWithOtherRoutes(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Router router = Router.router(vertx);
    router.get("/health").handler(rc -> rc.json(new JsonObject().put("status", "UP")));
    HttpTransport transport = new HttpTransport(vertx, 1, new PeerAddresses(), new HttpTransportOptions())
        .mount(router);
    List<RaftBatch> received = new ArrayList<>();
    transport.receiveHandler(received::add);
    HttpServer server = join(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    HttpClient raw = vertx.createHttpClient();
    try {
      Answer health = join(NetworkRaftCluster.on(ctx, () -> request(raw, new RequestOptions()
          .setMethod(HttpMethod.GET).setPort(server.actualPort()).setURI("/health"), Buffer.buffer())));
      assertThat(health.json().getString("status")).isEqualTo("UP");
      Answer raft = join(NetworkRaftCluster.on(ctx, () -> post(raw, server.actualPort(), HttpTransport.CONTENT_TYPE,
          Buffer.buffer(WireCodec.encode(new RaftBatch(2, 1, List.of()))))));
      assertThat(raft.status()).isEqualTo(204);
      assertThat(received).hasSize(1);
      assertThat(transport.router()).isNull();
    } finally {
      join(raw.close());
      join(transport.close());
      join(server.close());
    }
  }

  @Test
  void optionsRefuseAPathThatIsNotPlainAndAnEmptyInFlightWindow() {
    assertThatThrownBy(() -> new HttpTransportOptions().setPath("raft")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpTransportOptions().setMaxInFlightPerPeer(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
