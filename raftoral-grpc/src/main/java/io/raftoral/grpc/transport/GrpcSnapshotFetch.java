package io.raftoral.grpc.transport;

import io.raftoral.grpc.transport.v1.FetchSnapshotRequest;
import io.raftoral.grpc.transport.v1.SnapshotChunk;
import io.raftoral.grpc.transport.v1.SnapshotTransferGrpcClient;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.SnapshotChunker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The client of {@code raftoral.v1.SnapshotTransfer/FetchSnapshot}: one call per transfer, on the transport's
 * snapshot client (its own connections, so the Raft stream to the same peer never waits behind snapshot data).
 * Every message goes to the {@link SnapshotChunker}, which pauses the call while its handler works; the call's end
 * status decides how the transfer ends ({@code NOT_FOUND}: {@link SnapshotNotFoundException};
 * {@code INVALID_ARGUMENT}, {@code OUT_OF_RANGE}: {@link IllegalArgumentException}; anything else, a reset or a
 * closed connection: a failure the caller resumes after).
 */
final class GrpcSnapshotFetch {

  private GrpcSnapshotFetch() {}

  /** Starts the call; runs on the fetching context, whose thread every event of the call then arrives on. */
  static void open(GrpcClient client, SocketAddress address, long fromNode, long clusterId, String snapshotId,
      long offset, int chunkSize, SnapshotChunker chunker) {
    FetchSnapshotRequest request = FetchSnapshotRequest.newBuilder().setClusterId(clusterId)
        .setSnapshotId(snapshotId).setOffset(offset).setChunkSize(chunkSize).build();
    client.request(address, SnapshotTransferGrpcClient.FetchSnapshot).onComplete(ar -> {
      if (ar.failed()) {
        chunker.fail(ar.cause());
        return;
      }
      GrpcClientRequest<FetchSnapshotRequest, SnapshotChunk> call = ar.result();
      if (chunker.isDone()) {
        cancel(call);
        return;
      }
      call.send(request).onComplete(sent -> {
        if (sent.failed()) {
          chunker.fail(sent.cause());
        } else {
          receive(call, sent.result(), fromNode, clusterId, snapshotId, chunker);
        }
      });
    });
  }

  private static void receive(GrpcClientRequest<FetchSnapshotRequest, SnapshotChunk> call,
      GrpcClientResponse<FetchSnapshotRequest, SnapshotChunk> response, long fromNode, long clusterId,
      String snapshotId, SnapshotChunker chunker) {
    chunker.attach(response, () -> cancel(call));
    response.handler(chunk -> chunker.append(chunk.getOffset(), Buffer.buffer(chunk.getData().toByteArray())));
    response.invalidMessageHandler(chunker::fail);
    response.exceptionHandler(chunker::fail);
    response.errorHandler(error -> chunker.fail(new IllegalStateException("the snapshot stream from node "
        + fromNode + " was reset: " + error)));
    response.endHandler(v -> {
      GrpcStatus status = response.status();
      if (status == GrpcStatus.OK) {
        chunker.end();
      } else {
        chunker.fail(failure(status, response.statusMessage(), fromNode, clusterId, snapshotId));
      }
    });
  }

  private static RuntimeException failure(GrpcStatus status, String message, long fromNode, long clusterId,
      String snapshotId) {
    String said = "node " + fromNode + " answered " + status + (message == null ? "" : ": " + message);
    return switch (status) {
      case NOT_FOUND -> new SnapshotNotFoundException(clusterId, snapshotId);
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new IllegalArgumentException(said);
      default -> new IllegalStateException(said);
    };
  }

  private static void cancel(GrpcClientRequest<?, ?> call) {
    try {
      call.cancel();
    } catch (RuntimeException alreadyEnded) {
      // the call ended or its connection closed first: nothing to cancel
    }
  }
}
