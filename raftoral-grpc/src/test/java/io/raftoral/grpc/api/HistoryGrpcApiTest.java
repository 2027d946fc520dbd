package io.raftoral.grpc.api;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.raftoral.client.NetworkClientOptions;
import io.raftoral.grpc.api.proto.Checkpoint;
import io.raftoral.grpc.api.proto.GetWorkflowHistoryRequest;
import io.raftoral.grpc.api.proto.GetWorkflowHistoryResponse;
import io.raftoral.grpc.api.proto.WorkflowManagementGrpcClient;
import io.raftoral.testkit.HistoryClientContract;
import io.raftoral.testkit.HistoryStepsWorkflow;
import io.raftoral.testkit.RoutingNodes;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code raftoral.WorkflowManagement/GetWorkflowHistory} on real gRPC servers (loopback, ephemeral ports) of three
 * whole nodes: one served by a node outside the workflow's execution cluster (its router forwards to a member), one
 * by a member. The README's grpcurl shape, paging with tokens, the status of every bad request, and
 * {@link GrpcWorkflowClient} on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HistoryGrpcApiTest {

  private static final long CALL_TIMEOUT_MILLIS = 30_000;

  private Vertx vertx;
  private RoutingNodes nodes;
  private HttpServer outsiderServer;
  private HttpServer memberServer;
  private GrpcClient grpc;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    nodes = RoutingNodes.start(vertx);
    outsiderServer = serve(nodes.outsider);
    memberServer = serve(nodes.member());
    grpc = GrpcClient.client(vertx);
  }

  private HttpServer serve(JsonWorkflowClient workflows) throws Exception {
    GrpcServer grpcServer = GrpcServer.server(vertx);
    new WorkflowGrpcApi(vertx, workflows, null, new GrpcApiOptions()).addTo(grpcServer);
    return await(vertx.createHttpServer().requestHandler(grpcServer).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() throws Exception {
    if (grpc != null) {
      await(grpc.close());
    }
    for (HttpServer s : new HttpServer[] {outsiderServer, memberServer}) {
      if (s != null) {
        await(s.close());
      }
    }
    if (nodes != null) {
      nodes.close();
    }
    await(vertx.close());
  }

  private GetWorkflowHistoryResponse history(HttpServer server, GetWorkflowHistoryRequest request) throws Exception {
    return await(GrpcCalls.unary(grpc, new HostPort("127.0.0.1", server.actualPort()),
        WorkflowManagementGrpcClient.GetWorkflowHistory, request, CALL_TIMEOUT_MILLIS));
  }

  private void assertFailure(HttpServer server, GetWorkflowHistoryRequest request, GrpcStatus status, String code,
      String messagePart) {
    Throwable t = Assertions.catchThrowable(() -> history(server, request));
    assertThat(t).isInstanceOf(ExecutionException.class);
    assertThat(t.getCause()).isInstanceOf(GrpcApiException.class);
    GrpcApiException e = (GrpcApiException) t.getCause();
    assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.errorCode()).isEqualTo(code);
    assertThat(e.getMessage()).contains(messagePart);
  }

  @Test
  void aHistoryIsPagedWithTheReadmeGrpcurlShapeThroughANodeOutsideTheCluster() throws Exception {
    String id = HistoryClientContract.startSteps(nodes.outsider);
    try {
      List<GetWorkflowHistoryResponse> pages = new ArrayList<>();
      String token = "";
      do {
        // grpcurl -plaintext -d '{"workflow_id": "...", "page_size": 10, "page_token": "..."}' ... GetWorkflowHistory
        GetWorkflowHistoryRequest.Builder r = GetWorkflowHistoryRequest.newBuilder();
        JsonFormat.parser().merge(new JsonObject().put("workflow_id", id).put("page_size", 10)
            .put("page_token", token).encode(), r);
        GetWorkflowHistoryResponse page = history(outsiderServer, r.build());
        assertThat(page.getWorkflowId()).isEqualTo(id);
        pages.add(page);
        token = page.getNextPageToken();
      } while (!token.isEmpty() && pages.size() <= HistoryClientContract.PAGES);
      assertThat(pages).extracting(GetWorkflowHistoryResponse::getCheckpointsCount)
          .containsExactly(10, 10, HistoryClientContract.CHECKPOINTS - 20);

      List<Checkpoint> all = new ArrayList<>();
      pages.forEach(p -> all.addAll(p.getCheckpointsList()));
      int step = 0;
      for (int position = 0; position < all.size(); position++) {
        Checkpoint c = all.get(position);
        assertThat(c.getPosition()).isEqualTo(position);
        if (position == HistoryStepsWorkflow.FAILURE_AFTER) {
          assertThat(c.getKey()).isEqualTo(HistoryStepsWorkflow.FAILED_KEY);
          assertThat(c.getValueJson()).isEmpty();
          assertThat(c.getErrorType()).isNotBlank();
          assertThat(c.getErrorMessage()).contains(HistoryStepsWorkflow.FAILURE_MESSAGE);
          continue;
        }
        assertThat(c.getKey()).isEqualTo("step-" + step);
        assertThat(new JsonObject(c.getValueJson()))
            .isEqualTo(new JsonObject().put("step", step).put("label", "step " + step));
        assertThat(c.getErrorType()).isEmpty();
        step++;
      }

      // the member answers the same first page; an unset page size is the default page, which holds all 25
      GetWorkflowHistoryRequest first = GetWorkflowHistoryRequest.newBuilder().setWorkflowId(id).setPageSize(10)
          .build();
      assertThat(history(memberServer, first)).isEqualTo(pages.get(0));
      GetWorkflowHistoryResponse whole = history(memberServer, GetWorkflowHistoryRequest.newBuilder()
          .setWorkflowId(id).setExecutionClusterId(1).build());
      assertThat(whole.getCheckpointsList()).isEqualTo(all);
      assertThat(whole.getNextPageToken()).isEmpty();
    } finally {
      HistoryClientContract.finish(nodes.outsider, id);
    }
  }

  @Test
  void badHistoryRequestsAreInvalidArgumentOrNotFoundOnEveryNode() throws Exception {
    String id = HistoryClientContract.startSteps(nodes.member());
    try {
      for (HttpServer server : new HttpServer[] {outsiderServer, memberServer}) {
        assertFailure(server, GetWorkflowHistoryRequest.newBuilder().setWorkflowId("no-such-workflow").build(),
            GrpcStatus.NOT_FOUND, "WORKFLOW_NOT_FOUND", "no-such-workflow");
        assertFailure(server, GetWorkflowHistoryRequest.newBuilder().build(), GrpcStatus.INVALID_ARGUMENT,
            "INVALID_ARGUMENT", "workflow_id");
        assertFailure(server, GetWorkflowHistoryRequest.newBuilder().setWorkflowId("  ").build(),
            GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "workflow_id");
        // uint32: -1 on the wire is 4294967295
        for (int size : new int[] {HistoryPage.MAX_PAGE_SIZE + 1, -1}) {
          assertFailure(server, GetWorkflowHistoryRequest.newBuilder().setWorkflowId(id).setPageSize(size).build(),
              GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "page_size");
        }
        for (String token : new String[] {"abc", "-1", "not a token!"}) {
          assertFailure(server, GetWorkflowHistoryRequest.newBuilder().setWorkflowId(id).setPageToken(token).build(),
              GrpcStatus.INVALID_ARGUMENT, "INVALID_ARGUMENT", "");
        }
        // and the API keeps serving
        assertThat(history(server, GetWorkflowHistoryRequest.newBuilder().setWorkflowId(id).build())
            .getCheckpointsCount()).isEqualTo(HistoryClientContract.CHECKPOINTS);
      }
    } finally {
      HistoryClientContract.finish(nodes.member(), id);
    }
  }

  @Test
  void theGrpcClientPagesThroughAHistoryThroughANodeOutsideTheCluster() throws Exception {
    try (GrpcWorkflowClient client = client(outsiderServer)) {
      HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(client);
    }
  }

  @Test
  void theGrpcClientPagesThroughAHistoryThroughAMember() throws Exception {
    try (GrpcWorkflowClient client = client(memberServer)) {
      HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(client);
    }
  }

  private GrpcWorkflowClient client(HttpServer server) {
    return new GrpcWorkflowClient(vertx, new NetworkClientOptions()
        .setAddresses(List.of("127.0.0.1:" + server.actualPort())));
  }
}
