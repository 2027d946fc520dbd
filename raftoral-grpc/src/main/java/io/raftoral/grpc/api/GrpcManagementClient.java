package io.raftoral.grpc.api;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.client.SeedManagementClient;
import io.raftoral.grpc.api.proto.DiscoveryRequest;
import io.raftoral.grpc.api.proto.HeartbeatRequest;
import io.raftoral.grpc.api.proto.PeerInfo;
import io.raftoral.grpc.api.proto.RaftServiceGrpcClient;
import io.raftoral.grpc.api.proto.RegisterRequest;
import io.raftoral.grpc.api.proto.RegisterResponse;
import io.raftoral.management.ManagementClient;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ManagementClient} over {@code raftoral.RaftService} of {@link WorkflowGrpcApi}, for a node that is not
 * (yet) a member of cluster 0 and knows only seed addresses ({@code --peers}). The order of the calls is
 * {@link SeedManagementClient}'s.
 *
 * <ul>
 *   <li>{@link #register}: Register, answered with a node id by any member of cluster 0.</li>
 *   <li>{@link #heartbeat}: Heartbeat, which only the management leader accepts; another node answers
 *       {@code accepted = false} with the leader it knows of.</li>
 *   <li>{@link #rejoin}: Register with the {@code node_id} of the node's storage.</li>
 *   <li>{@link #directory}: Discover.</li>
 * </ul>
 *
 * <p>Futures complete on the caller's Vert.x context when called from one, else on an event loop of the client.
 */
public final class GrpcManagementClient extends SeedManagementClient<GrpcClient> {

  /** Over the seeds of {@code options} (its addresses, see {@link #seedOptions}); over TLS when its TLS is enabled. */
  public GrpcManagementClient(Vertx vertx, NetworkClientOptions options) {
    super(options, GrpcCalls.client(vertx, options.getTls()), GrpcClient::close);
  }

  @Override
  protected Future<Long> registerAt(HostPort node, String address, String requestId) {
    RegisterRequest request = RegisterRequest.newBuilder().setAddress(address)
        .setRequestId(requestId == null ? "" : requestId).build();
    return GrpcCalls.unary(client(), node, RaftServiceGrpcClient.Register, request, requestTimeoutMillis())
        .map(RegisterResponse::getNodeId);
  }

  /** Register with the {@code node_id} of the node's storage. */
  @Override
  protected Future<Long> rejoinAt(HostPort node, String address, String requestId, long nodeId) {
    RegisterRequest request = RegisterRequest.newBuilder().setAddress(address).setRequestId(requestId)
        .setNodeId(nodeId).build();
    return GrpcCalls.unary(client(), node, RaftServiceGrpcClient.Register, request, requestTimeoutMillis())
        .map(RegisterResponse::getNodeId);
  }

  @Override
  protected Future<HeartbeatAnswer> heartbeatAt(HostPort node, long nodeId) {
    HeartbeatRequest request = HeartbeatRequest.newBuilder().setNodeId(nodeId).build();
    return GrpcCalls.unary(client(), node, RaftServiceGrpcClient.Heartbeat, request, requestTimeoutMillis())
        .map(r -> new HeartbeatAnswer(r.getAccepted(), r.getLeaderAddress(), r.getError()));
  }

  /** Discover: its {@code peers}, by node id. */
  @Override
  protected Future<Map<Long, String>> directoryAt(HostPort node) {
    return GrpcCalls.unary(client(), node, RaftServiceGrpcClient.Discover, DiscoveryRequest.getDefaultInstance(),
        requestTimeoutMillis()).map(r -> {
          Map<Long, String> out = new LinkedHashMap<>();
          for (PeerInfo p : r.getPeersList()) {
            if (!p.getAddress().isEmpty()) {
              out.put(p.getNodeId(), p.getAddress());
            }
          }
          return out;
        });
  }

  @Override
  protected RuntimeException noNodeServed(ErrorCode code, String message) {
    return new GrpcApiException(GrpcErrors.status(code), code.name(), message);
  }
}
