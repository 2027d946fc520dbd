package io.raftoral.grpc.api;

import io.raftoral.async.Bridge;
import io.raftoral.client.NetworkClientOptions;
import io.raftoral.client.NetworkWorkflowClient;
import io.raftoral.workflow.RemoteCall;
import io.raftoral.grpc.api.proto.GetWorkflowHistoryRequest;
import io.raftoral.grpc.api.proto.GetWorkflowRequest;
import io.raftoral.grpc.api.proto.ListWorkflowsRequest;
import io.raftoral.grpc.api.proto.QueryWorkflowRequest;
import io.raftoral.grpc.api.proto.QueryWorkflowResponse;
import io.raftoral.grpc.api.proto.RunWorkflowRequest;
import io.raftoral.grpc.api.proto.SignalWorkflowRequest;
import io.raftoral.grpc.api.proto.TerminateWorkflowRequest;
import io.raftoral.grpc.api.proto.WaitForWorkflowRequest;
import io.raftoral.grpc.api.proto.WorkflowInfo;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcClient;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link JsonWorkflowClient} over a node's gRPC API ({@link WorkflowGrpcApi}): what scripts and the CLI's
 * {@code client} command use instead of grpcurl. Given several node addresses it tries them in turn, moving on
 * only when a node cannot be connected to (so a request is never sent twice); the node that answered last is tried
 * first next time.
 *
 * <p>Failed calls come back as the exceptions {@link JsonWorkflowClient} documents ({@link WorkflowNotFoundException},
 * {@link WorkflowNotRegisteredException}, {@link WorkflowIdConflictException}, {@link WorkflowWaitTimeoutException},
 * {@link IllegalArgumentException}), anything else (UNAVAILABLE: no leader; unreachable nodes) as
 * {@link GrpcApiException}. Waits take whole seconds on the wire: a timeout is rounded up to the next second.
 *
 * <p>The returned {@link Uni}s are lazy and emit on a Vert.x event loop (the subscriber's context when subscribed
 * on one).
 */
public final class GrpcWorkflowClient extends NetworkWorkflowClient<GrpcClient> {

  /** A client of the nodes at the options' addresses ({@code host:port}); over TLS when the options' TLS is enabled. */
  public GrpcWorkflowClient(Vertx vertx, NetworkClientOptions options) {
    super(options, GrpcCalls.client(vertx, options.getTls()), GrpcClient::close);
  }

