package io.raftoral.grpc.api;

import static io.raftoral.grpc.api.GrpcHandlers.unary;

import io.raftoral.grpc.api.proto.DiscoveryRequest;
import io.raftoral.grpc.api.proto.DiscoveryResponse;
import io.raftoral.grpc.api.proto.HeartbeatRequest;
import io.raftoral.grpc.api.proto.HeartbeatResponse;
import io.raftoral.grpc.api.proto.PeerInfo;
import io.raftoral.grpc.api.proto.RaftServiceGrpcService;
import io.raftoral.grpc.api.proto.RegisterRequest;
import io.raftoral.grpc.api.proto.RegisterResponse;
import io.raftoral.management.Discovery;
import io.raftoral.management.ManagementEndpoint;
import io.raftoral.management.NodeRecord;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.grpc.server.Service;

/**
 * {@code raftoral.RaftService} of the gRPC API: Discover, Register, Heartbeat, served from the node's
 * {@link ManagementEndpoint} (UNAVAILABLE when the node has none).
 */
final class GrpcDiscoveryService {

  private final ManagementEndpoint management;

  /** @param management the node's management endpoint, or null when it serves none */
  GrpcDiscoveryService(ManagementEndpoint management) {
    this.management = management;
  }

  Service service() {
    return Service.service(RaftServiceGrpcService.SERVICE_NAME, RaftServiceGrpcService.SERVICE_DESCRIPTOR)
        .bind(RaftServiceGrpcService.Discover, unary(this::discover))
        .bind(RaftServiceGrpcService.Register, unary(this::register))
        .bind(RaftServiceGrpcService.Heartbeat, unary(this::heartbeat))
        .build();
  }

  private Future<DiscoveryResponse> discover(DiscoveryRequest r) {
    Discovery d = Discovery.of(requireManagement());
    DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder()
        .setNodeId(d.nodeId())
        .setHighestKnownNodeId(d.highestKnownNodeId())
        .setAddress(WorkflowProto.nonNull(d.address()))
        .setManagementLeaderNodeId(d.leaderId())
        .setManagementLeaderAddress(WorkflowProto.nonNull(d.leaderAddress()))
        .setShouldJoinAsVoter(d.shouldJoinAsVoter())
        .setCurrentVoterCount(d.voterCount())
        .setMaxVoters(d.maxVoters());
    for (NodeRecord n : d.peers()) {
      b.addPeers(PeerInfo.newBuilder().setNodeId(n.id()).setAddress(n.address()).setState(n.state().name()));
    }
    return Future.succeededFuture(b.build());
  }

  private Future<RegisterResponse> register(RegisterRequest r) {
    ManagementEndpoint m = requireManagement();
    String address = r.getAddress();
    if (!Discovery.isValidAddress(address)) {
      throw ClientError.invalid("missing or invalid address (where the registering node is reached, host:port)")
          .exception();
    }
    String request = Discovery.registrationRequestId(address, r.getRequestId());
    return m.handleRegister(address, request, r.getNodeId())
        .recover(e -> {
          ClientError error = ClientError.of(e);
          // a member not (yet) able to register anyone (not started, own registration not applied): another may
          return Future.failedFuture(error.code() == ErrorCode.INTERNAL
              ? ClientError.unavailable(e.getMessage()).exception() : error.exception());
        })
        .map(id -> RegisterResponse.newBuilder().setNodeId(id).build());
  }

  private Future<HeartbeatResponse> heartbeat(HeartbeatRequest r) {
    ManagementEndpoint m = requireManagement();
    if (r.getNodeId() <= 0) {
      throw ClientError.invalid("node_id must be > 0").exception();
    }
    if (!m.isManagementLeader()) {
      return Future.succeededFuture(notLeader(m));
    }
    return m.handleHeartbeat(r.getNodeId())
        .map(v -> HeartbeatResponse.newBuilder().setAccepted(true).setLeaderNodeId(m.nodeId())
            .setLeaderAddress(WorkflowProto.nonNull(Discovery.of(m).address())).build())
        // lost the leadership meanwhile
        .otherwise(e -> notLeader(m));
  }

  private static HeartbeatResponse notLeader(ManagementEndpoint m) {
    Discovery d = Discovery.of(m);
    return HeartbeatResponse.newBuilder().setAccepted(false).setLeaderNodeId(d.leaderId())
        .setLeaderAddress(WorkflowProto.nonNull(d.leaderAddress())).setError(d.notLeaderMessage()).build();
  }

  private ManagementEndpoint requireManagement() {
    if (management == null) {
      throw ClientError.unavailable("this node serves no management endpoint").exception();
    }
    return management;
  }
}
