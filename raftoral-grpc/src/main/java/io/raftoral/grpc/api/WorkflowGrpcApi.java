package io.raftoral.grpc.api;

import static io.raftoral.grpc.api.GrpcHandlers.unary;

import io.raftoral.async.Bridge;
import io.raftoral.events.NodeEvents;
import io.raftoral.grpc.api.proto.GetWorkflowRequest;
import io.raftoral.grpc.api.proto.ListWorkflowsRequest;
import io.raftoral.grpc.api.proto.ListWorkflowsResponse;
import io.raftoral.grpc.api.proto.RaftServiceGrpcService;
import io.raftoral.grpc.api.proto.RunWorkflowAsyncResponse;
import io.raftoral.grpc.api.proto.RunWorkflowRequest;
import io.raftoral.grpc.api.proto.RunWorkflowResponse;
import io.raftoral.grpc.api.proto.TerminateWorkflowRequest;
import io.raftoral.grpc.api.proto.WaitForWorkflowRequest;
import io.raftoral.grpc.api.proto.WorkflowInfo;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcService;
import io.raftoral.management.Discovery;
import io.raftoral.management.ManagementEndpoint;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ClientErrorException;
import io.raftoral.workflow.JsonInputs;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIds;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The gRPC API of a node (schema: {@code raftoral_api.proto}, package {@code raftoral}), as services to add to a
 * Vert.x {@link GrpcServer} (the same server can carry the node-to-node Raft transport):
 *
 * <ul>
 *   <li>{@code raftoral.WorkflowManagement}: RunWorkflowAsync, WaitForWorkflowCompletion, RunWorkflowSync,
 *       ListWorkflows, GetWorkflow, TerminateWorkflow, SignalWorkflow, QueryWorkflow (by {@link GrpcSignalQuery}),
 *       GetWorkflowHistory (by {@link GrpcHistory}),
 *       and the WatchEvents stream when given the node's {@link #events events}, with the quickstart's field names
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
 * <p>Discovery is served by {@link GrpcDiscoveryService}, errors mapped by {@link GrpcErrors}.
 *
 * <p>Threading: the handlers run on the gRPC server's event loop and never block; results of the workflow client
 * are brought back to the call's context before the answer is written.
 */
public final class WorkflowGrpcApi {

  private final JsonWorkflowClient workflows;
  private final GrpcDiscoveryService discovery;
  private final GrpcApiOptions options;
  private final HealthService health;
  private final GrpcSignalQuery signalQuery;
  private final GrpcHistory history;
  private NodeEvents events;

  /**
   * @param vertx the Vert.x instance of the server (health checks run on it)
   * @param workflows the workflow operations served
   * @param management the node's management endpoint, or null when it serves none
   * @param options limits and defaults
   */
  public WorkflowGrpcApi(Vertx vertx, JsonWorkflowClient workflows, ManagementEndpoint management,
      GrpcApiOptions options) {
    this.workflows = Objects.requireNonNull(workflows, "workflows");
    this.discovery = new GrpcDiscoveryService(management);
    this.options = new GrpcApiOptions(Objects.requireNonNull(options, "options"));
    this.signalQuery = new GrpcSignalQuery(workflows);
    this.history = new GrpcHistory(workflows);
    // The empty service name (what `grpcurl ... grpc.health.v1.Health/Check` asks) is answered SERVING by
    // vertx-grpc-health whenever the server answers at all: liveness. The named services are SERVING once the node
    // has joined (its own registration is in its view of the directory): readiness, as HTTP /health.
    this.health = HealthService.create(vertx)
        .register(WorkflowManagementGrpcService.SERVICE_NAME,
            () -> Future.succeededFuture(Discovery.isReady(management)))
        .register(RaftServiceGrpcService.SERVICE_NAME,
            () -> Future.succeededFuture(management != null && Discovery.isReady(management)));
  }

  /**
   * Serves {@code WatchEvents} from {@code nodeEvents} (without it the call is UNIMPLEMENTED). Call before
   * {@link #services()}.
   */
  public WorkflowGrpcApi events(NodeEvents nodeEvents) {
    this.events = Objects.requireNonNull(nodeEvents, "nodeEvents");
    return this;
  }

