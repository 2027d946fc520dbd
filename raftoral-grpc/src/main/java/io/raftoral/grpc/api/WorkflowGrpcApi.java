package io.raftoral.grpc.api;

import io.raftoral.grpc.api.proto.DiscoveryRequest;
import io.raftoral.grpc.api.proto.DiscoveryResponse;
import io.raftoral.grpc.api.proto.GetWorkflowRequest;
import io.raftoral.grpc.api.proto.HeartbeatRequest;
import io.raftoral.grpc.api.proto.HeartbeatResponse;
import io.raftoral.grpc.api.proto.ListWorkflowsRequest;
import io.raftoral.grpc.api.proto.ListWorkflowsResponse;
import io.raftoral.grpc.api.proto.PeerInfo;
import io.raftoral.grpc.api.proto.RaftServiceGrpcService;
import io.raftoral.grpc.api.proto.RegisterRequest;
import io.raftoral.grpc.api.proto.RegisterResponse;
import io.raftoral.grpc.api.proto.RunWorkflowAsyncResponse;
import io.raftoral.grpc.api.proto.RunWorkflowRequest;
import io.raftoral.grpc.api.proto.RunWorkflowResponse;
import io.raftoral.grpc.api.proto.TerminateWorkflowRequest;
import io.raftoral.grpc.api.proto.WaitForWorkflowRequest;
import io.raftoral.grpc.api.proto.WorkflowInfo;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcService;
import io.raftoral.management.ManagementEndpoint;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.Service;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The gRPC API of a node (schema: {@code raftoral_api.proto}, package {@code raftoral}), as services to add to a
 * Vert.x {@link GrpcServer} (the same server can carry the node-to-node Raft transport):
 *
 * <ul>
 *   <li>{@code raftoral.WorkflowManagement}: RunWorkflowAsync, WaitForWorkflowCompletion, RunWorkflowSync,
 *       ListWorkflows, GetWorkflow, TerminateWorkflow, with the quickstart's field names
 *       ({@code workflow_type}, {@code version}, {@code input_json} -> {@code workflow_id},
 *       {@code execution_cluster_id}; {@code success}, {@code result_json}, {@code error});</li>
 *   <li>{@code raftoral.RaftService}: Discover, Register, Heartbeat (served from the node's
 *       {@link ManagementEndpoint}; UNAVAILABLE when the node has none);</li>
 *   <li>the standard {@code grpc.health.v1.Health} (vertx-grpc-health: Check, Watch, List);</li>
 *   <li>server reflection (vertx-grpc-reflection), so that {@code grpcurl} works without the .proto file.</li>
 * </ul>
 *
 * <p>Errors of a call are gRPC statuses: INVALID_ARGUMENT (bad input, unregistered type/version), NOT_FOUND
 * (unknown workflow), DEADLINE_EXCEEDED (a wait ran out of time; the workflow keeps running), ALREADY_EXISTS
 * (workflow id used by another type/version), UNAVAILABLE (no leader, cluster unavailable, no management endpoint).
 * The trailer {@code raftoral-error-code} carries a stable code (e.g. {@code WORKFLOW_NOT_REGISTERED}). A
 * workflow that ran and failed is no error of the call: the answer has {@code success = false}.
 *
 * <p>Threading: the handlers run on the gRPC server's event loop and never block; results of the workflow client
 * are brought back to the call's context before the answer is written.
 */
public final class WorkflowGrpcApi {

  private static final int MAX_WORKFLOW_ID_LENGTH = 256;
  private static final int MAX_ADDRESS_LENGTH = 1024;

  private final JsonWorkflowClient workflows;
  private final ManagementEndpoint management;
  private final GrpcApiOptions options;
  private final HealthService health;

  /**
   * @param vertx the Vert.x instance of the server (health checks run on it)
   * @param workflows the workflow operations served
   * @param management the node's management endpoint, or null when it serves none
   * @param options limits and defaults
   */
  public WorkflowGrpcApi(Vertx vertx, JsonWorkflowClient workflows, ManagementEndpoint management,
      GrpcApiOptions options) {
    this.workflows = Objects.requireNonNull(workflows, "workflows");
    this.management = management;
    this.options = new GrpcApiOptions(Objects.requireNonNull(options, "options"));
    // "" is the server as a whole (what `grpcurl ... grpc.health.v1.Health/Check` asks without a service name)
    // The empty service name (what `grpcurl ... grpc.health.v1.Health/Check` asks) is answered SERVING by
    // vertx-grpc-health whenever the server answers at all: liveness. The named services are SERVING once the node
    // has joined (its own registration is in its view of the directory): readiness, as HTTP /health.
    this.health = HealthService.create(vertx)
        .register(WorkflowManagementGrpcService.SERVICE_NAME, () -> Future.succeededFuture(isReady()))
        .register(RaftServiceGrpcService.SERVICE_NAME, () -> Future.succeededFuture(management != null && isReady()));
  }

