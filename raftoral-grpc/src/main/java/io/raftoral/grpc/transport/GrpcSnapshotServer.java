package io.raftoral.grpc.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.raftoral.grpc.transport.v1.FetchSnapshotRequest;
import io.raftoral.grpc.transport.v1.SnapshotChunk;
import io.raftoral.grpc.transport.v1.SnapshotTransferGrpcService;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.SnapshotPump;
import io.raftoral.transport.SnapshotServing;
import io.raftoral.transport.SnapshotTransfers;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code raftoral.v1.SnapshotTransfer/FetchSnapshot}: checks the request, then streams the snapshot from its
 * offset to its end as {@code SnapshotChunk}s ({@link SnapshotPump}: one piece read ahead at most, paced by HTTP/2
 * flow control). Answers {@code INVALID_ARGUMENT} (undecodable or invalid request), {@code NOT_FOUND} (not kept),
 * {@code OUT_OF_RANGE} (offset past the end), {@code UNAVAILABLE} (shutting down) or {@code INTERNAL} (the store
 * failed), and stops reading as soon as the client cancels or its connection closes.
 *
 * <p>Runs on the event loop of the inbound HTTP/2 connection.
 */
final class GrpcSnapshotServer implements Handler<GrpcServerRequest<Buffer, SnapshotChunk>> {

  /** The request arrives as raw bytes so that a malformed one is ours to answer (INVALID_ARGUMENT, not CANCELLED). */
  static final ServiceMethod<Buffer, SnapshotChunk> FETCH_SERVER = ServiceMethod.server(
      SnapshotTransferGrpcService.SERVICE_NAME, "FetchSnapshot", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.IDENTITY);
  private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);

  private final long nodeId;
  private final Supplier<SnapshotServing> serving;

  GrpcSnapshotServer(long nodeId, Supplier<SnapshotServing> serving) {
    this.nodeId = nodeId;
    this.serving = serving;
  }

  @Override
  public void handle(GrpcServerRequest<Buffer, SnapshotChunk> call) {
    boolean[] started = {false};
    call.handler(bytes -> {
      if (started[0]) {
        return;
      }
      started[0] = true;
      FetchSnapshotRequest request;
      try {
        request = FetchSnapshotRequest.parseFrom(bytes.getBytes());
      } catch (InvalidProtocolBufferException e) {
        refuse(call, GrpcStatus.INVALID_ARGUMENT, "malformed raftoral.v1.FetchSnapshotRequest: " + e.getMessage());
        return;
      }
      serve(call, request);
    });
    call.invalidMessageHandler(invalid -> {
      if (!started[0]) {
        started[0] = true;
        refuse(call, GrpcStatus.INVALID_ARGUMENT, "malformed raftoral.v1.FetchSnapshotRequest: "
            + invalid.getMessage());
      }
    });
    call.endHandler(v -> {
      if (!started[0]) {
        started[0] = true;
        refuse(call, GrpcStatus.INVALID_ARGUMENT, "no raftoral.v1.FetchSnapshotRequest was sent");
      }
    });
  }

  private void serve(GrpcServerRequest<Buffer, SnapshotChunk> call, FetchSnapshotRequest request) {
    SnapshotServing node = serving.get();
    if (node.shuttingDown()) {
      refuse(call, GrpcStatus.UNAVAILABLE, "node " + nodeId + " is shutting down");
      return;
    }
    String problem = SnapshotTransfers.problem(request.getSnapshotId(), request.getOffset(), request.getChunkSize());
    if (problem != null) {
      refuse(call, GrpcStatus.INVALID_ARGUMENT, problem);
      return;
    }
    long clusterId = request.getClusterId();
    String snapshotId = request.getSnapshotId();
    long offset = request.getOffset();
    node.size(clusterId, snapshotId).onComplete(ar -> {
      if (ar.failed()) {
        refuse(call, statusOf(ar.cause()), String.valueOf(ar.cause().getMessage()));
      } else if (ar.result() < offset) {
        refuse(call, GrpcStatus.OUT_OF_RANGE, "offset " + offset + " is past the end of snapshot " + snapshotId
            + " (" + ar.result() + " bytes)");
      } else {
        stream(call, node.pump(clusterId, snapshotId, offset, ar.result(), call.response(), GrpcSnapshotServer::chunk));
      }
    });
  }

  private void stream(GrpcServerRequest<Buffer, SnapshotChunk> call, SnapshotPump<SnapshotChunk> pump) {
    boolean[] gone = {false};
    call.exceptionHandler(e -> {
      gone[0] = true;
      pump.stop(e);
    });
    call.errorHandler(error -> {
      gone[0] = true;
      pump.stop(new IllegalStateException("the client ended the call: " + error));
    });
    GrpcServerResponse<Buffer, SnapshotChunk> response = call.response();
    response.exceptionHandler(e -> {
      gone[0] = true;
      pump.stop(e);
    });
    pump.start().onComplete(ar -> {
      if (gone[0]) {
        return; // the client cancelled or its connection closed: nobody to answer
      }
      if (ar.succeeded()) {
        response.end();
      } else {
        refuse(call, statusOf(ar.cause()), String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private GrpcStatus statusOf(Throwable cause) {
    if (cause instanceof SnapshotNotFoundException) {
      return GrpcStatus.NOT_FOUND;
    }
    if (serving.get().shuttingDown()) {
      return GrpcStatus.UNAVAILABLE;
    }
    LOG.warn("node {}: failed to serve a snapshot", nodeId, cause);
    return GrpcStatus.INTERNAL;
  }

  private static SnapshotChunk chunk(long offset, Buffer data) {
    // The bytes were read for this message only: wrapping them spares a copy of every piece.
    return SnapshotChunk.newBuilder().setOffset(offset).setData(UnsafeByteOperations.unsafeWrap(data.getBytes()))
        .build();
  }

  private static void refuse(GrpcServerRequest<?, SnapshotChunk> call, GrpcStatus status, String message) {
    try {
      call.response().status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyEnded) {
      // the call was reset or already answered: nothing left to say
    }
  }
}
