package io.raftoral.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The meters of a 3-node execution cluster with a registry per node: label values are group ids, workflow types,
 * peers and fixed reasons, never a workflow id, and each workflow is counted once, by its owner.
 */
class MeterLabelsTest {

  private static final long[] NODES = {1, 2, 3};
  private static final int WORKFLOWS_PER_NODE = 4;
  private static final String TYPE = "labelled";
  /** The only label names any meter of Raftoral may have: each has a bounded set of values. */
  private static final Set<String> BOUNDED_LABELS = Set.of("cluster", "type", "outcome", "peer", "reason");
  private static final long WAIT_SECONDS = 60;

  private Vertx vertx;
  private LocalWorkflowCluster cluster;
  private final Map<Long, MeterRegistry> registries = new TreeMap<>();

  private static WorkflowRegistry registry() {
    return WorkflowRegistry.create().register(TYPE, 1, String.class, String.class, (input, ctx) ->
        ctx.compute("upper", String.class, () -> Uni.createFrom().item(input.toUpperCase()))
            .call(() -> ctx.sleep(Duration.ofMillis(1)))
            .chain(upper -> ctx.checkpoint("done", upper + "!")));
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cluster = new LocalWorkflowCluster(vertx, id -> registry(), new WorkflowRuntimeOptions());
    await(cluster.nodes().startNodes(NODES));
    for (long id : NODES) {
      MeterRegistry r = new SimpleMeterRegistry();
      registries.put(id, r);
      cluster.nodes().node(id).host.meterRegistry(r);
    }
    List<Future<?>> runtimes = new ArrayList<>();
    for (long id : NODES) {
      runtimes.add(cluster.startRuntime(id, NODES));
    }
    await(Future.all(runtimes));
    await(cluster.awaitLeader());
  }

  @AfterEach
  void stop() throws Exception {
    await(cluster.close());
    await(vertx.close());
  }

  @Test
  void noWorkflowIdIsEverALabelValueAndEachWorkflowIsCountedOnceByItsOwner() throws Exception {
    Set<String> ids = new HashSet<>();
    for (long node : NODES) {
      WorkflowRuntime rt = cluster.runtime(node);
      for (int i = 0; i < WORKFLOWS_PER_NODE; i++) {
        String id = "wf-" + node + "-" + i;
        ids.add(id);
        WorkflowRun<String> run = await(rt.<String>start(TYPE, 1, "x" + i, new StartOptions().setWorkflowId(id)));
        assertThat(await(run.result())).isEqualTo("X" + i + "!");
      }
    }
    int total = NODES.length * WORKFLOWS_PER_NODE;
    // the owner counts a workflow's end as it applies it: poll until every node applied every end
    await(cluster.await(() -> sum("raftoral.workflows.completed") == total, WAIT_SECONDS * 1000,
        "every workflow counted completed once"));

    for (Map.Entry<Long, MeterRegistry> e : registries.entrySet()) {
      for (Meter m : e.getValue().getMeters()) {
        for (Tag t : m.getId().getTags()) {
          assertThat(BOUNDED_LABELS).as("label of %s on node %d", m.getId().getName(), e.getKey())
              .contains(t.getKey());
          assertThat(ids).as("label value of %s on node %d", m.getId().getName(), e.getKey())
              .doesNotContain(t.getValue());
        }
      }
    }
    assertThat(sum("raftoral.workflows.started")).isEqualTo(total);
    assertThat(sum("raftoral.workflows.failed")).isZero();
    assertThat(sum("raftoral.workflow.checkpoints")).isPositive();
    // two computes per workflow: "upper", and the sleep's deadline (journaled like a compute)
    assertThat(timerCount("raftoral.workflow.compute.latency")).isEqualTo(2L * total);
    assertThat(timerCount("raftoral.workflow.duration")).isEqualTo(total);
    assertThat(timerCount("raftoral.group.commit.latency")).isPositive();
    for (MeterRegistry r : registries.values()) {
      assertThat(r.get("raftoral.workflows.running").tag("type", TYPE).gauge().value()).isZero();
      assertThat(r.get("raftoral.workflow.timers.pending").tag("type", TYPE).gauge().value()).isZero();
      assertThat(r.get("raftoral.group.term").tag("cluster", Long.toString(LocalWorkflowCluster.CLUSTER)).gauge()
          .value()).isPositive();
    }
  }

  private double sum(String counter) {
    double total = 0;
    for (MeterRegistry r : registries.values()) {
      total += r.find(counter).counters().stream().mapToDouble(c -> c.count()).sum();
    }
    return total;
  }

  private long timerCount(String timer) {
    long total = 0;
    for (MeterRegistry r : registries.values()) {
      total += r.find(timer).timers().stream().mapToLong(t -> t.count()).sum();
    }
    return total;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static <T> T await(Uni<T> u) throws Exception {
    return u.subscribeAsCompletionStage().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