  private boolean isReady() {
    return management == null || management.view().nodes().containsKey(management.nodeId());
  }

  /** The health service, e.g. to register further checks. */
  public HealthService health() {
    return health;
  }

  /** The services of this API, the reflection service last (it describes the services the server has). */
  public List<Service> services() {
    Service workflowService = Service.service(WorkflowManagementGrpcService.SERVICE_NAME,
            WorkflowManagementGrpcService.SERVICE_DESCRIPTOR)
        .bind(WorkflowManagementGrpcService.RunWorkflowAsync, unary(this::runWorkflowAsync))
        .bind(WorkflowManagementGrpcService.WaitForWorkflowCompletion, unary(this::waitForWorkflowCompletion))
        .bind(WorkflowManagementGrpcService.RunWorkflowSync, unary(this::runWorkflowSync))
        .bind(WorkflowManagementGrpcService.ListWorkflows, unary(this::listWorkflows))
        .bind(WorkflowManagementGrpcService.GetWorkflow, unary(this::getWorkflow))
        .bind(WorkflowManagementGrpcService.TerminateWorkflow, unary(this::terminateWorkflow))
        .build();
    Service discoveryService = Service.service(RaftServiceGrpcService.SERVICE_NAME,
            RaftServiceGrpcService.SERVICE_DESCRIPTOR)
        .bind(RaftServiceGrpcService.Discover, unary(this::discover))
        .bind(RaftServiceGrpcService.Register, unary(this::register))
        .bind(RaftServiceGrpcService.Heartbeat, unary(this::heartbeat))
        .build();
    return List.of(workflowService, discoveryService, health, ReflectionService.v1());
  }

  /** Adds {@link #services()} to {@code server}. */
  public GrpcServer addTo(GrpcServer server) {
    services().forEach(server::addService);
    return server;
  }

  // ----- WorkflowManagement ------------------------------------------------------------------------------------------

  private Future<RunWorkflowAsyncResponse> runWorkflowAsync(RunWorkflowRequest r) {
    return start(r).map(s -> RunWorkflowAsyncResponse.newBuilder().setWorkflowId(s.workflowId())
        .setExecutionClusterId(s.executionClusterId()).build());
  }

  private Future<RunWorkflowResponse> runWorkflowSync(RunWorkflowRequest r) {
    Duration timeout = waitTimeout(r.getTimeoutSeconds());
    return start(r).compose(s -> future(workflows.await(s.workflowId(), s.executionClusterId(), timeout)))
        .map(WorkflowProto::outcome);
  }

  private Future<WorkflowStatus> start(RunWorkflowRequest r) {
    if (r.getWorkflowType().isBlank()) {
      throw GrpcError.invalid("missing workflow_type (e.g. \"ping_pong\")").failure();
    }
    String input = r.getInputJson().isEmpty() ? "null" : r.getInputJson();
    try {
      Json.decodeValue(input);
    } catch (DecodeException e) {
      throw GrpcError.invalid("input_json must be JSON text, e.g. \"\\\"ping\\\"\" for the string ping; "
          + firstLine(e.getMessage())).failure();
    }
    if (r.getVersion() < 0) { // uint32 arrives as a signed int: negative is above Integer.MAX_VALUE
      throw GrpcError.invalid("version too large: " + Integer.toUnsignedString(r.getVersion())).failure();
    }
    StartOptions start = new StartOptions();
    if (!r.getWorkflowId().isEmpty()) {
      start.setWorkflowId(checkWorkflowId(r.getWorkflowId()));
    }
    return future(workflows.start(r.getWorkflowType(), r.getVersion(), input, start));
  }

  private Future<RunWorkflowResponse> waitForWorkflowCompletion(WaitForWorkflowRequest r) {
    String id = requiredWorkflowId(r.getWorkflowId());
    Duration timeout = waitTimeout(r.getTimeoutSeconds());
    return future(workflows.await(id, clusterHint(r.getExecutionClusterId()), timeout)).map(WorkflowProto::outcome);
  }

