package io.raftoral.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.transport.InJvmNetwork;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow written as a loop of steps (recursion through {@code flatMap}) replays thousands of journal entries
 * when its owner restarts, and finishes. (Tens of thousands of steps written so overflow the stack in Mutiny itself:
 * each step nests one more operator, and the result or a cancellation travels back through all of them; a loop that
 * long is written with a {@code Multi}, as the README's workflow section says.)
 */
class LongReplayTest {

  private static final long CLUSTER = 1;
  private static final int STEPS = 5_000;
  private static final long WAIT_MILLIS = 60_000;

  private final Vertx vertx = Vertx.vertx();
  private final InMemoryLogStore store = new InMemoryLogStore(vertx);
  private final Promise<Void> release = Promise.promise();
  private final AtomicInteger lastStepRun = new AtomicInteger(-1);
  private RaftHost host;
  private WorkflowRuntime runtime;

  @AfterEach
  void tearDown() throws Exception {
    release.tryComplete();
    await(vertx.close());
  }

  /** Step i checkpoints i; the last step waits for the release; returns the sum of 0..n-1. */
  private Uni<Long> loop(WorkflowContext ctx, int i, int n, long sum) {
    if (i == n) {
      return Uni.createFrom().item(sum);
    }
    if (i == n - 1) {
      return ctx.compute("last", Integer.class, () -> {
        lastStepRun.set(i);
        return Uni.createFrom().completionStage(() -> release.future().toCompletionStage()).replaceWith(i);
      }).flatMap(v -> loop(ctx, i + 1, n, sum + v));
    }
    return ctx.checkpoint("step", i).flatMap(v -> loop(ctx, i + 1, n, sum + v));
  }

  private void start() throws Exception {
    host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(1)
        .setTickMillis(RaftPreset.TESTING.tickMillis()), store, new InJvmNetwork(vertx).transport(1)));
    WorkflowRegistry registry = WorkflowRegistry.create()
        .register("loop", 1, Integer.class, Long.class, (n, ctx) -> loop(ctx, 0, n, 0));
    runtime = await(WorkflowRuntime.builder(host, CLUSTER).registry(registry)
        .groupOptions(RaftPreset.TESTING.groupOptions()).members(1).start());
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (runtime.group().status().role() != Role.LEADER) {
      assertThat(System.currentTimeMillis()).as("a leader").isLessThan(deadline);
      await(timer(10));
    }
  }

  @Test
  void aRestartedOwnerReplaysAFiveThousandStepLoopAndFinishesIt() throws Exception {
    start();
    String id = await(runtime.<Long>start("loop", 1, STEPS)).workflowId();
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (lastStepRun.get() != STEPS - 1) {
      assertThat(System.currentTimeMillis()).as("the loop reaching its last step").isLessThan(deadline);
      await(timer(20));
    }
    await(runtime.close());
    await(vertx.undeploy(host.deploymentID()));
    lastStepRun.set(-1);

    start(); // same store: the workflow is still running, and this node owns it: it replays 4,999 checkpoints
    release.complete();
    WorkflowStatus done = await(runtime.result(id, Duration.ofSeconds(60)));
    assertThat(done.state()).as(String.valueOf(done.errorMessage())).isEqualTo(WorkflowState.COMPLETED);
    assertThat(done.resultJson()).isEqualTo(Long.toString((long) STEPS * (STEPS - 1) / 2));
    assertThat(lastStepRun.get()).as("the last step ran again after the restart").isEqualTo(STEPS - 1);
  }

  private Future<Void> timer(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static <T> T await(Uni<T> u) throws Exception {
    return u.subscribeAsCompletionStage().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
