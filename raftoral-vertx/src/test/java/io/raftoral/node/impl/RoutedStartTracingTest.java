package io.raftoral.node.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementOptions;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.PeerRequests;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traces of a workflow started through a node that is a member of no execution cluster: the entry node's span,
 * the member's span for the forwarded start (same trace, W3C context carried in the forwarded request), and the
 * owner's run span with a child per checkpoint and compute. With tracing off nothing is traced and forwarded
 * requests carry no trace context.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RoutedStartTracingTest {

  private static final long WAIT = 30_000;
  /** The id of a router that is a member of no execution cluster: its start is forwarded. */
  private static final long OUTSIDER_NODE_ID = 999;
  private static final String TYPE = "traced";
  private static final int VERSION = 1;
  private static final Duration AWAIT = Duration.ofSeconds(30);

  private static WorkflowRegistry registry() {
    return WorkflowRegistry.create().register(TYPE, VERSION, String.class, String.class,
        (in, ctx) -> ctx.checkpoint("greeting", "hello " + in)
            .flatMap(g -> ctx.compute("shout", String.class, () -> Uni.createFrom().item(g.toUpperCase()))));
  }

  private static <T> Future<T> fut(Uni<T> uni) {
    return Bridge.future(uni);
  }

  /** The test kit's node settings, traced through {@code openTelemetry} when it is not null. */
  private static NodeOptions nodeOptions(OpenTelemetry openTelemetry) {
    return new NodeOptions().setPreset(RaftPreset.TESTING)
        .setManagement(new ManagementOptions().setHeartbeatIntervalMillis(50).setReconcileIntervalMillis(20)
            .setFailureTimeoutMillis(1_500))
        .setWorkflow(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500))
        .setOpenTelemetry(openTelemetry);
  }

  /** Three nodes, one execution cluster of all three. */
  private static Future<RaftoralNode> threeNodes(LocalRaftoralCluster c) {
    return c.bootstrap().compose(a -> c.join()).compose(b -> c.join())
        .compose(n -> c.await(() -> formed(c.node("node-a")), WAIT, "an execution cluster of three members"))
        .map(v -> c.node("node-a"));
  }

  private static boolean formed(RaftoralNode n) {
    for (ExecutionCluster ec : n.view().clusters().values()) {
      if (ec.desiredMembers().size() == 3 && ec.reportedVoters().equals(ec.desiredMembers())) {
        return true;
      }
    }
    return false;
  }

  /** Peer requests that remember what they forwarded. */
  private static final class Recording implements PeerRequests {
    private final PeerRequests real;
    final List<JsonObject> sent = new CopyOnWriteArrayList<>();

    Recording(PeerRequests real) {
      this.real = real;
    }

    @Override
    public Future<JsonObject> request(long nodeId, String address, JsonObject request) {
      sent.add(request.copy());
      return real.request(nodeId, address, request);
    }

    @Override
    public Future<Void> serve(long nodeId, Function<JsonObject, Future<JsonObject>> handler) {
      return real.serve(nodeId, handler);
    }

    @Override
    public Future<Void> close() {
      return real.close();
    }
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + names(spans)));
  }

  private static List<String> names(List<SpanData> spans) {
    return spans.stream().map(SpanData::getName).collect(Collectors.toList());
  }

  private static <T> T attr(SpanData span, AttributeKey<T> key) {
    return span.getAttributes().get(key);
  }

  /** The ended run span of {@code workflowId} (the run that completed it), if exported yet. */
  private static SpanData completedRun(InMemorySpanExporter exporter, String workflowId) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("workflow " + TYPE))
        .filter(s -> workflowId.equals(attr(s, RaftoralTracing.WORKFLOW_ID)))
        .filter(s -> WorkflowState.COMPLETED.name().equals(attr(s, RaftoralTracing.WORKFLOW_STATE)))
        .findFirst().orElse(null);
  }

  @Test
  void aStartThroughANonMemberIsOneTraceFromTheRequestToTheRunsCheckpoints(Vertx vertx, VertxTestContext ctx) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedStartTracingTest::registry, nodeOptions(otel));
    Recording peers = new Recording(new InJvmPeerRequests(vertx));
    Span[] request = new Span[1];
    threeNodes(c)
        .compose(a -> {
          RoutingWorkflowClient outsider = new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), a::view,
              peers, registry(), RaftoralTracing.of(otel));
          // Stands for the REST or gRPC server span the start request has on the entry node.
          request[0] = otel.getTracer("test").spanBuilder("POST /workflows").startSpan();
          Future<WorkflowStatus> started;
          try (Scope ignored = request[0].makeCurrent()) {
            started = fut(outsider.start(TYPE, VERSION, "\"world\"", new StartOptions()));
          }
          return started.andThen(ar -> request[0].end());
        })
        .compose(started -> fut(c.node("node-a").jsonWorkflows().await(started.workflowId(),
            started.executionClusterId(), AWAIT)))
        .compose(done -> c.await(() -> completedRun(exporter, done.workflowId()) != null, WAIT,
            "the run span of the completed workflow").map(done))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertThat(done.state()).isEqualTo(WorkflowState.COMPLETED);
          List<SpanData> spans = exporter.getFinishedSpanItems();
          String traceId = request[0].getSpanContext().getTraceId();

          SpanData route = named(spans, "route start");
          assertThat(route.getTraceId()).isEqualTo(traceId);
          assertThat(route.getParentSpanId()).isEqualTo(request[0].getSpanContext().getSpanId());
          assertThat(attr(route, RaftoralTracing.NODE_ID)).isEqualTo(OUTSIDER_NODE_ID);
          assertThat(attr(route, RaftoralTracing.WORKFLOW_TYPE)).isEqualTo(TYPE);
          assertThat(peers.sent).allSatisfy(r -> assertThat(r.getString(RaftoralTracing.TRACEPARENT))
              .startsWith("00-" + traceId + "-"));

          SpanData run = completedRun(exporter, done.workflowId());
          assertThat(run.getTraceId()).isEqualTo(traceId);
          assertThat(attr(run, RaftoralTracing.WORKFLOW_TYPE)).isEqualTo(TYPE);
          assertThat(attr(run, RaftoralTracing.WORKFLOW_VERSION)).isEqualTo((long) VERSION);
          assertThat(attr(run, RaftoralTracing.EXECUTION_CLUSTER_ID)).isEqualTo(done.executionClusterId());
          long owner = attr(run, RaftoralTracing.NODE_ID);
          assertThat(owner).isEqualTo(done.ownerNode()).isNotEqualTo(OUTSIDER_NODE_ID);

          // the member that served the forwarded start (and owns the workflow) continued the entry node's trace
          SpanData forwarded = spans.stream().filter(s -> s.getName().equals("forwarded start"))
              .filter(s -> Objects.equals(attr(s, RaftoralTracing.NODE_ID), owner)).findFirst()
              .orElseThrow(() -> new AssertionError("no forwarded start on node " + owner + " in " + names(spans)));
          assertThat(forwarded.getTraceId()).isEqualTo(traceId);
          assertThat(forwarded.getParentSpanId()).isEqualTo(route.getSpanId());
          assertThat(attr(forwarded, RaftoralTracing.WORKFLOW_ID)).isEqualTo(done.workflowId());
          assertThat(run.getParentSpanId()).isEqualTo(forwarded.getSpanId());

          List<SpanData> steps = spans.stream().filter(s -> s.getParentSpanId().equals(run.getSpanId()))
              .collect(Collectors.toList());
          assertThat(steps).extracting(SpanData::getName).containsExactlyInAnyOrder("checkpoint greeting",
              "compute shout");
          assertThat(attr(named(steps, "checkpoint greeting"), RaftoralTracing.JOURNAL_POSITION)).isEqualTo(0L);
          assertThat(attr(named(steps, "compute shout"), RaftoralTracing.JOURNAL_POSITION)).isEqualTo(1L);
          assertThat(steps).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));
        })))
        .onComplete(ar -> c.close().onComplete(x -> {
          otel.close();
          ctx.completeNow();
        }));
  }

  @Test
  void aStartOnAMemberRunsUnderItsRouteSpan(Vertx vertx, VertxTestContext ctx) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedStartTracingTest::registry, nodeOptions(otel));
    Span[] request = new Span[1];
    threeNodes(c)
        .compose(a -> {
          request[0] = otel.getTracer("test").spanBuilder("POST /workflows").startSpan();
          Future<WorkflowStatus> started;
          try (Scope ignored = request[0].makeCurrent()) {
            started = fut(a.jsonWorkflows().start(TYPE, VERSION, "\"world\"", new StartOptions()));
          }
          return started.andThen(ar -> request[0].end());
        })
        .compose(started -> fut(c.node("node-a").jsonWorkflows().await(started.workflowId(),
            started.executionClusterId(), AWAIT)))
        .compose(done -> c.await(() -> completedRun(exporter, done.workflowId()) != null, WAIT,
            "the run span of the completed workflow").map(done))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          List<SpanData> spans = exporter.getFinishedSpanItems();
          String traceId = request[0].getSpanContext().getTraceId();
          SpanData route = named(spans, "route start");
          assertThat(route.getParentSpanId()).isEqualTo(request[0].getSpanContext().getSpanId());
          SpanData run = completedRun(exporter, done.workflowId());
          assertThat(run.getTraceId()).isEqualTo(traceId);
          // served locally the run is the route span's child; a member that could not serve it forwards it
          List<String> parents = spans.stream().filter(s -> s.getName().equals("forwarded start"))
              .filter(s -> s.getParentSpanId().equals(route.getSpanId())).map(SpanData::getSpanId)
              .collect(Collectors.toList());
          parents.add(route.getSpanId());
          assertThat(run.getParentSpanId()).isIn(parents);
        })))
        .onComplete(ar -> c.close().onComplete(x -> {
          otel.close();
          ctx.completeNow();
        }));
  }

  @Test
  void withTracingOffNothingIsTracedAndForwardedRequestsCarryNoTraceContext(Vertx vertx, VertxTestContext ctx) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    // the SDK exists in the process but is given to no node: the default is off
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedStartTracingTest::registry, nodeOptions(null));
    Recording peers = new Recording(new InJvmPeerRequests(vertx));
    threeNodes(c)
        .compose(a -> fut(new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), a::view, peers, registry())
            .start(TYPE, VERSION, "\"world\"", new StartOptions())))
        .compose(started -> fut(c.node("node-a").jsonWorkflows().await(started.workflowId(),
            started.executionClusterId(), AWAIT)))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertThat(done.state()).isEqualTo(WorkflowState.COMPLETED);
          assertThat(peers.sent).isNotEmpty()
              .allSatisfy(r -> assertThat(r.containsKey(RaftoralTracing.TRACEPARENT)).isFalse());
          assertThat(exporter.getFinishedSpanItems()).isEmpty();
        })))
        .onComplete(ar -> c.close().onComplete(x -> {
          otel.close();
          ctx.completeNow();
        }));
  }
}