  private Future<ListWorkflowsResponse> listWorkflows(ListWorkflowsRequest r) {
    WorkflowFilter filter = WorkflowFilter.all();
    Set<WorkflowState> states = EnumSet.noneOf(WorkflowState.class);
    for (io.raftoral.grpc.api.proto.WorkflowState s : r.getStatesList()) {
      WorkflowState state = WorkflowProto.fromProto(s);
      if (state == null) {
        throw GrpcError.invalid("unknown workflow state " + s + " in states").failure();
      }
      states.add(state);
    }
    if (!states.isEmpty()) {
      filter.states(states.iterator().next(), states.stream().skip(1).toArray(WorkflowState[]::new));
    }
    if (!r.getWorkflowType().isEmpty()) {
      filter.workflowType(r.getWorkflowType());
    }
    if (r.getLimit() > options.getMaxListLimit() || r.getLimit() < 0) {
      throw GrpcError.invalid("limit must be between 0 and " + options.getMaxListLimit() + ", was "
          + Integer.toUnsignedString(r.getLimit())).failure();
    }
    filter.limit(r.getLimit() == 0 ? options.getDefaultListLimit() : r.getLimit());
    return future(workflows.list(filter)).map(all -> {
      ListWorkflowsResponse.Builder b = ListWorkflowsResponse.newBuilder();
      all.forEach(s -> b.addWorkflows(WorkflowProto.toProto(s)));
      return b.build();
    });
  }

  private Future<WorkflowInfo> getWorkflow(GetWorkflowRequest r) {
    String id = requiredWorkflowId(r.getWorkflowId());
    return future(workflows.status(id, clusterHint(r.getExecutionClusterId()))).map(WorkflowProto::toProto);
  }

  private Future<WorkflowInfo> terminateWorkflow(TerminateWorkflowRequest r) {
    String id = requiredWorkflowId(r.getWorkflowId());
    String reason = r.getReason().isBlank() ? "terminated through the gRPC API" : r.getReason();
    return future(workflows.terminate(id, clusterHint(r.getExecutionClusterId()), reason))
        .map(WorkflowProto::toProto);
  }

  // ----- RaftService (discovery) -------------------------------------------------------------------------------------

  private Future<DiscoveryResponse> discover(DiscoveryRequest r) {
    ManagementEndpoint m = requireManagement();
    ManagementView view = m.view();
    long self = m.nodeId();
    long leader = m.managementLeaderId();
    long highest = Math.max(self, Math.max(view.nextNodeId() - 1, view.nodes().isEmpty() ? 0 : view.nodes().lastKey()));
    int voters = m.managementVoters().size();
    DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder()
        .setNodeId(self)
        .setHighestKnownNodeId(highest)
        .setAddress(view.node(self).map(NodeRecord::address).orElse(""))
        .setManagementLeaderNodeId(leader)
        .setManagementLeaderAddress(leader == 0 ? "" : view.node(leader).map(NodeRecord::address).orElse(""))
        .setShouldJoinAsVoter(voters < m.maxVoters())
        .setCurrentVoterCount(voters)
        .setMaxVoters(m.maxVoters());
    for (NodeRecord n : view.nodes().values()) {
      b.addPeers(PeerInfo.newBuilder().setNodeId(n.id()).setAddress(n.address()).setState(n.state().name()));
    }
    return Future.succeededFuture(b.build());
  }

  private Future<RegisterResponse> register(RegisterRequest r) {
    ManagementEndpoint m = requireManagement();
    String address = r.getAddress();
    if (address.isBlank() || address.length() > MAX_ADDRESS_LENGTH) {
      throw GrpcError.invalid("missing or invalid address (where the registering node is reached, host:port)")
          .failure();
    }
    // the address identifies a retry as well as a request id does (see ManagementClient#register)
    String request = r.getRequestId().isBlank() ? "address:" + address : r.getRequestId();
    return m.handleRegister(address, request)
        .recover(e -> {
          GrpcError error = GrpcError.of(e);
          // a member not (yet) able to register anyone (not started, own registration not applied): another may
          return Future.failedFuture(error.code().equals(GrpcError.INTERNAL)
              ? GrpcError.unavailable(e.getMessage()).failure() : error.failure());
        })
        .map(id -> RegisterResponse.newBuilder().setNodeId(id).build());
  }

