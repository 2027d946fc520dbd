package io.raftoral.grpc.api;

import io.raftoral.transport.HostPort;
import io.raftoral.grpc.api.proto.HeartbeatRequest;
import io.raftoral.grpc.api.proto.RaftServiceGrpcClient;
import io.raftoral.grpc.api.proto.RegisterRequest;
import io.raftoral.management.ManagementClient;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link ManagementClient} over {@code raftoral.RaftService} of {@link WorkflowGrpcApi}, for a node that is not
 * (yet) a member of cluster 0 and knows only seed addresses ({@code --peers}).
 *
 * <ul>
 *   <li>{@link #register}: Register at each seed in turn until one answers with a node id. Any member of cluster 0
 *       can serve it (Raft forwards the registration to the management leader).</li>
 *   <li>{@link #heartbeat}: Heartbeat, which only the management leader accepts; another node answers
 *       {@code accepted = false} with the leader it knows of, where the client goes next, and which it remembers
 *       for the next heartbeat.</li>
 * </ul>
 *
 * <p>Futures complete on the caller's Vert.x context when called from one, else on an event loop of the client.
 */
public final class GrpcManagementClient implements ManagementClient, AutoCloseable {

  /** Default time for one call to one node. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;

  private final GrpcClient grpc;
  private final List<HostPort> seeds;
  private final long requestTimeoutMillis;
  private volatile HostPort knownLeader;

  public GrpcManagementClient(Vertx vertx, List<String> seeds) {
    this(vertx, seeds, DEFAULT_REQUEST_TIMEOUT_MILLIS);
  }

  public GrpcManagementClient(Vertx vertx, List<String> seeds, long requestTimeoutMillis) {
    this.seeds = HostPort.parseAll(seeds);
    this.grpc = GrpcClient.client(Objects.requireNonNull(vertx, "vertx"));
    this.requestTimeoutMillis = requestTimeoutMillis;
  }

  @Override
  public Future<Long> register(String address, String requestId) {
    RegisterRequest request = RegisterRequest.newBuilder().setAddress(address)
        .setRequestId(requestId == null ? "" : requestId).build();
    Set<HostPort> order = new LinkedHashSet<>();
    if (knownLeader != null) {
      order.add(knownLeader);
    }
    order.addAll(seeds);
    return registerAt(new ArrayList<>(order), 0, request, new ArrayList<>());
  }

  private Future<Long> registerAt(List<HostPort> order, int i, RegisterRequest request, List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(new GrpcApiException(GrpcStatus.UNAVAILABLE, ErrorCode.UNAVAILABLE.name(),
          "registration failed at every seed: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    return GrpcCalls.unary(grpc, node, RaftServiceGrpcClient.Register, request, requestTimeoutMillis)
        .transform(ar -> {
          if (ar.succeeded()) {
            return Future.succeededFuture(ar.result().getNodeId());
          }
          errors.add(node + ": " + ar.cause().getMessage());
          return registerAt(order, i + 1, request, errors);
        });
  }

  @Override
  public Future<Void> heartbeat(long nodeId) {
    List<HostPort> order = new ArrayList<>();
    if (knownLeader != null) {
      order.add(knownLeader);
    }
    order.addAll(seeds);
    return heartbeatAt(order, 0, HeartbeatRequest.newBuilder().setNodeId(nodeId).build(), new LinkedHashSet<>(),
        new ArrayList<>());
  }

  private Future<Void> heartbeatAt(List<HostPort> order, int i, HeartbeatRequest request, Set<HostPort> tried,
      List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(new GrpcApiException(GrpcStatus.UNAVAILABLE, ErrorCode.NOT_LEADER.name(),
          "no management leader took the heartbeat: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    if (!tried.add(node)) {
      return heartbeatAt(order, i + 1, request, tried, errors);
    }
    return GrpcCalls.unary(grpc, node, RaftServiceGrpcClient.Heartbeat, request, requestTimeoutMillis)
        .transform(ar -> {
          if (ar.succeeded() && ar.result().getAccepted()) {
            knownLeader = node;
            return Future.succeededFuture();
          }
          if (node.equals(knownLeader)) {
            knownLeader = null;
          }
          if (ar.succeeded()) {
            String hint = ar.result().getLeaderAddress();
            if (!hint.isEmpty()) {
              try {
                // the leader next: before the remaining seeds
                order.add(i + 1, HostPort.parse(hint));
              } catch (IllegalArgumentException ignored) {
                // an address we cannot use; the seeds remain
              }
            }
            errors.add(node + ": " + ar.result().getError());
          } else {
            errors.add(node + ": " + ar.cause().getMessage());
          }
          return heartbeatAt(order, i + 1, request, tried, errors);
        });
  }

  /** Closes the underlying gRPC client. */
  @Override
  public void close() {
    grpc.close();
  }
}