  /** The health service, e.g. to register further checks. */
  public HealthService health() {
    return health;
  }

  /** The services of this API, the reflection service last (it describes the services the server has). */
  public List<Service> services() {
    ServiceBuilder workflows = Service.service(WorkflowManagementGrpcService.SERVICE_NAME,
            WorkflowManagementGrpcService.SERVICE_DESCRIPTOR)
        .bind(WorkflowManagementGrpcService.RunWorkflowAsync, unary(this::runWorkflowAsync))
        .bind(WorkflowManagementGrpcService.WaitForWorkflowCompletion, unary(this::waitForWorkflowCompletion))
        .bind(WorkflowManagementGrpcService.RunWorkflowSync, unary(this::runWorkflowSync))
        .bind(WorkflowManagementGrpcService.ListWorkflows, unary(this::listWorkflows))
        .bind(WorkflowManagementGrpcService.GetWorkflow, unary(this::getWorkflow))
        .bind(WorkflowManagementGrpcService.TerminateWorkflow, unary(this::terminateWorkflow))
        .bind(WorkflowManagementGrpcService.SignalWorkflow, unary(signalQuery::signalWorkflow))
        .bind(WorkflowManagementGrpcService.QueryWorkflow, unary(signalQuery::queryWorkflow))
        .bind(WorkflowManagementGrpcService.GetWorkflowHistory, unary(history::getWorkflowHistory));
    if (events != null) {
      workflows.bind(WorkflowManagementGrpcService.WatchEvents, new GrpcEventStream(events));
    }
    Service workflowService = workflows.build();
    return List.of(workflowService, discovery.service(), health, ReflectionService.v1());
  }

  /** Adds {@link #services()} to {@code server}. */
  public GrpcServer addTo(GrpcServer server) {
    services().forEach(server::addService);
    return server;
  }

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
      throw invalid("missing workflow_type (e.g. \"ping_pong\")");
    }
    String input = JsonInputs.check("input_json", r.getInputJson().isEmpty() ? "null" : r.getInputJson());
    if (r.getVersion() < 0) { // uint32 arrives as a signed int: negative is above Integer.MAX_VALUE
      throw invalid("version too large: " + Integer.toUnsignedString(r.getVersion()));
    }
    StartOptions start = new StartOptions();
    if (!r.getWorkflowId().isEmpty()) {
      start.setWorkflowId(WorkflowIds.check("workflow_id", r.getWorkflowId()));
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
        throw invalid("unknown workflow state " + s + " in states");
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
      throw invalid("limit must be between 0 and " + options.getMaxListLimit() + ", was "
          + Integer.toUnsignedString(r.getLimit()));
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

  // ----- request fields ----------------------------------------------------------------------------------------------

  private static <T> Future<T> future(Uni<T> uni) {
    return Bridge.future(uni);
  }

  private static ClientErrorException invalid(String message) {
    return ClientError.invalid(message).exception();
  }

  private Duration waitTimeout(int seconds) {
    if (seconds == 0) {
      return Duration.ofSeconds(wholeSeconds(options.getDefaultWaitTimeoutSeconds()));
    }
    // uint32 arrives as a signed int: a negative value is a huge unsigned one
    long max = wholeSeconds(options.getMaxWaitTimeoutSeconds());
    if (seconds < 0 || seconds > max) {
      throw invalid("timeout_seconds must be between 0 and " + max + ", was " + Integer.toUnsignedString(seconds));
    }
    return Duration.ofSeconds(seconds);
  }

  /** Waits travel in whole seconds: a setting is rounded up. */
  private static long wholeSeconds(double seconds) {
    return (long) Math.ceil(seconds);
  }

  /** 0 (unset) means "find it"; so does any value, as a hint. */
  private static Long clusterHint(long id) {
    return id == 0 ? null : id;
  }

  private static String requiredWorkflowId(String id) {
    if (id.isEmpty()) {
      throw invalid("missing workflow_id");
    }
    return WorkflowIds.check("workflow_id", id);
  }
}
