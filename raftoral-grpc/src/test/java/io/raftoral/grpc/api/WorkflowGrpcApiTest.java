package io.raftoral.grpc.api;

import static io.raftoral.client.SeedManagementClient.seedOptions;
import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.raftoral.grpc.api.proto.DiscoveryRequest;
import io.raftoral.grpc.api.proto.DiscoveryResponse;
import io.raftoral.grpc.api.proto.GetWorkflowRequest;
import io.raftoral.grpc.api.proto.HeartbeatRequest;
import io.raftoral.grpc.api.proto.HeartbeatResponse;
import io.raftoral.grpc.api.proto.ListWorkflowsRequest;
import io.raftoral.grpc.api.proto.ListWorkflowsResponse;
import io.raftoral.grpc.api.proto.QueryWorkflowRequest;
import io.raftoral.grpc.api.proto.RaftServiceGrpcClient;
import io.raftoral.grpc.api.proto.RegisterRequest;
import io.raftoral.grpc.api.proto.RunWorkflowAsyncResponse;
import io.raftoral.grpc.api.proto.RunWorkflowRequest;
import io.raftoral.grpc.api.proto.RunWorkflowResponse;
import io.raftoral.grpc.api.proto.SignalWorkflowRequest;
import io.raftoral.grpc.api.proto.TerminateWorkflowRequest;
import io.raftoral.grpc.api.proto.WaitForWorkflowRequest;
import io.raftoral.grpc.api.proto.WorkflowInfo;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcClient;
import io.raftoral.testkit.ApiOptionsContract;
import io.raftoral.testkit.FakeManagementEndpoint;
import io.raftoral.testkit.PingPongApiTest;
import io.raftoral.testkit.PingPongCluster;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.WorkflowState;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gRPC API on a real gRPC server (loopback, ephemeral port) over a 3-node execution cluster: the quickstart's
 * grpcurl requests verbatim (parsed from their JSON as grpcurl does), status codes of failed calls, list, get and
 * terminate, health, discovery, and the network clients against the server.
 */
class WorkflowGrpcApiTest extends PingPongApiTest {

  WorkflowGrpcApiTest() {
    // the network clients' contract runs in PingPongApiTest
    super(new Clients(GrpcWorkflowClient::new, GrpcManagementClient::new, GrpcApiException.class,
        "input_json must be JSON text"));
  }

  @Test
  void optionsRoundTripThroughJson() {
    ApiOptionsContract.roundTripsThroughJson(new GrpcApiOptions().setDefaultWaitTimeoutSeconds(5)
        .setMaxWaitTimeoutSeconds(50).setDefaultListLimit(7).setMaxListLimit(70),
        GrpcApiOptions::new, GrpcApiOptions::new, o -> o.setMaxListLimit(0));
  }

  private static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> HEALTH_CHECK = ServiceMethod.client(
      ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  private HostPort node;
  private GrpcClient grpc;

  @Override
  protected Future<HttpServer> serveApi() {
    return serve(new WorkflowGrpcApi(vertx, cluster.client, management, new GrpcApiOptions()));
  }

  @BeforeAll
  void start() {
    node = new HostPort("127.0.0.1", server.actualPort());
    grpc = GrpcClient.client(vertx);
  }

  private Future<HttpServer> serve(WorkflowGrpcApi api) {
    GrpcServer grpcServer = GrpcServer.server(vertx);
    api.addTo(grpcServer);
    return vertx.createHttpServer().requestHandler(grpcServer).listen(0, "127.0.0.1");
  }

  @AfterAll
  void stop() throws Exception {
    if (grpc != null) {
      await(grpc.close());
    }
  }

  private <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) throws Exception {
    return await(GrpcCalls.unary(grpc, node, method, request, 30_000));
  }