  private Future<HeartbeatResponse> heartbeat(HeartbeatRequest r) {
    ManagementEndpoint m = requireManagement();
    if (r.getNodeId() <= 0) {
      throw GrpcError.invalid("node_id must be > 0").failure();
    }
    if (!m.isManagementLeader()) {
      return Future.succeededFuture(notLeader(m));
    }
    return m.handleHeartbeat(r.getNodeId())
        .map(v -> HeartbeatResponse.newBuilder().setAccepted(true).setLeaderNodeId(m.nodeId())
            .setLeaderAddress(m.view().node(m.nodeId()).map(NodeRecord::address).orElse("")).build())
        // lost the leadership meanwhile
        .otherwise(e -> notLeader(m));
  }

  private static HeartbeatResponse notLeader(ManagementEndpoint m) {
    long leader = m.managementLeaderId();
    String address = leader == 0 ? "" : m.view().node(leader).map(NodeRecord::address).orElse("");
    return HeartbeatResponse.newBuilder().setAccepted(false).setLeaderNodeId(leader).setLeaderAddress(address)
        .setError("node " + m.nodeId() + " is not the management leader; " + (leader == 0 ? "it knows no leader"
            : "leader is node " + leader + (address.isEmpty() ? "" : " at " + address)))
        .build();
  }

  private ManagementEndpoint requireManagement() {
    if (management == null) {
      throw GrpcError.unavailable("this node serves no management endpoint").failure();
    }
    return management;
  }

  // ----- plumbing ------------------------------------------------------------------------------------------------

  /**
   * A handler of a unary call: runs {@code impl} on the request, answers its result or the status its failure maps
   * to (never an unanswered call, whatever {@code impl} throws), on the call's context.
   */
  private static <Req, Resp> Handler<GrpcServerRequest<Req, Resp>> unary(Function<Req, Future<Resp>> impl) {
    return request -> request.invalidMessageHandler(invalid -> {
      // a message over the server's maximum size: an answer naming the limit rather than a reset stream (bytes
      // that do not decode as the request message are refused by vertx-grpc itself, with a CANCELLED reset)
      GrpcServerResponse<Req, Resp> response = request.response();
      boolean tooLarge = invalid instanceof MessageSizeOverflowException;
      response.trailers().set(GrpcError.ERROR_CODE_TRAILER, tooLarge ? "MESSAGE_TOO_LARGE" : GrpcError.INVALID_ARGUMENT);
      response.status(tooLarge ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.INVALID_ARGUMENT)
          .statusMessage((tooLarge ? "request message too large: " : "malformed request message: ")
              + invalid.getMessage()).end();
    }).handler(message -> {
      Context context = Vertx.currentContext();
      Future<Resp> answer;
      try {
        answer = impl.apply(message);
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      Future.fromCompletionStage(answer.toCompletionStage(), context).onComplete(ar -> {
        GrpcServerResponse<Req, Resp> response = request.response();
        if (ar.succeeded()) {
          response.end(ar.result());
        } else {
          GrpcError error = GrpcError.of(ar.cause());
          response.trailers().set(GrpcError.ERROR_CODE_TRAILER, error.code());
          response.status(error.status()).statusMessage(error.message()).end();
        }
      });
    });
  }

  private static <T> Future<T> future(Uni<T> uni) {
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }

  private Duration waitTimeout(int seconds) {
    if (seconds == 0) {
      return Duration.ofSeconds(options.getDefaultWaitTimeoutSeconds());
    }
    // uint32 arrives as a signed int: a negative value is a huge unsigned one
    if (seconds < 0 || seconds > options.getMaxWaitTimeoutSeconds()) {
      throw GrpcError.invalid("timeout_seconds must be between 0 and " + options.getMaxWaitTimeoutSeconds()
          + ", was " + Integer.toUnsignedString(seconds)).failure();
    }
    return Duration.ofSeconds(seconds);
  }

  /** 0 (unset) means "find it"; so does any value, as a hint. */
  private static Long clusterHint(long id) {
    return id == 0 ? null : id;
  }

  private static String requiredWorkflowId(String id) {
    if (id.isEmpty()) {
      throw GrpcError.invalid("missing workflow_id").failure();
    }
    return checkWorkflowId(id);
  }

  private static String checkWorkflowId(String id) {
    if (id.isBlank() || id.length() > MAX_WORKFLOW_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
      throw GrpcError.invalid("invalid workflow_id: must be 1-" + MAX_WORKFLOW_ID_LENGTH
          + " characters, not blank, without control characters").failure();
    }
    return id;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
