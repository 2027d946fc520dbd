package io.raftoral.grpc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.grpc.transport.v1.FetchSnapshotRequest;
import io.raftoral.testkit.NetworkRaftCluster;
import io.raftoral.transport.SnapshotTransfers;
import io.raftoral.transport.contract.GeneratedSnapshotSource.Generated;
import io.raftoral.transport.contract.SnapshotTransferContractTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link GrpcTransport}'s {@code SnapshotTransfer.FetchSnapshot} against the snapshot transfer contract, and its
 * answers to bad requests as gRPC statuses.
 */
class GrpcSnapshotTransferTest extends SnapshotTransferContractTest<GrpcTransportOptions> {

  private static final String FETCH = "raftoral.v1.SnapshotTransfer/FetchSnapshot";
  private static final long SNAPSHOT_BYTES = 100_000;

  GrpcSnapshotTransferTest() {
    super(GrpcTransportOptions::new, GrpcTransport::new);
  }

  /** What the server answered to one raw call: its status, message and the number of messages it streamed. */
  private record Answer(GrpcStatus status, String message, int messages) {}

  /** One raw {@code FetchSnapshot} call carrying {@code requests} as its messages (none: just half-closed). */
  private Future<Answer> call(Vertx vertx, List<Buffer> requests) {
    GrpcClient raw = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    return raw.request(SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1")).compose(req -> {
      req.fullMethodName(FETCH);
      requests.forEach(req::write);
      req.end();
      return req.response();
    }).compose(resp -> {
      int[] messages = {0};
      resp.handler(m -> messages[0]++);
      return resp.end().transform(ar -> Future.succeededFuture(
          new Answer(resp.status(), resp.statusMessage(), messages[0])));
    }).eventually(raw::close);
  }

  private Answer call(Context ctx, Vertx vertx, FetchSnapshotRequest request) throws Exception {
    return await(NetworkRaftCluster.on(ctx, () -> call(vertx, List.of(Buffer.buffer(request.toByteArray())))));
  }

  private static FetchSnapshotRequest request(Generated s, long offset, int chunkSize) {
    return FetchSnapshotRequest.newBuilder().setClusterId(s.clusterId()).setSnapshotId(s.id()).setOffset(offset)
        .setChunkSize(chunkSize).build();
  }

  @Test
  void badRequestsGetAClearStatusAndTheNodeKeepsServing(Vertx vertx) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Generated s = serve("known", SNAPSHOT_BYTES);

    Answer garbage = await(NetworkRaftCluster.on(ctx, () -> call(vertx,
        List.of(Buffer.buffer("this is not protobuf \u0000\u00ff\u00fe")))));
    assertThat(garbage.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(garbage.message()).contains("malformed raftoral.v1.FetchSnapshotRequest");

    Answer none = await(NetworkRaftCluster.on(ctx, () -> call(vertx, List.of())));
    assertThat(none.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(none.message()).contains("no raftoral.v1.FetchSnapshotRequest");

    Answer zeroChunk = call(ctx, vertx, request(s, 0, 0));
    assertThat(zeroChunk.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(zeroChunk.message()).contains("chunk size");
    Answer hugeChunk = call(ctx, vertx, request(s, 0, SnapshotTransfers.MAX_CHUNK_BYTES + 1));
    assertThat(hugeChunk.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    Answer negative = call(ctx, vertx, request(s, -1, CHUNK));
    assertThat(negative.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(negative.message()).contains("offset");
    Answer noId = call(ctx, vertx, request(s, 0, CHUNK).toBuilder().setSnapshotId("").build());
    assertThat(noId.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    Answer controlChar = call(ctx, vertx, request(s, 0, CHUNK).toBuilder().setSnapshotId("a\nb").build());
    assertThat(controlChar.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);

    Answer unknown = call(ctx, vertx, request(s, 0, CHUNK).toBuilder().setSnapshotId("unknown").build());
    assertThat(unknown.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    Answer pastEnd = call(ctx, vertx, request(s, SNAPSHOT_BYTES + 1, CHUNK));
    assertThat(pastEnd.status()).isEqualTo(GrpcStatus.OUT_OF_RANGE);

    Answer valid = call(ctx, vertx, request(s, 0, CHUNK));
    assertThat(valid.status()).isEqualTo(GrpcStatus.OK);
    assertThat(valid.messages()).isPositive();
  }
}