  /** The failed call's exception (a {@link GrpcApiException} with status, error code and message). */
  private <Req, Resp> GrpcApiException failure(ServiceMethod<Resp, Req> method, Req request) {
    Throwable t = Assertions.catchThrowable(() -> call(method, request));
    assertThat(t).isInstanceOf(ExecutionException.class);
    assertThat(t.getCause()).isInstanceOf(GrpcApiException.class);
    return (GrpcApiException) t.getCause();
  }

  private static void assertFailure(GrpcApiException e, GrpcStatus status, String code, String messagePart) {
    assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.errorCode()).isEqualTo(code);
    assertThat(e.getMessage()).contains(messagePart);
  }

  /** As grpcurl reads its -d argument. */
  @SuppressWarnings("unchecked")
  private static <M extends Message> M parse(String json, Message.Builder builder) throws Exception {
    JsonFormat.parser().merge(json, builder);
    return (M) builder.build();
  }

  /** As grpcurl prints an answer (proto field names, 64-bit integers as strings, defaults left out). */
  private static JsonObject print(Message m) throws Exception {
    return new JsonObject(JsonFormat.printer().preservingProtoFieldNames().print(m));
  }

  // ----- the quickstart, verbatim -------------------------------------------------------------------------------

  @Test
  void quickstartRunAsyncThenWaitAnswersPong() throws Exception {
    // grpcurl -plaintext -d '{...}' 127.0.0.1:7001 raftoral.WorkflowManagement/RunWorkflowAsync
    RunWorkflowRequest start = parse("""
        {
          "workflow_type": "ping_pong",
          "version": 1,
          "input_json": "\\"ping\\""
        }""", RunWorkflowRequest.newBuilder());
    JsonObject started = print(call(WorkflowManagementGrpcClient.RunWorkflowAsync, start));
    // Returns: { "workflow_id": "abc-123", "execution_cluster_id": "1" }
    assertThat(started.fieldNames()).containsExactlyInAnyOrder("workflow_id", "execution_cluster_id");
    assertThat(started.getValue("execution_cluster_id")).isEqualTo("1");
    String id = started.getString("workflow_id");

    // grpcurl -plaintext -d '{...}' 127.0.0.1:7001 raftoral.WorkflowManagement/WaitForWorkflowCompletion
    WaitForWorkflowRequest wait = parse("""
        {
          "workflow_id": "%s",
          "execution_cluster_id": "1",
          "timeout_seconds": 30
        }""".formatted(id), WaitForWorkflowRequest.newBuilder());
    JsonObject done = print(call(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, wait));
    // Returns: { "success": true, "result_json": "\"pong\"" }
    assertThat(done.getBoolean("success")).isTrue();
    assertThat(done.getString("result_json")).isEqualTo("\"pong\"");
    assertThat(done.containsKey("error")).isFalse();
    assertThat(done.getString("state")).isEqualTo("WORKFLOW_STATE_COMPLETED");
  }

  @Test
  void theApprovalDemoIsSignalledAndQueriedWithTheReadmeGrpcurlShapes() throws Exception {
    String id = call(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("approval").setVersion(1).setInputJson("\"invoice 7\"").build()).getWorkflowId();
    QueryWorkflowRequest state = parse("""
        {"workflow_id": "%s", "query": "state"}""".formatted(id), QueryWorkflowRequest.newBuilder());
    long deadline = System.currentTimeMillis() + POLL_DEADLINE_MILLIS;
    JsonObject waiting = null;
    while (waiting == null) {
      try {
        waiting = print(call(WorkflowManagementGrpcClient.QueryWorkflow, state));
      } catch (ExecutionException e) {
        // The workflow's first run registers its query handler on a later turn.
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        await(Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(POLL_MILLIS)));
      }
    }
    assertThat(waiting.getBoolean("success")).isTrue();
    assertThat(waiting.getString("result_json")).isEqualTo("\"waiting\"");

    // grpcurl -plaintext -d '{...}' 127.0.0.1:7001 raftoral.WorkflowManagement/SignalWorkflow
    SignalWorkflowRequest approve = parse("""
        {"workflow_id": "%s", "signal": "approve", "input_json": "\\"Ada\\""}""".formatted(id),
        SignalWorkflowRequest.newBuilder());
    JsonObject signalled = print(call(WorkflowManagementGrpcClient.SignalWorkflow, approve));
    assertThat(signalled.getBoolean("success")).isTrue();
    assertThat(signalled.getString("execution_cluster_id")).isEqualTo("1");
    RunWorkflowResponse done = call(WorkflowManagementGrpcClient.WaitForWorkflowCompletion,
        WaitForWorkflowRequest.newBuilder().setWorkflowId(id).setTimeoutSeconds(30).build());
    assertThat(done.getResultJson()).isEqualTo("\"approved by Ada\"");
    assertThat(call(WorkflowManagementGrpcClient.QueryWorkflow, state).getResultJson()).isEqualTo("\"approved\"");
    assertFailure(failure(WorkflowManagementGrpcClient.SignalWorkflow, approve), GrpcStatus.FAILED_PRECONDITION,
        "WORKFLOW_NOT_RUNNING", "is not running");
  }

  @Test
  void signalAndQueryRefuseBadInputAndUnknownIds() throws Exception {
    assertFailure(failure(WorkflowManagementGrpcClient.SignalWorkflow, SignalWorkflowRequest.newBuilder()
        .setSignal("approve").build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "missing workflow_id");
    assertFailure(failure(WorkflowManagementGrpcClient.SignalWorkflow, SignalWorkflowRequest.newBuilder()
        .setWorkflowId("w").build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "missing signal");
    assertFailure(failure(WorkflowManagementGrpcClient.SignalWorkflow, SignalWorkflowRequest.newBuilder()
            .setWorkflowId("w").setSignal("approve").setInputJson("Ada").build()), GrpcStatus.INVALID_ARGUMENT,
        "INVALID_ARGUMENT", "input_json must be JSON text");
    assertFailure(failure(WorkflowManagementGrpcClient.SignalWorkflow, SignalWorkflowRequest.newBuilder()
            .setWorkflowId("no-such-workflow").setSignal("approve").build()), GrpcStatus.NOT_FOUND,
        "WORKFLOW_NOT_FOUND", "no-such-workflow");
    assertFailure(failure(WorkflowManagementGrpcClient.QueryWorkflow, QueryWorkflowRequest.newBuilder()
        .setWorkflowId("w").build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "missing query");
    assertFailure(failure(WorkflowManagementGrpcClient.QueryWorkflow, QueryWorkflowRequest.newBuilder()
            .setWorkflowId("no-such-workflow").setQuery("state").build()), GrpcStatus.NOT_FOUND,
        "WORKFLOW_NOT_FOUND", "no-such-workflow");
    String id = call(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("forever").setVersion(1).setInputJson("\"x\"").build()).getWorkflowId();
    assertFailure(failure(WorkflowManagementGrpcClient.QueryWorkflow, QueryWorkflowRequest.newBuilder()
        .setWorkflowId(id).setQuery("state").build()), GrpcStatus.NOT_FOUND, "QUERY_NOT_FOUND", "state");
    call(WorkflowManagementGrpcClient.TerminateWorkflow, TerminateWorkflowRequest.newBuilder().setWorkflowId(id)
        .build());
  }

  /** How long a query is retried while a new workflow's first run registers its handlers. */
  private static final long POLL_DEADLINE_MILLIS = 10_000;
  private static final long POLL_MILLIS = 20;

  @Test
  void runSyncAnswersTheResultOrTheFailure() throws Exception {
    RunWorkflowResponse pong = call(WorkflowManagementGrpcClient.RunWorkflowSync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("ping_pong").setVersion(1).setInputJson("\"ping\"").setTimeoutSeconds(30).build());
    assertThat(pong.getSuccess()).isTrue();
    assertThat(pong.getResultJson()).isEqualTo("\"pong\"");
    assertThat(pong.getExecutionClusterId()).isEqualTo(1);

    RunWorkflowResponse failed = call(WorkflowManagementGrpcClient.RunWorkflowSync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("ping_pong").setVersion(1).setInputJson("\"pang\"").build());
    assertThat(failed.getSuccess()).isFalse();
    assertThat(failed.getResultJson()).isEmpty();
    assertThat(failed.getError()).contains(PingPongCluster.NOT_PING).contains("pang");
    assertThat(failed.getErrorType()).isEqualTo(IllegalArgumentException.class.getName());
  }

  // ----- failed calls -------------------------------------------------------------------------------------------

  @Test
  void badCallsAreAnsweredWithFittingStatusCodesAndTheServerKeepsServing() throws Exception {
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
        .setVersion(1).build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "missing workflow_type");
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
            .setWorkflowType("ping_pong").setVersion(1).setInputJson("ping").build()), GrpcStatus.INVALID_ARGUMENT,
        "INVALID_ARGUMENT", "input_json must be JSON text");
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
            .setWorkflowType("ping_pong").setVersion(1).setInputJson("{\"a\":1}").build()), GrpcStatus.INVALID_ARGUMENT,
        "INVALID_ARGUMENT", "");
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
            .setWorkflowType("no_such_flow").setVersion(1).build()), GrpcStatus.INVALID_ARGUMENT,
        "WORKFLOW_NOT_REGISTERED", "'no_such_flow' version 1 is not registered");
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder()
            .setWorkflowType("ping_pong").setVersion(-1).build()), GrpcStatus.INVALID_ARGUMENT,
        "INVALID_ARGUMENT", "version too large");
    assertFailure(failure(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, WaitForWorkflowRequest.newBuilder()
        .build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "missing workflow_id");
    assertFailure(failure(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, WaitForWorkflowRequest.newBuilder()
            .setWorkflowId("bad\u0001id").build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT",
        "invalid workflow_id");
    assertFailure(failure(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, WaitForWorkflowRequest.newBuilder()
            .setWorkflowId("550e8400-e29b-41d4-zzzz").setTimeoutSeconds(1).build()), GrpcStatus.NOT_FOUND,
        "WORKFLOW_NOT_FOUND", "550e8400-e29b-41d4-zzzz");
    assertFailure(failure(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, WaitForWorkflowRequest.newBuilder()
            .setWorkflowId("x").setTimeoutSeconds(-5).build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT",
        "timeout_seconds must be between");
    assertFailure(failure(WorkflowManagementGrpcClient.GetWorkflow, GetWorkflowRequest.newBuilder()
        .setWorkflowId("no-such-workflow").build()), GrpcStatus.NOT_FOUND, "WORKFLOW_NOT_FOUND", "no-such-workflow");
    assertFailure(failure(WorkflowManagementGrpcClient.ListWorkflows, ListWorkflowsRequest.newBuilder()
            .addStatesValue(0).build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT",
        "unknown workflow state");
    assertFailure(failure(WorkflowManagementGrpcClient.ListWorkflows, ListWorkflowsRequest.newBuilder()
            .addStatesValue(77).build()), GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT",
        "unknown workflow state");

    // bytes that are no protobuf message at all
    GrpcStatus garbage = await(grpc.request(SocketAddress.inetSocketAddress(node.port(), node.host()))
        .compose(req -> {
          req.fullMethodName("raftoral.WorkflowManagement/RunWorkflowAsync");
          return req.send(Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02}));
        })
        .compose(resp -> resp.end().map(v -> resp.status()))
        // vertx-grpc resets the stream of a message that does not decode (CANCELLED)
        .recover(e -> Future.succeededFuture(e instanceof GrpcErrorException g ? g.status() : GrpcStatus.UNKNOWN)));
    assertThat(garbage).isNotEqualTo(GrpcStatus.OK);

    // still serving
    RunWorkflowResponse pong = call(WorkflowManagementGrpcClient.RunWorkflowSync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("ping_pong").setVersion(1).setInputJson("\"ping\"").build());
    assertThat(pong.getResultJson()).isEqualTo("\"pong\"");
  }

  @Test
  void aMessageOverTheServersLimitIsResourceExhausted() throws Exception {
    GrpcServer small = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(1024));
    new WorkflowGrpcApi(vertx, cluster.client, management, new GrpcApiOptions()).addTo(small);
    HttpServer other = await(vertx.createHttpServer().requestHandler(small).listen(0, "127.0.0.1"));
    try {
      HostPort at = new HostPort("127.0.0.1", other.actualPort());
      Throwable t = Assertions.catchThrowable(() -> await(GrpcCalls.unary(grpc, at,
          WorkflowManagementGrpcClient.RunWorkflowAsync, RunWorkflowRequest.newBuilder().setWorkflowType("ping_pong")
              .setVersion(1).setInputJson("\"" + "p".repeat(4096) + "\"").build(), 10_000)));
      assertFailure((GrpcApiException) t.getCause(), GrpcStatus.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE", "too large");
      // still serving
      assertThat(await(GrpcCalls.unary(grpc, at, WorkflowManagementGrpcClient.RunWorkflowSync,
          RunWorkflowRequest.newBuilder().setWorkflowType("ping_pong").setVersion(1).setInputJson("\"ping\"").build(),
          10_000)).getResultJson()).isEqualTo("\"pong\"");
    } finally {
      await(other.close());
    }
  }

  @Test
  void aWaitThatRunsOutOfTimeIsDeadlineExceededAndTerminationEndsTheWorkflow() throws Exception {
    RunWorkflowAsyncResponse started = call(WorkflowManagementGrpcClient.RunWorkflowAsync,
        RunWorkflowRequest.newBuilder().setWorkflowType("forever").setVersion(1).setInputJson("\"x\"").build());
    String id = started.getWorkflowId();
    assertFailure(failure(WorkflowManagementGrpcClient.WaitForWorkflowCompletion, WaitForWorkflowRequest.newBuilder()
            .setWorkflowId(id).setExecutionClusterId(1).setTimeoutSeconds(1).build()), GrpcStatus.DEADLINE_EXCEEDED,
        "WAIT_TIMEOUT", "did not finish");
    WorkflowInfo running = call(WorkflowManagementGrpcClient.GetWorkflow, GetWorkflowRequest.newBuilder()
        .setWorkflowId(id).build());
    assertThat(running.getState()).isEqualTo(io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_RUNNING);
    assertThat(running.getWorkflowType()).isEqualTo("forever");
    assertThat(running.getEndedAtMillis()).isZero();

    WorkflowInfo terminated = call(WorkflowManagementGrpcClient.TerminateWorkflow, TerminateWorkflowRequest
        .newBuilder().setWorkflowId(id).setExecutionClusterId(1).setReason("test over").build());
    assertThat(terminated.getState()).isEqualTo(io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_TERMINATED);
    RunWorkflowResponse waited = call(WorkflowManagementGrpcClient.WaitForWorkflowCompletion,
        WaitForWorkflowRequest.newBuilder().setWorkflowId(id).build());
    assertThat(waited.getSuccess()).isFalse();
    assertThat(waited.getError()).isEqualTo("workflow terminated: test over");
  }

  @Test
  void listFiltersByStateTypeAndLimit() throws Exception {
    RunWorkflowResponse done = call(WorkflowManagementGrpcClient.RunWorkflowSync, RunWorkflowRequest.newBuilder()
        .setWorkflowType("ping_pong").setVersion(1).setInputJson("\"ping\"").build());
    ListWorkflowsResponse list = call(WorkflowManagementGrpcClient.ListWorkflows, ListWorkflowsRequest.newBuilder()
        .addStates(io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_COMPLETED).setWorkflowType("ping_pong")
        .setLimit(1000).build());
    assertThat(list.getWorkflowsList()).extracting(WorkflowInfo::getWorkflowId).contains(done.getWorkflowId());
    assertThat(list.getWorkflowsList()).extracting(WorkflowInfo::getState)
        .containsOnly(io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_COMPLETED);
    WorkflowInfo one = list.getWorkflowsList().stream().filter(w -> w.getWorkflowId().equals(done.getWorkflowId()))
        .findFirst().orElseThrow();
    assertThat(one.getResultJson()).isEqualTo("\"pong\"");
    assertThat(one.getInputJson()).isEqualTo("\"ping\"");
    assertThat(one.getStartedAtMillis()).isPositive();
    assertThat(one.getEndedAtMillis()).isGreaterThanOrEqualTo(one.getStartedAtMillis());
    assertThat(call(WorkflowManagementGrpcClient.ListWorkflows, ListWorkflowsRequest.newBuilder().setLimit(1).build())
        .getWorkflowsCount()).isEqualTo(1);
  }

  @Test
  void aCallerChosenIdConflictingWithAnotherTypeIsAlreadyExists() throws Exception {
    RunWorkflowRequest first = RunWorkflowRequest.newBuilder().setWorkflowType("ping_pong").setVersion(1)
        .setInputJson("\"ping\"").setWorkflowId("grpc-order-1").build();
    assertThat(call(WorkflowManagementGrpcClient.RunWorkflowAsync, first).getWorkflowId()).isEqualTo("grpc-order-1");
    assertThat(call(WorkflowManagementGrpcClient.RunWorkflowAsync, first).getWorkflowId()).isEqualTo("grpc-order-1");
    assertFailure(failure(WorkflowManagementGrpcClient.RunWorkflowAsync, first.toBuilder().setWorkflowType("forever")
        .build()), GrpcStatus.ALREADY_EXISTS, "WORKFLOW_ID_CONFLICT", "grpc-order-1");
  }

  // ----- health and discovery -----------------------------------------------------------------------------------

  @Test
  void theStandardHealthServiceAnswersServing() throws Exception {
    // grpcurl -plaintext 127.0.0.1:7001 grpc.health.v1.Health/Check
    assertThat(call(HEALTH_CHECK, HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(call(HEALTH_CHECK, HealthCheckRequest.newBuilder().setService("raftoral.WorkflowManagement").build())
        .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void aNodeThatHasNotJoinedYetIsNotServing() throws Exception {
    FakeManagementEndpoint joining = new FakeManagementEndpoint(3, 1).node(1, "127.0.0.1:7001");
    HttpServer other = await(serve(new WorkflowGrpcApi(vertx, cluster.client, joining, new GrpcApiOptions())));
    try {
      HostPort at = new HostPort("127.0.0.1", other.actualPort());
      HealthCheckRequest workflows = HealthCheckRequest.newBuilder().setService("raftoral.WorkflowManagement").build();
      // the server as a whole: up (liveness); the workflow service: not before the node has joined (readiness)
      assertThat(await(GrpcCalls.unary(grpc, at, HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(), 10_000))
          .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      assertThat(await(GrpcCalls.unary(grpc, at, HEALTH_CHECK, workflows, 10_000)).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
      joining.node(3, "127.0.0.1:7003");
      assertThat(await(GrpcCalls.unary(grpc, at, HEALTH_CHECK, workflows, 10_000)).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      await(other.close());
    }
  }

  @Test
  void serverReflectionDescribesTheServicesAsGrpcurlNeedsThem() throws Exception {
    ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> reflection = ServiceMethod.client(
        ServiceName.create("grpc.reflection.v1", "ServerReflection"), "ServerReflectionInfo",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));
    ServerReflectionResponse services = call(reflection, ServerReflectionRequest.newBuilder().setListServices("*")
        .build());
    assertThat(services.getListServicesResponse().getServiceList()).extracting(s -> s.getName())
        .contains("raftoral.WorkflowManagement", "raftoral.RaftService", "grpc.health.v1.Health");
    ServerReflectionResponse file = call(reflection, ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("raftoral.WorkflowManagement").build());
    assertThat(file.getFileDescriptorResponse().getFileDescriptorProtoCount()).isPositive();
  }

  @Test
  void discoverAnswersTheQuickstartShape() throws Exception {
    // grpcurl -plaintext 127.0.0.1:7001 raftoral.RaftService/Discover
    DiscoveryResponse d = call(RaftServiceGrpcClient.Discover, DiscoveryRequest.getDefaultInstance());
    JsonObject printed = print(d);
    assertThat(printed.getString("node_id")).isEqualTo("1");
    assertThat(printed.getString("highest_known_node_id")).isEqualTo("2");
    assertThat(printed.getString("address")).isEqualTo("127.0.0.1:7001");
    assertThat(printed.getString("management_leader_node_id")).isEqualTo("1");
    assertThat(printed.getString("management_leader_address")).isEqualTo("127.0.0.1:7001");
    assertThat(printed.getBoolean("should_join_as_voter")).isTrue();
    assertThat(printed.getInteger("current_voter_count")).isEqualTo(2);
    assertThat(printed.getInteger("max_voters")).isEqualTo(5);
    assertThat(d.getPeersList()).extracting(p -> p.getAddress()).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");
  }

  @Test
  void registerAndHeartbeatValidateTheirInput() throws Exception {
    assertFailure(failure(RaftServiceGrpcClient.Register, RegisterRequest.getDefaultInstance()),
        GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "address");
    assertFailure(failure(RaftServiceGrpcClient.Heartbeat, HeartbeatRequest.getDefaultInstance()),
        GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "node_id");
    assertThat(call(RaftServiceGrpcClient.Register, RegisterRequest.newBuilder().setAddress("127.0.0.1:7009")
        .setRequestId("r-1").build()).getNodeId()).isEqualTo(42);
    assertThat(management.registrations).contains("127.0.0.1:7009/r-1");
  }

  @Test
  void withoutAManagementEndpointDiscoveryIsUnavailable() throws Exception {
    HttpServer other = await(serve(new WorkflowGrpcApi(vertx, cluster.client, null, new GrpcApiOptions())));
    try {
      HostPort at = new HostPort("127.0.0.1", other.actualPort());
      Throwable t = Assertions.catchThrowable(() -> await(GrpcCalls.unary(grpc, at,
          RaftServiceGrpcClient.Discover, DiscoveryRequest.getDefaultInstance(), 10_000)));
      assertFailure((GrpcApiException) t.getCause(), GrpcStatus.UNAVAILABLE, "UNAVAILABLE", "no management endpoint");
      assertThat(await(GrpcCalls.unary(grpc, at, HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(), 10_000))
          .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      await(other.close());
    }
  }

  @Test
  void aNodeThatDoesNotLeadRefusesHeartbeatsNamingTheLeaderAndTheClientFollowsIt() throws Exception {
    FakeManagementEndpoint follower = new FakeManagementEndpoint(2, 1)
        .node(1, node.toString()).node(2, "127.0.0.1:7002");
    HttpServer other = await(serve(new WorkflowGrpcApi(vertx, cluster.client, follower, new GrpcApiOptions())));
    HostPort at = new HostPort("127.0.0.1", other.actualPort());
    GrpcManagementClient client = new GrpcManagementClient(vertx, seedOptions(List.of(at.toString())));
    try {
      HeartbeatResponse refused = await(GrpcCalls.unary(grpc, at, RaftServiceGrpcClient.Heartbeat,
          HeartbeatRequest.newBuilder().setNodeId(3).build(), 10_000));
      assertThat(refused.getAccepted()).isFalse();
      assertThat(refused.getLeaderNodeId()).isEqualTo(1);
      assertThat(refused.getLeaderAddress()).isEqualTo(node.toString());
      assertThat(refused.getError()).isEqualTo("node 2 is not the management leader; leader is node 1 at " + node);

      await(client.heartbeat(3));
      assertThat(management.heartbeats).contains(3L);
      assertThat(follower.heartbeats).isEmpty();
    } finally {
      client.close();
      await(other.close());
    }
  }
}
