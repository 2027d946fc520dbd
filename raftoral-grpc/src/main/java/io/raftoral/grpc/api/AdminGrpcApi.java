package io.raftoral.grpc.api;

import io.raftoral.admin.AdminResults;
import io.raftoral.admin.NodeAdmin;
import io.raftoral.async.Bridge;
import io.raftoral.grpc.api.proto.AdminGrpcService;
import io.raftoral.grpc.api.proto.BackupNodeRequest;
import io.raftoral.grpc.api.proto.BackupNodeResponse;
import io.raftoral.grpc.api.proto.DrainNodeRequest;
import io.raftoral.grpc.api.proto.DrainProgress;
import io.raftoral.grpc.api.proto.GetTopologyRequest;
import io.raftoral.grpc.api.proto.NodeRef;
import io.raftoral.grpc.api.proto.RemoveNodeRequest;
import io.raftoral.grpc.api.proto.RemoveNodeResponse;
import io.raftoral.grpc.api.proto.TakeSnapshotRequest;
import io.raftoral.grpc.api.proto.TakeSnapshotResponse;
import io.raftoral.grpc.api.proto.TopologyResponse;
import io.raftoral.grpc.api.proto.TransferLeadershipRequest;
import io.raftoral.grpc.api.proto.TransferLeadershipResponse;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * {@code raftoral.Admin} (schema: {@code raftoral_admin.proto}): the operator commands of a node ({@link NodeAdmin})
 * over gRPC, the same commands and refusals as the REST API under {@code /admin}. PERMISSION_DENIED when admin
 * operations are off on the node or, on a TLS connection, the caller presented no client certificate.
 *
 * <p>Threading: handlers run on the server's event loop and never block; a backup runs on a worker.
 */
public final class AdminGrpcApi {

  private final NodeAdmin admin;

  public AdminGrpcApi(NodeAdmin admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
  }

  /** The {@code raftoral.Admin} service. */
  public Service service() {
    return Service.service(AdminGrpcService.SERVICE_NAME, AdminGrpcService.SERVICE_DESCRIPTOR)
        .bind(AdminGrpcService.GetTopology, guarded(this::topology))
        .bind(AdminGrpcService.TransferLeadership, guarded(this::transferLeadership))
        .bind(AdminGrpcService.TakeSnapshot, guarded(this::snapshot))
        .bind(AdminGrpcService.RemoveNode, guarded(this::removeNode))
        .bind(AdminGrpcService.DrainNode, guarded(this::drain))
        .bind(AdminGrpcService.GetDrainStatus, guarded(r -> drainProgress(admin.drainStatus(r.getNodeId()))))
        .bind(AdminGrpcService.UndrainNode, guarded(r -> drainProgress(admin.undrain(r.getNodeId()))))
        .bind(AdminGrpcService.BackupNode, guarded(this::backup))
        .build();
  }

  /** Adds {@link #service()} to {@code server}. */
  public GrpcServer addTo(GrpcServer server) {
    return server.addService(service());
  }

  /** A unary handler that first refuses a caller admin operations are not open to. */
  private <Req, Resp> Handler<GrpcServerRequest<Req, Resp>> guarded(Function<Req, Future<Resp>> impl) {
    Handler<GrpcServerRequest<Req, Resp>> served = GrpcHandlers.unary(impl);
    return request -> {
      if (!admin.isEnabled()) {
        GrpcErrors.fail(request.response(), new ClientError(ErrorCode.PERMISSION_DENIED,
            "admin operations are disabled on node " + admin.nodeId() + " (start it with --admin-enabled)"));
        return;
      }
      HttpConnection connection = request.connection();
      if (connection != null && connection.isSsl() && !hasClientCertificate(connection)) {
        GrpcErrors.fail(request.response(), new ClientError(ErrorCode.PERMISSION_DENIED,
            "admin operations over TLS need a client certificate signed by a CA the node trusts"));
        return;
      }
      served.handle(request);
    };
  }

  private static boolean hasClientCertificate(HttpConnection connection) {
    try {
      return !connection.peerCertificates().isEmpty();
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private Future<TopologyResponse> topology(GetTopologyRequest r) {
    return Bridge.future(admin.topology()).map(AdminProto::topology);
  }

  private Future<TransferLeadershipResponse> transferLeadership(TransferLeadershipRequest r) {
    if (r.getToNodeId() == 0) {
      return invalid("to_node_id is required");
    }
    return Bridge.future(admin.transferLeadership(r.getGroupId(), r.getToNodeId())).map(t ->
        TransferLeadershipResponse.newBuilder().setGroupId(t.groupId()).setLeader(t.leaderId()).build());
  }

  private Future<TakeSnapshotResponse> snapshot(TakeSnapshotRequest r) {
    return Bridge.future(admin.snapshot(r.getGroupId())).map(s -> TakeSnapshotResponse.newBuilder()
        .setNodeId(s.nodeId()).setGroupId(s.groupId()).setSnapshotIndex(s.snapshotIndex()).build());
  }

  private Future<RemoveNodeResponse> removeNode(RemoveNodeRequest r) {
    Duration wait = r.hasWaitSeconds() ? Duration.ofSeconds(r.getWaitSeconds()) : NodeAdmin.DEFAULT_WAIT;
    return Bridge.future(admin.removeNode(r.getNodeId(), r.getForce(), wait)).map(x -> RemoveNodeResponse
        .newBuilder().setNodeId(x.nodeId()).setRemoved(x.removed()).setState(WorkflowProto.nonNull(x.state()))
        .build());
  }

  private Future<DrainProgress> drain(DrainNodeRequest r) {
    Duration wait = r.hasWaitSeconds() ? Duration.ofSeconds(r.getWaitSeconds()) : NodeAdmin.DEFAULT_WAIT;
    return drainProgress(admin.drain(r.getNodeId(), wait));
  }

  private static Future<DrainProgress> drainProgress(Uni<AdminResults.DrainProgress> call) {
    return Bridge.future(call).map(AdminProto::drain);
  }

  private Future<BackupNodeResponse> backup(BackupNodeRequest r) {
    if (r.getPath().isBlank()) {
      return invalid("path is required (an absolute directory on the node)");
    }
    Path target;
    try {
      target = Path.of(r.getPath());
    } catch (InvalidPathException e) {
      return invalid("path is not a path: " + r.getPath());
    }
    return Bridge.future(admin.backup(target)).map(b -> BackupNodeResponse.newBuilder().setNodeId(b.nodeId())
        .setPath(b.path()).setBytes(b.bytes()).build());
  }

  private static <T> Future<T> invalid(String message) {
    return Future.failedFuture(ClientError.invalid(message).exception());
  }
}