  @Override
  public Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options) {
    RunWorkflowRequest.Builder r = RunWorkflowRequest.newBuilder().setWorkflowType(name).setVersion(version)
        .setInputJson(inputJson == null ? "null" : inputJson);
    if (options != null && options.getWorkflowId() != null) {
      r.setWorkflowId(options.getWorkflowId());
    }
    // RunWorkflowAsync answers only the ids; the status at start comes from GetWorkflow on the same node
    return call(WorkflowManagementGrpcClient.RunWorkflowAsync, r.build(), requestTimeoutMillis(),
        RemoteCall.start(name, version))
        .flatMap(started -> call(WorkflowManagementGrpcClient.GetWorkflow, GetWorkflowRequest.newBuilder()
            .setWorkflowId(started.getWorkflowId()).setExecutionClusterId(started.getExecutionClusterId()).build(),
            requestTimeoutMillis(), RemoteCall.about(started.getWorkflowId())))
        .map(WorkflowProto::fromProto);
  }

  @Override
  public Uni<WorkflowStatus> await(String workflowId, Long executionClusterId, Duration timeout) {
    Duration wait = timeout == null ? Duration.ofSeconds(30) : timeout;
    int seconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (wait.toMillis() + 999) / 1000));
    WaitForWorkflowRequest r = WaitForWorkflowRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId).setTimeoutSeconds(seconds).build();
    return call(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, r, seconds * 1000L + requestTimeoutMillis(),
        RemoteCall.await(workflowId, wait))
        // the wait answer carries the outcome; the full status (times, owner, input) comes from GetWorkflow
        .flatMap(done -> status(workflowId, done.getExecutionClusterId() == 0 ? executionClusterId
            : done.getExecutionClusterId()));
  }

  @Override
  public Uni<WorkflowStatus> status(String workflowId, Long executionClusterId) {
    GetWorkflowRequest r = GetWorkflowRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId).build();
    return call(WorkflowManagementGrpcClient.GetWorkflow, r, requestTimeoutMillis(), RemoteCall.about(workflowId))
        .map(WorkflowProto::fromProto);
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    WorkflowFilter f = filter == null ? WorkflowFilter.all() : filter;
    ListWorkflowsRequest.Builder r = ListWorkflowsRequest.newBuilder().setLimit(f.limit());
    if (f.states().size() < WorkflowState.values().length) {
      f.states().forEach(s -> r.addStates(WorkflowProto.toProto(s)));
    }
    if (f.workflowType() != null) {
      r.setWorkflowType(f.workflowType());
    }
    return call(WorkflowManagementGrpcClient.ListWorkflows, r.build(), requestTimeoutMillis(), RemoteCall.list())
        .map(answer -> {
          List<WorkflowStatus> all = new ArrayList<>();
          for (WorkflowInfo i : answer.getWorkflowsList()) {
            WorkflowStatus s = WorkflowProto.fromProto(i);
            // the wire has no time range: the filter's remaining conditions are applied here
            if (f.test(s)) {
              all.add(s);
            }
          }
          return List.copyOf(all);
        });
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, Long executionClusterId, String reason) {
    TerminateWorkflowRequest r = TerminateWorkflowRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId)
        .setReason(reason == null ? "" : reason).build();
    return call(WorkflowManagementGrpcClient.TerminateWorkflow, r, requestTimeoutMillis(), RemoteCall.about(workflowId))
        .map(WorkflowProto::fromProto);
  }

  @Override
  public Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson,
      String signalId) {
    // one id for every attempt: a retry on another node after an unknown outcome is the same signal
    SignalWorkflowRequest r = SignalWorkflowRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId)
        .setSignal(name == null ? "" : name).setInputJson(payloadJson == null ? "null" : payloadJson)
        .setSignalId(signalId != null ? signalId : UUID.randomUUID().toString()).build();
    return call(WorkflowManagementGrpcClient.SignalWorkflow, r, requestTimeoutMillis(), RemoteCall.about(workflowId))
        .map(answer -> WorkflowProto.fromProto(answer.getWorkflow()));
  }

  @Override
  public Uni<String> query(String workflowId, Long executionClusterId, String name) {
    QueryWorkflowRequest r = QueryWorkflowRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId)
        .setQuery(name == null ? "" : name).build();
    return call(WorkflowManagementGrpcClient.QueryWorkflow, r, requestTimeoutMillis(), RemoteCall.about(workflowId))
        .map(QueryWorkflowResponse::getResultJson);
  }

  /**
   * {@inheritDoc} A page size below 1 is refused here: on the wire 0 is the unset value, which the server would take
   * for its default.
   */
  @Override
  public Uni<HistoryPage> history(String workflowId, Long executionClusterId, int pageSize, String pageToken) {
    if (pageSize < 1) {
      return Uni.createFrom().failure(new IllegalArgumentException("page size must be 1 to "
          + HistoryPage.MAX_PAGE_SIZE + ": " + pageSize));
    }
    GetWorkflowHistoryRequest r = GetWorkflowHistoryRequest.newBuilder().setWorkflowId(workflowId)
        .setExecutionClusterId(executionClusterId == null ? 0 : executionClusterId).setPageSize(pageSize)
        .setPageToken(pageToken == null ? "" : pageToken).build();
    return call(WorkflowManagementGrpcClient.GetWorkflowHistory, r, requestTimeoutMillis(),
        RemoteCall.about(workflowId)).map(GrpcHistory::fromProto);
  }

  // -----------------------------------------------------------------------------------------------------------------

  /**
   * Calls {@code method} (with failover between the nodes); an error answer fails with the exception it stands for
   * in {@code remote}, else with the {@link GrpcApiException} of the call.
   */
  private <Req, Resp> Uni<Resp> call(ServiceMethod<Resp, Req> method, Req request, long timeoutMillis,
      RemoteCall remote) {
    return Bridge.uni(() -> nodes().call(node -> GrpcCalls.unary(client(), node, method, request, timeoutMillis),
            e -> e instanceof GrpcApiException, GrpcApiException::new)
        .recover(e -> Future.failedFuture(rebuilt(e, remote))));
  }

  private static Throwable rebuilt(Throwable failure, RemoteCall remote) {
    if (failure instanceof GrpcApiException g && g.errorCode() != null) {
      RuntimeException mapped = remote.exception(g.errorCode(), g.getMessage());
      return mapped == null ? failure : mapped;
    }
    return failure;
  }
}
