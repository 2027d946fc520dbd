package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Role;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workflows on a 3-node execution cluster with LMDB stores: stopping every node mid-workflow and starting them
 * again on their directories resumes every running workflow by journal replay, and the steps whose results were
 * committed before the stop do not run again.
 */
class LmdbWorkflowRestartTest {

  private static final long CLUSTER = 1;

  @TempDir
  Path dir;
  private Vertx vertx;
  private InJvmNetwork network;
  private final Map<Long, Running> nodes = new TreeMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private volatile int holdFrom = Integer.MAX_VALUE;
  private final Promise<Void> release = Promise.promise();

  private record Running(RaftHost host, LmdbLogStore store, WorkflowRuntime runtime) {}

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    network = new InJvmNetwork(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (long id : new ArrayList<>(nodes.keySet())) {
      stop(id);
    }
    await(vertx.close());
  }

  private Uni<Long> step(WorkflowContext ctx, int i, int n, long sum) {
    if (i == n) {
      return Uni.createFrom().item(sum);
    }
    return ctx.compute("step-" + i, Long.class, () -> {
      calls.computeIfAbsent(ctx.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
      if (i >= holdFrom) {
        return Uni.createFrom().completionStage(() -> release.future().toCompletionStage()).replaceWith((long) i);
      }
      return Uni.createFrom().item((long) i);
    }).flatMap(v -> ctx.checkpoint("after-" + i, v * 2)).flatMap(v -> step(ctx, i + 1, n, sum + v));
  }

  private void start(long id, boolean founding) throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir.resolve("node-" + id));
    RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
        .setTickMillis(RaftPreset.TESTING.tickMillis()), store, network.transport(id)));
    WorkflowRegistry registry = WorkflowRegistry.create()
        .register("steps", 1, Integer.class, Long.class, (n, ctx) -> step(ctx, 0, n, 0));
    WorkflowRuntime.Builder b = WorkflowRuntime.builder(host, CLUSTER).registry(registry)
        .options(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500))
        .groupOptions(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(25).setSnapshotLogRatio(0));
    if (founding) {
      b.members(1, 2, 3);
    }
    nodes.put(id, new Running(host, store, await(b.start())));
  }

  private void stop(long id) throws Exception {
    Running r = nodes.remove(id);
    await(r.runtime.close());
    await(vertx.undeploy(r.host.deploymentID()));
    await(r.store.close());
  }

  private WorkflowRuntime leader() throws Exception {
    awaitCondition(() -> nodes.values().stream().anyMatch(r -> r.runtime.group().status().role() == Role.LEADER),
        "a leader");
    return nodes.values().stream().filter(r -> r.runtime.group().status().role() == Role.LEADER).findFirst()
        .orElseThrow().runtime;
  }

  @Test
  void stoppingEveryNodeMidWorkflowAndStartingThemAgainResumesEveryWorkflow() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id, true);
    }
    int n = 8;
    int workflows = 6;
    holdFrom = 5;
    List<String> ids = new ArrayList<>();
    for (int w = 0; w < workflows; w++) {
      ids.add(await(Future.fromCompletionStage(leader().start("steps", 1, n).subscribeAsCompletionStage()))
          .workflowId());
    }
    // Each workflow has committed steps 0-4 (10 entries) and waits in step 5.
    for (String id : ids) {
      awaitCondition(() -> calls.containsKey(id + "/10"), "workflow " + id + " to reach step 5");
    }
    for (long id = 1; id <= 3; id++) {
      stop(id);
    }
    Map<String, Integer> before = new TreeMap<>();
    calls.forEach((k, v) -> before.put(k, v.get()));
    release.complete();
    for (long id = 1; id <= 3; id++) {
      start(id, false);
    }
    long expected = 0;
    for (int i = 0; i < n; i++) {
      expected += 2L * i;
    }
    for (String id : ids) {
      for (Running r : nodes.values()) {
        WorkflowStatus s = await(Future.fromCompletionStage(r.runtime.result(id, Duration.ofSeconds(20))
            .subscribeAsCompletionStage()));
        assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
        assertThat(s.resultJson()).isEqualTo(Long.toString(expected));
        assertThat(s.checkpointCount()).isEqualTo(2 * n);
      }
      for (int i = 0; i < 5; i++) {
        String key = id + "/" + (2 * i);
        assertThat(calls.get(key).get()).as("calls of committed step %s", key).isEqualTo(1);
      }
    }
    assertThat(before).hasSize(workflows * 6);
  }

  private void awaitCondition(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(5, id -> tick.complete());
      await(tick.future());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static <T> T await(Uni<T> u) throws Exception {
    return u.subscribeAsCompletionStage().get(60, TimeUnit.SECONDS);
  }
}
