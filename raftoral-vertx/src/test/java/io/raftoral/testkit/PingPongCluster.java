package io.raftoral.testkit;

import io.raftoral.examples.workflow.ApprovalWorkflow;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * A 3-node execution cluster in one JVM running the quickstart's {@code ping_pong} v1 workflow ("ping" -> "pong",
 * anything else fails with a clear error) and {@code forever} v1 (never finishes: for wait timeouts and
 * termination), the demo's {@code approval} v1 (signals and queries) and {@code history_steps} v1 (a journal to
 * page through, see {@link HistoryStepsWorkflow}), served through {@link JsonWorkflowClient#of}.
 */
public final class PingPongCluster {

  public static final String NOT_PING = "ping_pong expects the input \"ping\"";

  public final LocalWorkflowCluster cluster;
  public final JsonWorkflowClient client;

  private PingPongCluster(LocalWorkflowCluster cluster) {
    this.cluster = cluster;
    this.client = JsonWorkflowClient.of(cluster.runtime(1));
  }

  public static WorkflowRegistry registry() {
    return WorkflowRegistry.create()
        .register("ping_pong", 1, String.class, String.class, (input, ctx) -> "ping".equals(input)
            ? Uni.createFrom().item("pong")
            : Uni.createFrom().failure(new IllegalArgumentException(NOT_PING + ", got " + input)))
        .register("forever", 1, String.class, String.class, (input, ctx) -> Uni.createFrom().nothing())
        .register(ApprovalWorkflow.NAME, ApprovalWorkflow.VERSION, String.class, String.class,
            new ApprovalWorkflow())
        .register(HistoryStepsWorkflow.NAME, HistoryStepsWorkflow.VERSION, Integer.class, String.class,
            new HistoryStepsWorkflow());
  }

  public static PingPongCluster start(Vertx vertx) throws Exception {
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, id -> registry(), new WorkflowRuntimeOptions());
    await(c.start(1, 2, 3));
    return new PingPongCluster(c);
  }

  public void close() throws Exception {
    await(cluster.close());
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public static <T> T await(Uni<T> u) throws Exception {
    return u.subscribeAsCompletionStage().get(30, TimeUnit.SECONDS);
  }
}
