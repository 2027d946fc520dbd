package io.raftoral.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.TransportCounters.DropReason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the network transports (gRPC, HTTP) share, written once: their set-up (node id, peer directory, options, the
 * context outbound state is confined to, counters), the sending path up to the protocol ({@link #send} hops to that
 * context, drops and counts batches for peers without an address, never throws), the checks every inbound frame
 * passes before the receive handler sees it, their own optional server, and closing. A protocol adds how a batch
 * reaches a peer ({@link #sendTo}) and how a frame is served.
 *
 * <p><b>Threads.</b> Outbound state is confined to the Vert.x context that was current when the transport was
 * constructed (a fresh event-loop context when constructed off Vert.x); {@link #send} may be called from any thread
 * and hops there. Inbound frames are handled on the event loop of their connection.
 *
 * @param <O> the protocol's options
 * @param <P> the protocol's outbound state of one peer (a stream, a window of requests in flight, a backoff)
 */
public abstract class NetworkTransport<O extends NetworkTransportOptions<O>, P> implements Transport, MeterBinder {

  /** Logs under the concrete transport's name ({@code GrpcTransport}, {@code HttpTransport}). */
  protected final Logger log = LoggerFactory.getLogger(getClass());
  protected final Vertx vertx;
  protected final long nodeId;
  protected final PeerAddresses peers;
  /** The transport's own copy, never changed after construction. */
  protected final O options;
  /** Where every outbound state (connections, queues, backoff timers) lives. */
  protected final Context context;
  protected final TransportCounters counters = new TransportCounters();
  protected volatile boolean closed;
  /** One entry per peer batches were sent to, made on its first batch; confined to {@link #context}. */
  private final Map<Long, P> peerStates = new HashMap<>();
  private volatile Handler<RaftBatch> receiveHandler;
  private volatile SnapshotSource snapshotSource;
  private HttpServer ownServer;

  /**
   * A transport for node {@code nodeId}, reaching peers at the addresses {@code peers} holds (read on every send, so
   * later updates apply). {@code ownCopy} must be the subclass's own copy of the caller's options; its TLS settings
   * are validated here.
   */
  protected NetworkTransport(Vertx vertx, long nodeId, PeerAddresses peers, O ownCopy) {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.nodeId = nodeId;
    this.peers = Objects.requireNonNull(peers, "peers");
    this.options = ownCopy;
    this.options.getTls().validate();
    this.context = vertx.getOrCreateContext();
  }

  @Override
  public long nodeId() {
    return nodeId;
  }

  /** The peer directory this transport reads (shared with whoever maintains it). */
  public PeerAddresses peers() {
    return peers;
  }

  /** Counters since creation; callable from any thread. */
  public NetworkTransportMetrics metrics() {
    return counters.snapshot();
  }

  /** Registers this transport's meters ({@link TransportMeters}: per peer bytes, batches, drops, reconnects). */
  @Override
  public void bindTo(MeterRegistry registry) {
    new TransportMeters(counters).bindTo(registry);
  }

  /** The client settings every protocol starts from: connect timeout, no Nagle delay, and the options' TLS. */
  protected HttpClientOptions clientOptions() {
    HttpClientOptions http = new HttpClientOptions()
        .setConnectTimeout((int) options.getConnectTimeoutMillis())
        .setTcpNoDelay(true);
    options.getTls().applyTo(http);
    return http;
  }

  // ------------------------------------------------------------------------------------------------ serving

  /** Starts the transport's own server (the options' host, port and TLS) with {@code handler}. */
  protected Future<HttpServer> startServer(Handler<HttpServerRequest> handler, String what) {
    HttpServerOptions http = new HttpServerOptions().setTcpNoDelay(true);
    options.getTls().applyTo(http);
    return vertx.createHttpServer(http).requestHandler(handler).listen(options.getPort(), options.getHost()).map(s -> {
      ownServer = s;
      TransportTlsOptions tls = options.getTls();
      log.info("node {}: {} listening on {}:{}{}", nodeId, what, options.getHost(), s.actualPort(),
          tls.isEnabled() ? (tls.isMutual() ? " (mutual TLS)" : " (TLS)") : "");
      return s;
    });
  }

  /** Starts the transport's own server (the options' host, port and TLS); completes once it accepts connections. */
  public abstract Future<? extends NetworkTransport<O, P>> listen();

  /** The port of {@link #listen()}'s server (useful with port 0), or -1 when not listening. */
  public int actualPort() {
    HttpServer s = ownServer;
    return s == null ? -1 : s.actualPort();
  }

  @Override
  public void receiveHandler(Handler<RaftBatch> handler) {
    this.receiveHandler = handler;
  }

  /** What this node serves to peers fetching its snapshots; until set, every fetch is told "not found". */
  @Override
  public void snapshotSource(SnapshotSource source) {
    this.snapshotSource = source;
  }

  /** The source of {@link #snapshotSource(SnapshotSource)}, or one that keeps no snapshot when none was set. */
  protected SnapshotSource snapshotSource() {
    SnapshotSource s = snapshotSource;
    return s != null ? s : NO_SNAPSHOTS;
  }

  /** What a node without a snapshot source serves: nothing. */
  private static final SnapshotSource NO_SNAPSHOTS = new SnapshotSource() {
    @Override
    public Future<Buffer> read(long clusterId, String snapshotId, long offset, int maxBytes) {
      return Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId));
    }

    @Override
    public Future<Long> size(long clusterId, String snapshotId) {
      return Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId));
    }
  };

  /** The refusal of a frame that arrives while closing. */
  protected String shuttingDown() {
    return "node " + nodeId + " is shutting down";
  }

  /** Counts and logs an inbound frame that does not decode; returns the message of its refusal. */
  protected String malformed(Object remote, String problem) {
    counters.rejectedMalformed.increment();
    log.warn("node {}: refused a malformed Raft frame from {}: {}", nodeId, remote, problem);
    return "malformed raftoral.v1.RaftBatch: " + problem;
  }

  /** Null when {@code batch} is for this node; else counts and logs it and returns the message of its refusal. */
  protected String misaddressed(RaftBatch batch, Object remote) {
    if (batch.toNode() == nodeId) {
      return null;
    }
    counters.rejectedMisaddressed.increment();
    log.warn("node {}: refused a batch for node {} from node {} ({}): stale peer address?", nodeId, batch.toNode(),
        batch.fromNode(), remote);
    return "this is node " + nodeId + ", not node " + batch.toNode();
  }

  /** Counts and logs an inbound frame over the size limit. */
  protected void rejectedTooLarge(Object remote, long limitBytes) {
    counters.rejectedTooLarge.increment();
    log.warn("node {}: refused a Raft frame over {} bytes from {}", nodeId, limitBytes, remote);
  }

  /** Hands an accepted, checked batch to the receive handler, its size unknown (counted as 0 bytes). */
  protected void deliver(RaftBatch batch) {
    deliver(batch, 0);
  }

  /** Hands an accepted, checked batch, a frame of {@code bytes}, to the receive handler. */
  protected void deliver(RaftBatch batch, int bytes) {
    // counted per peer only for a sender in the directory: a stray sender cannot add labels
    counters.countReceived(batch.fromNode(), bytes, peers.getOrNull(batch.fromNode()) != null);
    Handler<RaftBatch> h = receiveHandler;
    if (h != null) {
      h.handle(batch);
    }
  }

  // ------------------------------------------------------------------------------------------------ sending

  /** Sends {@code batch} to its peer; never throws, never blocks (drops what it cannot deliver and counts it). */
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
        counters.countDropped(peer, DropReason.NO_ADDRESS, 1);
        P gone = peerStates.remove(peer);
        if (gone != null) {
          peerLeft(gone); // the peer left the directory: close what is kept for it instead of keeping it forever
        }
        return;
      }
      sendTo(peerStates.computeIfAbsent(peer, this::newPeerState), address, batch);
    } catch (RuntimeException e) {
      // Nothing may escape to the caller's event loop; a bug here must not stop the node either.
      counters.countDropped(batch.toNode(), DropReason.UNREACHABLE, 1);
      log.error("node {}: failed to send a batch to node {}", nodeId, batch.toNode(), e);
    }
  }

  /** The state of a peer that gets its first batch; runs on {@link #context}. */
  protected abstract P newPeerState(long peer);

  /** Sends {@code batch} to the peer of {@code state} at {@code address}; runs on {@link #context}. */
  protected abstract void sendTo(P state, SocketAddress address, RaftBatch batch);

  /** The peer left the directory or the transport closes: end what {@code state} holds; runs on {@link #context}. */
  protected void peerLeft(P state) {}

  /** True (and counted, logged) when a {@code bytes}-long frame is over {@code limit}, the option {@code name}. */
  protected boolean tooLargeToSend(long peer, int bytes, int limit, String name) {
    if (bytes <= limit) {
      return false;
    }
    counters.countDropped(peer, DropReason.TOO_LARGE, 1);
    log.warn("node {}: dropped a {}-byte batch to node {}: over {} {}", nodeId, bytes, peer, name, limit);
    return true;
  }

  // ------------------------------------------------------------------------------------------------ snapshots

  /**
   * Fetches a snapshot over a stream or request of its own (never the Raft path, so Raft traffic keeps flowing): the
   * request is checked here ({@link SnapshotTransfers#problem}: a bad one fails at once with an
   * {@link IllegalArgumentException}), as is the peer (one without an address fails at once with an
   * {@link IllegalStateException}); the protocol opens the transfer ({@link #openSnapshotTransfer}) and feeds its
   * {@link SnapshotChunker}. Several fetches may run at once, each on its own stream.
   */
  @Override
  public Future<Void> fetchSnapshot(long fromNode, long clusterId, String snapshotId, long offset, int chunkSize,
      SnapshotChunkHandler handler) {
    Objects.requireNonNull(handler, "handler");
    String problem = SnapshotTransfers.problem(snapshotId, offset, chunkSize);
    if (problem != null) {
      return Future.failedFuture(new IllegalArgumentException(problem));
    }
    if (closed) {
      return Future.failedFuture(new IllegalStateException(shuttingDown()));
    }
    SocketAddress address = peers.getOrNull(fromNode);
    if (address == null) {
      return Future.failedFuture(new IllegalStateException("node " + fromNode + " has no known address"));
    }
    Context caller = Vertx.currentContext();
    Context ctx = caller != null ? caller : context;
    Promise<Void> result = Promise.promise();
    ctx.runOnContext(v -> {
      SnapshotChunker chunker = new SnapshotChunker(vertx, ctx, offset, chunkSize, handler,
          snapshotStallTimeoutMillis(), counters.snapshotBytesReceived::add);
      try {
        openSnapshotTransfer(address, fromNode, clusterId, snapshotId, offset, chunkSize, chunker);
      } catch (RuntimeException e) {
        chunker.fail(e);
      }
      chunker.future().onComplete(result);
    });
    return result.future();
  }

  /**
   * Opens the transfer of bytes {@code offset..} of a snapshot from node {@code fromNode} at {@code address} and
   * feeds what arrives into {@code chunker} (attach the stream, append, end, or fail:
   * {@link SnapshotNotFoundException} when the peer does not keep it). Runs on the fetching context.
   */
  protected abstract void openSnapshotTransfer(SocketAddress address, long fromNode, long clusterId,
      String snapshotId, long offset, int chunkSize, SnapshotChunker chunker);

  /** How long a transfer may wait for data from the network before it counts as broken. */
  protected abstract long snapshotStallTimeoutMillis();

  /** The serving side of snapshot transfers, for the protocol's endpoint ({@link SnapshotServing}). */
  protected SnapshotServing snapshotServing() {
    return new SnapshotServing(snapshotSource(), () -> closed, counters.snapshotBytesSent::add);
  }

  // ------------------------------------------------------------------------------------------------ closing

  @Override
  public Future<Void> close() {
    closed = true;
    Future<Void> peersLeft = Future.future(p -> context.runOnContext(v -> {
      peerStates.values().forEach(this::peerLeft);
      peerStates.clear();
      p.complete();
    }));
    Future<?> outbound = peersLeft.compose(v -> closeClient());
    HttpServer s = ownServer;
    return Future.join(outbound, s == null ? Future.succeededFuture() : s.close()).mapEmpty();
  }

  /** Closes the protocol's client, once every peer's state was let go ({@link #peerLeft}). */
  protected abstract Future<?> closeClient();
}
