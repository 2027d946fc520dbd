package io.raftoral.grpc.transport;

import io.raftoral.grpc.transport.v1.RaftTransportGrpcService;
import io.raftoral.grpc.transport.v1.SendSummary;
import io.raftoral.transport.NetworkTransport;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.SnapshotChunker;
import io.raftoral.transport.SnapshotTransfers;
import io.raftoral.wire.MalformedFrameException;
import io.raftoral.wire.WireCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Objects;

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
 * <p><b>Snapshots.</b> {@link #fetchSnapshot} calls {@code raftoral.v1.SnapshotTransfer/FetchSnapshot} (server
 * streaming) on a client of its own, so snapshot data never shares a connection with the Raft stream; the server
 * side ({@link GrpcSnapshotServer}) streams from the {@link #snapshotSource node's snapshot source} under HTTP/2
 * flow control.
 *
 * <p><b>Serving.</b> Either {@link #listen()} starts a dedicated HTTP/2 server on the options' host and port (with
 * the options' TLS), or {@link #bind(GrpcServer)} adds the service to a {@link GrpcServer} the application serves
 * anyway, so one port can carry Raft traffic and the client-facing gRPC API.
 *
 * <p><b>Threads.</b> All outbound state (streams, queues, timers) is confined to the Vert.x context that was current
 * when the transport was constructed (a fresh event-loop context when constructed off Vert.x); {@link #send} may be
 * called from any thread and hops there. The receive handler runs on the event loop of the inbound connection.
 */
public final class GrpcTransport extends NetworkTransport<GrpcTransportOptions, GrpcPeerStream> {

  /** Server side of {@code Send}: frames arrive as raw bytes so that decoding errors are ours to report. */
  static final ServiceMethod<Buffer, SendSummary> SEND_SERVER = ServiceMethod.server(
      RaftTransportGrpcService.SERVICE_NAME, "Send", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);

  /** Largest message the client decodes: only the one {@link SendSummary} per stream comes back. */
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  /** Room for a snapshot piece's protobuf framing (offset, field tags, lengths). */
  private static final int CHUNK_MESSAGE_OVERHEAD_BYTES = 1024;
  /**
   * HTTP/2 flow-control windows of snapshot connections: a few pieces in flight keep a transfer fast on loopback and
   * LAN, while a paused transfer still holds the server after that much.
   */
  private static final int SNAPSHOT_STREAM_WINDOW_BYTES = 4 * SnapshotTransfers.PIECE_BYTES;
  private static final int SNAPSHOT_CONNECTION_WINDOW_BYTES = 4 * SNAPSHOT_STREAM_WINDOW_BYTES;

  private final GrpcClient client;
  /** Snapshot transfers get connections of their own: a large transfer never delays the Raft stream. */
  private final GrpcClient snapshotClient;
  private GrpcServer ownGrpcServer;

  /**
   * A transport for node {@code nodeId}, reaching peers at the addresses {@code peers} holds (read on every send,
   * so later updates apply). Nothing listens until {@link #listen()} or {@link #bind(GrpcServer)}.
   */
  public GrpcTransport(Vertx vertx, long nodeId, PeerAddresses peers, GrpcTransportOptions options) {
    super(vertx, nodeId, peers, new GrpcTransportOptions(Objects.requireNonNull(options, "options")));
    HttpClientOptions http = clientOptions()
        // gRPC is HTTP/2; without TLS, speak it directly (prior knowledge) instead of an HTTP/1.1 upgrade.
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false);
    this.client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(MAX_ANSWER_BYTES), http);
    HttpClientOptions snapshotHttp = new HttpClientOptions(http)
        .setInitialSettings(new Http2Settings().setInitialWindowSize(SNAPSHOT_STREAM_WINDOW_BYTES))
        .setHttp2ConnectionWindowSize(SNAPSHOT_CONNECTION_WINDOW_BYTES);
    this.snapshotClient = GrpcClient.client(vertx, new GrpcClientOptions()
        .setMaxMessageSize(SnapshotTransfers.PIECE_BYTES + CHUNK_MESSAGE_OVERHEAD_BYTES), snapshotHttp);
  }

  public GrpcTransportOptions options() {
    return new GrpcTransportOptions(options);
  }

  // ------------------------------------------------------------------------------------------------ serving

  /**
   * Starts a dedicated server on {@link GrpcTransportOptions#getHost()}:{@link GrpcTransportOptions#getPort()},
   * with the options' TLS. Completes (on the caller's context) once it accepts connections.
   */
  @Override
  public Future<GrpcTransport> listen() {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(options.getMaxFrameBytes()));
    bind(grpc);
    return startServer(grpc, "gRPC Raft transport").map(s -> {
      ownGrpcServer = grpc;
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

  /**
   * Serves {@code RaftTransport.Send} and {@code SnapshotTransfer.FetchSnapshot} on {@code server}, which the caller
   * serves over its own HTTP server. Set the server's max message size to at least
   * {@link GrpcTransportOptions#getMaxFrameBytes()} (larger frames are refused with {@code RESOURCE_EXHAUSTED} by
   * the server's own limit).
   */
  public GrpcTransport bind(GrpcServer server) {
    server.callHandler(SEND_SERVER, this::serveStream);
    server.callHandler(GrpcSnapshotServer.FETCH_SERVER, new GrpcSnapshotServer(nodeId, this::snapshotServing));
    return this;
  }

  /**
   * Sets the handler of accepted inbound batches (decoded, checked, addressed to this node). It runs on the event loop
   * of the inbound HTTP/2 connection, in the order the peer sent them, so it must not block.
   */
  @Override
  public void receiveHandler(Handler<RaftBatch> handler) {
    super.receiveHandler(handler);
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
        refuse(call, GrpcStatus.UNAVAILABLE, shuttingDown());
        return;
      }
      RaftBatch batch;
      try {
        batch = WireCodec.decode(frame.getBytes());
      } catch (MalformedFrameException e) {
        finished[0] = true;
        refuse(call, GrpcStatus.INVALID_ARGUMENT, malformed(remote(call), e.getMessage()));
        return;
      }
      String wrongNode = misaddressed(batch, remote(call));
      if (wrongNode != null) {
        finished[0] = true;
        refuse(call, GrpcStatus.FAILED_PRECONDITION, wrongNode);
        return;
      }
      accepted[0]++;
      deliver(batch, frame.length());
    });
    call.invalidMessageHandler(invalid -> {
      if (finished[0]) {
        return;
      }
      finished[0] = true;
      if (invalid instanceof MessageSizeOverflowException) {
        rejectedTooLarge(remote(call), options.getMaxFrameBytes());
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

  @Override
  protected GrpcPeerStream newPeerState(long peer) {
    return new GrpcPeerStream(vertx, client, options, counters, nodeId, peer, () -> closed);
  }

  @Override
  protected void sendTo(GrpcPeerStream stream, SocketAddress address, RaftBatch batch) {
    var frame = WireCodec.toProto(batch);
    if (!tooLargeToSend(batch.toNode(), frame.getSerializedSize(), options.getMaxFrameBytes(), "maxFrameBytes")) {
      stream.send(address, frame);
    }
  }

  /** Half-closes the stream cleanly: nothing written is lost. */
  @Override
  protected void peerLeft(GrpcPeerStream stream) {
    stream.shutdown();
  }

  @Override
  protected Future<?> closeClient() {
    return Future.join(client.close(), snapshotClient.close());
  }

  // ------------------------------------------------------------------------------------------------ snapshots

  @Override
  protected void openSnapshotTransfer(SocketAddress address, long fromNode, long clusterId, String snapshotId,
      long offset, int chunkSize, SnapshotChunker chunker) {
    GrpcSnapshotFetch.open(snapshotClient, address, fromNode, clusterId, snapshotId, offset, chunkSize, chunker);
  }

  /** A snapshot stream without data for as long as a stalled Raft stream is given is presumed dead. */
  @Override
  protected long snapshotStallTimeoutMillis() {
    return options.getStallTimeoutMillis();
  }
}
