package io.raftoral.http.transport;

import io.raftoral.transport.NetworkTransport;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.PeerBackoff;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.SnapshotChunker;
import io.raftoral.transport.TransportCounters.DropReason;
import io.raftoral.wire.MalformedFrameException;
import io.raftoral.wire.WireCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The node-to-node Raft transport over plain HTTP: every batch is one {@code POST} of a {@code raftoral.v1.RaftBatch}
 * protobuf ({@link WireCodec}, the same schema as the gRPC transport) with {@code Content-Type:
 * application/x-protobuf} to the peer's Raft endpoint ({@link HttpTransportOptions#getPath()}, by default
 * {@code /raft/v1/batch}).
 *
 * <p><b>Endpoint.</b> {@code 204} when the batch was accepted; otherwise a JSON body {@code {"error", "message"}}
 * with {@code 400} (undecodable or invalid frame), {@code 413} (body over
 * {@link HttpTransportOptions#getMaxBodyBytes()}),
 * {@code 415} (not {@code application/x-protobuf}), {@code 421} (addressed to another node: a stale address) or
 * {@code 503} (shutting down). Every refusal is counted and the server keeps serving.
 *
 * <p><b>One server for everything.</b> {@link #mount(Router)} adds only the Raft route to a router the application
 * serves anyway (the REST API and the console share the node's one HTTP server on {@code --listen}); or
 * {@link #listen()} starts a server of its own and exposes its {@link #router()} for more routes.
 *
 * <p><b>Snapshots.</b> {@link #mount(Router)} also serves {@code GET /raft/v1/snapshot/{clusterId}/{snapshotId}}
 * with {@code Range: bytes=<offset>-} ({@link HttpSnapshotRoute}: the node's snapshots, streamed with
 * back-pressure); {@link #fetchSnapshot} fetches from it over connections of its own ({@link HttpSnapshotFetch}), so
 * snapshot data never holds up the Raft batches pipelined to the same peer.
 *
 * <p><b>Sending.</b> {@link #send} never throws and never blocks. Requests to a peer go over a keep-alive pool
 * ({@link HttpTransportOptions#getConnectionsPerPeer()} connections, HTTP/1.1 pipelining by default so batches stay in
 * order); at most {@link HttpTransportOptions#getMaxInFlightPerPeer()} await their response, and further batches to
 * that peer are dropped and counted (Raft retransmits what matters). After a connection failure, batches to that
 * peer are dropped for a backoff delay (exponential with jitter) instead of hammering a dead node with connects.
 *
 * <p><b>Threads.</b> Outbound state is confined to the Vert.x context that was current when the transport was
 * constructed (a fresh event-loop context when constructed off Vert.x); {@link #send} may be called from any thread
 * and hops there. The receive handler runs on the event loop of the inbound HTTP connection.
 */
public final class HttpTransport extends NetworkTransport<HttpTransportOptions, HttpTransport.Peer> {

  /** The media type of a {@code raftoral.v1.RaftBatch} body. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  /** Snapshot fetches that may run at once from one peer, each on its own connection; more wait for one. */
  private static final int SNAPSHOT_CONNECTIONS_PER_PEER = 4;

  private final HttpClientAgent client;
  /** Snapshot transfers get connections of their own: a long GET on the pipelined Raft connection would stall it. */
  private final HttpClientAgent snapshotClient;
  private Router ownRouter;

  /**
   * A transport for node {@code nodeId}, reaching peers at the addresses {@code peers} holds (read on every send, so
   * later updates apply). Nothing is served until {@link #mount(Router)} or {@link #listen()}.
   */
  public HttpTransport(Vertx vertx, long nodeId, PeerAddresses peers, HttpTransportOptions options) {
    super(vertx, nodeId, peers, new HttpTransportOptions(Objects.requireNonNull(options, "options")));
    HttpClientOptions http = clientOptions()
        .setKeepAlive(true)
        .setPipelining(this.options.isPipelining())
        .setPipeliningLimit(this.options.getMaxInFlightPerPeer());
    this.client = vertx.createHttpClient(http, new PoolOptions().setHttp1MaxSize(this.options.getConnectionsPerPeer()));
    this.snapshotClient = vertx.createHttpClient(clientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(SNAPSHOT_CONNECTIONS_PER_PEER));
  }

  public HttpTransportOptions options() {
    return new HttpTransportOptions(options);
  }

  // ------------------------------------------------------------------------------------------------ serving

  /**
   * Adds the Raft endpoint ({@code POST} {@link HttpTransportOptions#getPath()}) and the snapshot endpoint
   * ({@link HttpSnapshotRoute}) to {@code router} and nothing else: their body handling, limits and error responses
   * apply to those routes only, so other routes (the REST API) keep their own.
   */
  public HttpTransport mount(Router router) {
    router.route(HttpMethod.POST, options.getPath())
        // No file uploads (nothing is ever written to disk); 413 as soon as Content-Length or the body exceeds it.
        // Vert.x Web requires the body handler before any user handler, so the media type is checked afterwards.
        .handler(BodyHandler.create(false).setBodyLimit(options.getMaxBodyBytes()))
        .handler(this::checkRequest)
        .handler(this::acceptBatch)
        .failureHandler(this::refuseFailed);
    // Any other method on the Raft path gets a JSON answer too, not the router's default page.
    router.route(options.getPath()).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
      respondError(ctx, 405, "method_not_allowed", "the Raft endpoint takes POST " + CONTENT_TYPE);
    });
    new HttpSnapshotRoute(nodeId, this::snapshotServing).mount(router);
    return this;
  }

  /**
   * Starts a server of its own on {@link HttpTransportOptions#getHost()}:{@link HttpTransportOptions#getPort()} with
   * the options' TLS, serving a new router with the Raft endpoint mounted ({@link #router()}: add more routes to it).
   * Completes once the server accepts connections.
   */
  @Override
  public Future<HttpTransport> listen() {
    Router router = Router.router(vertx);
    mount(router);
    return startServer(router, "HTTP Raft transport (" + options.getPath() + ")").map(s -> {
      ownRouter = router;
      return this;
    });
  }

  /** The router of {@link #listen()}'s server, or null when the transport is mounted elsewhere. */
  public Router router() {
    return ownRouter;
  }

  /**
   * Sets the handler of accepted inbound batches (decoded, checked, addressed to this node). It runs on the event loop
   * of the inbound HTTP connection, before the {@code 204} is sent, so it must not block.
   */
  @Override
  public void receiveHandler(Handler<RaftBatch> handler) {
    super.receiveHandler(handler);
  }

  private void checkRequest(RoutingContext ctx) {
    if (closed) {
      respondError(ctx, 503, "unavailable", shuttingDown());
      return;
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(CONTENT_TYPE)) {
      counters.rejectedMalformed.increment();
      respondError(ctx, 415, "unsupported_media_type",
          "the Raft endpoint takes " + CONTENT_TYPE + " (a raftoral.v1.RaftBatch), not " + type);
      return;
    }
    ctx.next();
  }

  private void acceptBatch(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    RaftBatch batch;
    try {
      batch = WireCodec.decode(body == null ? new byte[0] : body.getBytes());
    } catch (MalformedFrameException e) {
      respondError(ctx, 400, "malformed_frame", malformed(ctx.request().remoteAddress(), e.getMessage()));
      return;
    }
    String wrongNode = misaddressed(batch, ctx.request().remoteAddress());
    if (wrongNode != null) {
      // 421 Misdirected Request: the sender's directory sends node-N traffic to the wrong server.
      respondError(ctx, 421, "misdirected", wrongNode);
      return;
    }
    deliver(batch, body == null ? 0 : body.length());
    ctx.response().setStatusCode(204).end();
  }

  private void refuseFailed(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.statusCode() == 413) {
      rejectedTooLarge(ctx.request().remoteAddress(), options.getMaxBodyBytes());
      respondError(ctx, 413, "frame_too_large", "request body larger than " + options.getMaxBodyBytes() + " bytes");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      counters.rejectedMalformed.increment();
      respondError(ctx, ctx.statusCode(), "bad_request", "the request could not be read");
    } else {
      log.error("node {}: failed to handle a Raft request", nodeId, ctx.failure());
      respondError(ctx, 500, "internal", "the node failed to handle the request");
    }
  }

  private static void respondError(RoutingContext ctx, int status, String error, String message) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).put("message", message).encode());
  }

  // ------------------------------------------------------------------------------------------------ sending

  /** A peer that leaves the directory keeps nothing open: its in-flight requests still complete harmlessly. */
  @Override
  protected Peer newPeerState(long peerId) {
    return new Peer(peerId);
  }

  @Override
  protected void sendTo(Peer peer, SocketAddress address, RaftBatch batch) {
    if (System.nanoTime() < peer.unreachableUntilNanos) {
      counters.countDropped(peer.id, DropReason.UNREACHABLE, 1);
      return;
    }
    if (peer.inFlight >= options.getMaxInFlightPerPeer()) {
      counters.countDropped(peer.id, DropReason.BACK_PRESSURE, 1);
      return;
    }
    byte[] body = WireCodec.encode(batch);
    if (!tooLargeToSend(peer.id, body.length, options.getMaxBodyBytes(), "maxBodyBytes")) {
      peer.post(address, body);
    }
  }

  @Override
  protected Future<?> closeClient() {
    return Future.join(client.close(), snapshotClient.close());
  }

  @Override
  protected void openSnapshotTransfer(SocketAddress address, long fromNode, long clusterId, String snapshotId,
      long offset, int chunkSize, SnapshotChunker chunker) {
    HttpSnapshotFetch.open(snapshotClient, address, fromNode, clusterId, snapshotId, offset, chunker);
  }

  /** A snapshot response without data for as long as a Raft request may take is presumed dead. */
  @Override
  protected long snapshotStallTimeoutMillis() {
    return options.getRequestTimeoutMillis();
  }

  /** Delivery state of one peer; confined to {@link #context}. */
  final class Peer {
    private final long id;
    private int inFlight;
    private long unreachableUntilNanos;
    private final PeerBackoff backoff = new PeerBackoff(options);
    private String lastRefusal;

    Peer(long id) {
      this.id = id;
    }

    void post(SocketAddress address, byte[] body) {
      inFlight++;
      RequestOptions request = new RequestOptions()
          .setMethod(HttpMethod.POST)
          .setHost(address.host())
          .setPort(address.port())
          .setURI(options.getPath())
          .setTimeout(options.getRequestTimeoutMillis())
          .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
      client.request(request)
          .compose(req -> req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(answer -> {
            if (resp.statusCode() / 100 != 2) {
              refused(address, resp.statusCode(), answer);
            }
            return resp.statusCode();
          }))
          .onComplete(ar -> {
            // Completions arrive on this transport's context: the requests were made from it.
            inFlight--;
            if (closed) {
              return; // requests cancelled by close(): not a peer failure
            }
            // A batch counts as sent once the peer answered (accepted or refused); one whose connection failed
            // (refused, reset, timed out) is counted as lost to an unreachable peer.
            if (ar.succeeded()) {
              counters.countSent(id, body.length);
              reachable(address);
            } else {
              counters.countDropped(id, DropReason.UNREACHABLE, 1);
              unreachable(address, ar.cause());
            }
          });
    }

    private void refused(SocketAddress address, int status, Buffer answer) {
      counters.refusedByPeer.increment();
      String refusal = status + " " + answer.toString();
      if (!refusal.equals(lastRefusal)) {
        lastRefusal = refusal;
        log.warn("node {}: node {} at {} refused a batch: {}", nodeId, id, address, refusal);
      }
    }

    private void reachable(SocketAddress address) {
      backoff.reset();
      if (backoff.markUp()) {
        counters.countReconnect(id);
        log.info("node {}: node {} at {} reachable again", nodeId, id, address);
      }
    }

    private void unreachable(SocketAddress address, Throwable cause) {
      long now = System.nanoTime();
      if (now < unreachableUntilNanos) {
        return; // a request that was in flight when this incident began: no reason to back off further
      }
      unreachableUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis());
      if (backoff.markDown()) {
        log.info("node {}: node {} at {} unreachable ({}); retrying with backoff", nodeId, id, address,
            String.valueOf(cause));
      }
    }
  }
}
