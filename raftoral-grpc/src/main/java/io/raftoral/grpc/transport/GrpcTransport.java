package io.raftoral.grpc.transport;

import io.raftoral.wire.MalformedFrameException;
import io.raftoral.transport.TransportCounters;
import io.raftoral.wire.WireCodec;
import io.raftoral.grpc.transport.v1.RaftTransportGrpcClient;
import io.raftoral.grpc.transport.v1.RaftTransportGrpcService;
import io.raftoral.grpc.transport.v1.SendSummary;
import io.raftoral.transport.NetworkTransportMetrics;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-to-node Raft transport over gRPC (service {@code raftoral.v1.RaftTransport}, client-streaming RPC
 * {@code Send}): one long-lived HTTP/2 stream per peer carries every batch for that peer, in order, as
 * {@code raftoral.v1.RaftBatch} frames ({@link WireCodec}).
 *
 * <p><b>Sending.</b> {@link #send} never throws and never blocks. A peer's stream is opened on the first batch for
 * it, at the address {@link PeerAddresses} holds at that moment (a changed address replaces the stream). While the
 * stream opens, up to {@link GrpcTransportOptions#getMaxBatchesWhileConnecting()} batches wait; when it breaks, the
 * transport waits (exponential backoff with jitter, reset after a stream that lived a while) and reconnects on the
 * next batch. Back-pressure: when the stream's write queue is full (HTTP/2 flow control), batches are dropped and
 * counted rather than queued, since Raft retransmits what matters; a stream that stays full for
 * {@link GrpcTransportOptions#getStallTimeoutMillis()} is presumed dead and replaced. Every drop is counted by
 * reason in {@link #metrics()}.
 *
 * <p><b>Receiving.</b> Each frame is decoded and checked (schema version, ranges, recipient) before it reaches the
 * receive handler; a frame that fails ends that stream with {@code INVALID_ARGUMENT} (undecodable or invalid),
 * {@code FAILED_PRECONDITION} (addressed to another node) or {@code RESOURCE_EXHAUSTED} (over
 * {@link GrpcTransportOptions#getMaxFrameBytes()}), is counted, and the server keeps serving every other stream.
 *
 * <p><b>Serving.</b> Either {@link #listen()} starts a dedicated HTTP/2 server on the options' host and port (with
 * the options' TLS), or {@link #bind(GrpcServer)} adds the service to a {@link GrpcServer} the application serves
 * anyway, so one port can carry Raft traffic and the client-facing gRPC API.
 *
 * <p><b>Threads.</b> All outbound state (streams, queues, timers) is confined to the Vert.x context that was current
 * when the transport was constructed (a fresh event-loop context when constructed off Vert.x); {@link #send} may be
 * called from any thread and hops there. The receive handler runs on the event loop of the inbound connection.
 */
public final class GrpcTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);

  /** Server side of {@code Send}: frames arrive as raw bytes so that decoding errors are ours to report. */
  static final ServiceMethod<Buffer, SendSummary> SEND_SERVER = ServiceMethod.server(
      RaftTransportGrpcService.SERVICE_NAME, "Send", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);

  /** A stream that lived at least this long resets the backoff: its failure is a new incident, not a retry. */
  private static final long HEALTHY_STREAM_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final long nodeId;
  private final PeerAddresses peers;
  private final GrpcTransportOptions options;
  private final Context context;
  private final GrpcClient client;
  private final TransportCounters counters = new TransportCounters();
  private final Map<Long, PeerStream> streams = new HashMap<>();
  private volatile Handler<RaftBatch> receiveHandler;
  private volatile boolean closed;
  private HttpServer ownServer;
  private GrpcServer ownGrpcServer;

  /**
   * A transport for node {@code nodeId}, reaching peers at the addresses {@code peers} holds (read on every send,
   * so later updates apply). Nothing listens until {@link #listen()} or {@link #bind(GrpcServer)}.
   */
  public GrpcTransport(Vertx vertx, long nodeId, PeerAddresses peers, GrpcTransportOptions options) {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.nodeId = nodeId;
    this.peers = Objects.requireNonNull(peers, "peers");
    this.options = new GrpcTransportOptions(Objects.requireNonNull(options, "options"));
    this.options.getTls().validate();
    this.context = vertx.getOrCreateContext();
    HttpClientOptions http = new HttpClientOptions()
        // gRPC is HTTP/2; without TLS, speak it directly (prior knowledge) instead of an HTTP/1.1 upgrade.
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout((int) this.options.getConnectTimeoutMillis())
        .setTcpNoDelay(true);
    this.options.getTls().applyTo(http);
    this.client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64 * 1024), http);
  }

  @Override
  public long nodeId() {
    return nodeId;
  }

  public GrpcTransportOptions options() {
    return new GrpcTransportOptions(options);
  }

  /** The peer directory this transport reads (shared with whoever maintains it). */
  public PeerAddresses peers() {
    return peers;
  }

  // ------------------------------------------------------------------------------------------------ serving

  /**
   * Starts a dedicated server on {@link GrpcTransportOptions#getHost()}:{@link GrpcTransportOptions#getPort()},
   * with the options' TLS. Completes (on the caller's context) once it accepts connections.
   */
  public Future<GrpcTransport> listen() {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(options.getMaxFrameBytes()));
    bind(grpc);
    HttpServerOptions http = new HttpServerOptions().setTcpNoDelay(true);
    options.getTls().applyTo(http);
    HttpServer server = vertx.createHttpServer(http).requestHandler(grpc);
    return server.listen(options.getPort(), options.getHost()).map(s -> {
      ownServer = s;
      ownGrpcServer = grpc;
      LOG.info("node {}: gRPC Raft transport listening on {}:{}{}", nodeId, options.getHost(), s.actualPort(),
          options.getTls().isEnabled() ? (options.getTls().isMutual() ? " (mutual TLS)" : " (TLS)") : "");
      return this;
    });
  }

  /**
   * The gRPC server of {@link #listen()} (add the node's other services to it, so one port serves everything), or
   * null when the transport is bound to a server of the application's.
   */
  public GrpcServer grpcServer() {
    return ownGrpcServer;
  }

  /** The port of {@link #listen()}'s server (useful with port 0), or -1 when not listening. */
  public int actualPort() {
    HttpServer s = ownServer;
    return s == null ? -1 : s.actualPort();
  }

  /**
   * Serves {@code RaftTransport.Send} on {@code server}, which the caller serves over its own HTTP server. Set the
   * server's max message size to at least {@link GrpcTransportOptions#getMaxFrameBytes()} (larger frames are refused
   * with {@code RESOURCE_EXHAUSTED} by the server's own limit).
   */
  public GrpcTransport bind(GrpcServer server) {
    server.callHandler(SEND_SERVER, this::serveStream);
    return this;
  }

  /**
   * Sets the handler of accepted inbound batches (decoded, checked, addressed to this node). It runs on the event loop
   * of the inbound HTTP/2 connection, in the order the peer sent them, so it must not block.
   */
  @Override
  public void receiveHandler(Handler<RaftBatch> handler) {
    this.receiveHandler = handler;
  }

  /** One inbound stream from a peer: runs on the connection's event loop. */
  private void serveStream(GrpcServerRequest<Buffer, SendSummary> call) {
    long[] accepted = {0};
    boolean[] finished = {false};
    GrpcServerResponse<Buffer, SendSummary> response = call.response();
    call.handler(frame -> {
      if (finished[0]) {
        return;
      }
      if (closed) {
        finished[0] = true;
        refuse(call, GrpcStatus.UNAVAILABLE, "node " + nodeId + " is shutting down");
        return;
      }
      RaftBatch batch;
      try {
        batch = WireCodec.decode(frame.getBytes());
      } catch (MalformedFrameException e) {
        finished[0] = true;
        counters.rejectedMalformed.increment();
        LOG.warn("node {}: refused a malformed Raft frame from {}: {}", nodeId, remote(call), e.getMessage());
        refuse(call, GrpcStatus.INVALID_ARGUMENT, "malformed raftoral.v1.RaftBatch: " + e.getMessage());
        return;
      }
      if (batch.toNode() != nodeId) {
        finished[0] = true;
        counters.rejectedMisaddressed.increment();
        LOG.warn("node {}: refused a batch for node {} from node {} ({}): stale peer address?", nodeId,
            batch.toNode(), batch.fromNode(), remote(call));
        refuse(call, GrpcStatus.FAILED_PRECONDITION, "this is node " + nodeId + ", not node " + batch.toNode());
        return;
      }
      counters.received.increment();
      accepted[0]++;
      Handler<RaftBatch> h = receiveHandler;
      if (h != null) {
        h.handle(batch);
      }
    });
    call.invalidMessageHandler(invalid -> {
      if (finished[0]) {
        return;
      }
      finished[0] = true;
      if (invalid instanceof MessageSizeOverflowException) {
        counters.rejectedTooLarge.increment();
        LOG.warn("node {}: refused a Raft frame over {} bytes from {}", nodeId, options.getMaxFrameBytes(), remote(call));
        refuse(call, GrpcStatus.RESOURCE_EXHAUSTED, "frame larger than " + options.getMaxFrameBytes() + " bytes");
      } else {
        counters.rejectedMalformed.increment();
        refuse(call, GrpcStatus.INVALID_ARGUMENT, "invalid gRPC message: " + invalid.getMessage());
      }
    });
    call.endHandler(v -> {
      if (!finished[0]) {
        finished[0] = true;
        response.end(SendSummary.newBuilder().setAcceptedBatches(accepted[0]).build());
      }
    });
    call.exceptionHandler(e -> finished[0] = true); // the peer reset the stream: nothing to answer
  }

  private static void refuse(GrpcServerRequest<Buffer, SendSummary> call, GrpcStatus status, String message) {
    call.response().status(status).statusMessage(message).end();
  }

  private static String remote(GrpcServerRequest<?, ?> call) {
    try {
      return String.valueOf(call.connection().remoteAddress());
    } catch (RuntimeException e) {
      return "?";
    }
  }

  // ------------------------------------------------------------------------------------------------ sending

  /** Sends {@code batch} to its peer; never throws, never blocks (see the class comment for what is dropped). */
  @Override
  public void send(RaftBatch batch) {
    if (closed || batch == null) {
      return;
    }
    if (Vertx.currentContext() == context) {
      sendOnContext(batch);
    } else {
      context.runOnContext(v -> sendOnContext(batch));
    }
  }

  private void sendOnContext(RaftBatch batch) {
    if (closed) {
      return;
    }
    try {
      long peer = batch.toNode();
      SocketAddress address = peers.getOrNull(peer);
      if (address == null) {
        counters.droppedNoAddress.increment();
        PeerStream forgotten = streams.remove(peer);
        if (forgotten != null) {
          forgotten.shutdown(); // the peer left the directory: close its stream instead of keeping it open forever
        }
        return;
      }
      io.raftoral.wire.v1.RaftBatch frame = WireCodec.toProto(batch);
      int size = frame.getSerializedSize();
      if (size > options.getMaxFrameBytes()) {
        counters.droppedTooLarge.increment();
        LOG.warn("node {}: dropped a {}-byte batch to node {}: over maxFrameBytes {}", nodeId, size, peer,
            options.getMaxFrameBytes());
        return;
      }
      streams.computeIfAbsent(peer, PeerStream::new).send(address, frame);
    } catch (RuntimeException e) {
      // Nothing may escape to the caller's event loop; a bug here must not stop the node either.
      counters.droppedUnreachable.increment();
      LOG.error("node {}: failed to send a batch to node {}", nodeId, batch.toNode(), e);
    }
  }

  /** Counters since creation; callable from any thread. */
  public NetworkTransportMetrics metrics() {
    return counters.snapshot();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<?>> all = new ArrayList<>();
    Future<Void> streamsClosed = Future.future(p -> context.runOnContext(v -> {
      streams.values().forEach(s -> s.shutdown());
      streams.clear();
      p.complete();
    }));
    all.add(streamsClosed.compose(v -> client.close()));
    if (ownServer != null) {
      all.add(ownServer.close());
    }
    return Future.join(all).mapEmpty();
  }

  private enum State { IDLE, CONNECTING, OPEN, BACKOFF }

  /** The outbound stream to one peer; confined to {@link #context}. */
  private final class PeerStream {
    private final long peer;
    private State state = State.IDLE;
    private SocketAddress address;
    private GrpcClientRequest<io.raftoral.wire.v1.RaftBatch, SendSummary> request;
    private final ArrayDeque<io.raftoral.wire.v1.RaftBatch> whileConnecting = new ArrayDeque<>();
    /** Incremented whenever the stream is replaced, so callbacks of an old stream are recognized and ignored. */
    private int generation;
    private long openedAtNanos;
    private long fullSinceNanos;
    private long backoffMillis;
    private long backoffTimer = -1;
    private boolean reportedDown;

    PeerStream(long peer) {
      this.peer = peer;
      this.backoffMillis = options.getReconnectInitialDelayMillis();
    }

    void send(SocketAddress current, io.raftoral.wire.v1.RaftBatch frame) {
      if (state != State.IDLE && !current.equals(address)) {
        LOG.info("node {}: node {} moved from {} to {}; reconnecting", nodeId, peer, address, current);
        replace();
        backoffMillis = options.getReconnectInitialDelayMillis();
        state = State.IDLE;
      }
      switch (state) {
        case OPEN -> write(frame);
        case CONNECTING -> {
          if (whileConnecting.size() < options.getMaxBatchesWhileConnecting()) {
            whileConnecting.add(frame);
          } else {
            counters.droppedBackPressure.increment();
          }
        }
        case BACKOFF -> counters.droppedUnreachable.increment();
        case IDLE -> {
          connect(current);
          if (options.getMaxBatchesWhileConnecting() > 0) {
            whileConnecting.add(frame);
          } else {
            counters.droppedBackPressure.increment();
          }
        }
      }
    }

    private void write(io.raftoral.wire.v1.RaftBatch frame) {
      if (request.writeQueueFull()) {
        counters.droppedBackPressure.increment();
        long now = System.nanoTime();
        if (fullSinceNanos == 0) {
          fullSinceNanos = now;
        } else if (now - fullSinceNanos > options.getStallTimeoutMillis() * 1_000_000L) {
          broken(generation, "the stream stayed full for " + options.getStallTimeoutMillis() + " ms");
        }
        return;
      }
      request.write(frame);
      counters.sent.increment();
    }

    private void connect(SocketAddress target) {
      state = State.CONNECTING;
      address = target;
      int gen = ++generation;
      client.request(target, RaftTransportGrpcClient.Send).onComplete(ar -> {
        if (gen != generation || closed) {
          if (ar.succeeded()) {
            ar.result().cancel();
          }
          return;
        }
        if (ar.failed()) {
          broken(gen, String.valueOf(ar.cause()));
          return;
        }
        opened(gen, ar.result());
      });
    }

    private void opened(int gen, GrpcClientRequest<io.raftoral.wire.v1.RaftBatch, SendSummary> req) {
      request = req;
      state = State.OPEN;
      openedAtNanos = System.nanoTime();
      fullSinceNanos = 0;
      if (reportedDown) {
        reportedDown = false;
        counters.reconnects.increment();
        LOG.info("node {}: stream to node {} at {} re-established", nodeId, peer, address);
      }
      req.setWriteQueueMaxSize(options.getStreamWriteQueueBytes());
      req.drainHandler(v -> {
        if (gen == generation) {
          fullSinceNanos = 0;
        }
      });
      req.exceptionHandler(e -> broken(gen, String.valueOf(e)));
      req.response().onComplete(ar -> {
        if (ar.failed()) {
          broken(gen, String.valueOf(ar.cause()));
        } else {
          // The peer ended the call: an error status (it refused a frame), or it is shutting down.
          var response = ar.result();
          response.end().onComplete(end -> {
            if (gen == generation && response.status() != GrpcStatus.OK && response.status() != GrpcStatus.UNAVAILABLE) {
              counters.refusedByPeer.increment();
              LOG.warn("node {}: node {} at {} refused our stream: {} {}", nodeId, peer, address, response.status(),
                  response.statusMessage());
            }
            broken(gen, "the peer ended the stream: " + response.status()
                + (response.statusMessage() == null ? "" : " " + response.statusMessage()));
          });
        }
      });
      io.raftoral.wire.v1.RaftBatch frame;
      while (state == State.OPEN && (frame = whileConnecting.poll()) != null) {
        write(frame);
      }
    }

    /** The stream of generation {@code gen} failed: drop it, back off, and let the next batch reconnect. */
    private void broken(int gen, String why) {
      if (gen != generation || closed) {
        return;
      }
      boolean wasHealthy = state == State.OPEN && System.nanoTime() - openedAtNanos > HEALTHY_STREAM_NANOS;
      replace();
      if (wasHealthy) {
        backoffMillis = options.getReconnectInitialDelayMillis();
      }
      if (!reportedDown) {
        reportedDown = true;
        LOG.info("node {}: stream to node {} at {} lost ({}); reconnecting with backoff", nodeId, peer, address, why);
      } else {
        LOG.debug("node {}: stream to node {} at {} failed again: {}", nodeId, peer, address, why);
      }
      state = State.BACKOFF;
      long delay = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
      backoffMillis = Math.min(options.getReconnectMaxDelayMillis(), backoffMillis * 2);
      backoffTimer = vertx.setTimer(Math.max(1, delay), id -> {
        backoffTimer = -1;
        if (state == State.BACKOFF) {
          state = State.IDLE; // the next batch for this peer reconnects
        }
      });
    }

    /** Abandons the current stream (if any) and what waits for it. */
    private void replace() {
      generation++;
      GrpcClientRequest<?, ?> r = request;
      request = null;
      if (r != null) {
        try {
          r.cancel();
        } catch (RuntimeException ignored) {
          // already reset by the peer
        }
      }
      counters.droppedUnreachable.add(whileConnecting.size());
      whileConnecting.clear();
      if (backoffTimer >= 0) {
        vertx.cancelTimer(backoffTimer);
        backoffTimer = -1;
      }
    }

    void shutdown() {
      GrpcClientRequest<?, ?> r = request;
      generation++;
      request = null;
      if (r != null) {
        try {
          // A clean half-close: the peer answers with its summary; nothing is lost that was written.
          r.end();
        } catch (RuntimeException alreadyReset) {
          // the peer or the connection went away first: nothing left to close
        }
      }
      whileConnecting.clear();
      if (backoffTimer >= 0) {
        vertx.cancelTimer(backoffTimer);
      }
    }
  }
}
