package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.http.api.WorkflowHttpApi;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementOptions;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.node.impl.RoutingWorkflowClient;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's tracing as {@code --tracing} wires it ({@link NodeTracing#vertx}): Vert.x's server span of a REST start
 * on a node that is a member of no execution cluster is the parent of Raftoral's spans, so the REST request, the
 * forwarded start on the member and the workflow run are one trace.
 */
class TracedRestStartTest {

  private static final long WAIT_MILLIS = 30_000;
  private static final long SECONDS = 60;
  private static final long OUTSIDER_NODE_ID = 999;
  private static final String TYPE = "traced";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
  private final Vertx vertx = NodeTracing.vertx(otel);
  private LocalRaftoralCluster cluster;

  private static WorkflowRegistry registry() {
    return WorkflowRegistry.create().register(TYPE, 1, String.class, String.class,
        (in, ctx) -> ctx.checkpoint("greeting", "hello " + in)
            .flatMap(g -> ctx.compute("shout", String.class, () -> Uni.createFrom().item(g.toUpperCase()))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
  }

  private static boolean formed(RaftoralNode n) {
    for (ExecutionCluster ec : n.view().clusters().values()) {
      if (ec.desiredMembers().size() == 3 && ec.reportedVoters().equals(ec.desiredMembers())) {
        return true;
      }
    }
    return false;
  }

  @AfterEach
  void close() throws Exception {
    if (cluster != null) {
      await(cluster.close());
    }
    await(vertx.close());
    otel.close();
  }

  private SpanData completedRun(String workflowId) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> workflowId.equals(s.getAttributes().get(RaftoralTracing.WORKFLOW_ID)))
        .filter(s -> WorkflowState.COMPLETED.name().equals(s.getAttributes().get(RaftoralTracing.WORKFLOW_STATE)))
        .findFirst().orElse(null);
  }

  @Test
  void aRestStartOnANonMemberIsOneTraceWithTheRestServerSpanAtItsRoot() throws Exception {
    NodeOptions options = new NodeOptions().setPreset(RaftPreset.TESTING)
        .setManagement(new ManagementOptions().setHeartbeatIntervalMillis(50).setReconcileIntervalMillis(20)
            .setFailureTimeoutMillis(1_500))
        .setWorkflow(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500))
        .setOpenTelemetry(otel);
    cluster = new LocalRaftoralCluster(vertx, TracedRestStartTest::registry, options);
    await(cluster.bootstrap().compose(a -> cluster.join()).compose(b -> cluster.join())
        .compose(n -> cluster.await(() -> formed(cluster.node("node-a")), WAIT_MILLIS, "three members")));
    RaftoralNode a = cluster.node("node-a");
    // the entry node: its REST API over a router that is a member of no execution cluster
    RoutingWorkflowClient outsider = new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), a::view,
        new InJvmPeerRequests(vertx), registry(), RaftoralTracing.of(otel));
    Router router = Router.router(vertx);
    new WorkflowHttpApi(outsider, a.management(), new HttpApiOptions()).mount(router);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> answer = await(web.post(server.actualPort(), "127.0.0.1", "/workflow/execute")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("name", TYPE).put("version", 1).put("input", "\"world\"")
            .encode())));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    String workflowId = answer.bodyAsJsonObject().getString("workflow_id");
    WorkflowStatus done = await(Bridge.future(a.jsonWorkflows().await(workflowId, null, Duration.ofSeconds(30))));
    assertThat(done.state()).isEqualTo(WorkflowState.COMPLETED);
    await(cluster.await(() -> completedRun(workflowId) != null, WAIT_MILLIS, "the run span"));

    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData run = completedRun(workflowId);
    SpanData route = spans.stream().filter(s -> s.getName().equals("route start")).findFirst().orElseThrow();
    SpanData rest = spans.stream().filter(s -> s.getSpanId().equals(route.getParentSpanId())).findFirst()
        .orElseThrow(() -> new AssertionError("the route span's parent was not exported: " + spans));
    assertThat(rest.getKind()).as(rest.toString()).isEqualTo(SpanKind.SERVER);
    assertThat(rest.getInstrumentationScopeInfo().getName()).isNotEqualTo(RaftoralTracing.INSTRUMENTATION_SCOPE);
    assertThat(run.getTraceId()).isEqualTo(rest.getTraceId()).isEqualTo(route.getTraceId());
    web.close();
  }
}
