package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.RaftStatus;
import io.raftoral.async.Bridge;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The owner continues with a compute's value before it commits (pipelining), yet no side effect runs before the
 * outcomes before it are committed, and a compute that ends the workflow shares its commit with the end.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComputePipeliningTest {

  private static final int STEPS = 3;

  /** The owner's group status as each supplier saw it when called. */
  private final List<RaftStatus> atSupplierCall = new CopyOnWriteArrayList<>();
  private LocalWorkflowCluster cluster;

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create().register("computes", 1, Integer.class, Integer.class, (in, ctx) -> {
      Uni<Integer> chain = Uni.createFrom().item(in);
      for (int i = 0; i < STEPS; i++) {
        String key = "step-" + i;
        chain = chain.flatMap(v -> ctx.compute(key, Integer.class, () -> {
          atSupplierCall.add(cluster.runtime(node).group().status());
          return Uni.createFrom().item(v + 1);
        }));
      }
      return chain;
    });
  }

  @Test
  void eachSupplierRunsOnlyOnceThePreviousComputeIsAppliedAndTheLastSharesItsCommitWithTheEnd(Vertx vertx,
      VertxTestContext ctx) {
    // start, step-0, step-1, step-2 with the end
    runAndCountEntries(vertx, ctx, new WorkflowRuntimeOptions(), 1 + STEPS);
  }

  @Test
  void withoutPipeliningTheEndIsACommitOfItsOwn(Vertx vertx, VertxTestContext ctx) {
    runAndCountEntries(vertx, ctx, new WorkflowRuntimeOptions().setPipelining(false), 1 + STEPS + 1);
  }

  private void runAndCountEntries(Vertx vertx, VertxTestContext ctx, WorkflowRuntimeOptions options, long entries) {
    cluster = new LocalWorkflowCluster(vertx, this::registry, options);
    long[] before = new long[1];
    cluster.start(1, 2, 3)
        .compose(v -> allAnnounced(System.currentTimeMillis() + 15_000))
        .compose(v -> {
          before[0] = cluster.leaderRuntime().group().status().lastIndex();
          return Bridge.future(cluster.leaderRuntime().<Integer>start("computes", 1, 10), cluster.context());
        })
        .compose(run -> Bridge.future(run.result(), cluster.context()))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo(10 + STEPS);
          assertThat(atSupplierCall).as("one call per supplier").hasSize(STEPS);
          for (int k = 1; k < STEPS; k++) {
            // Step k-1's entry was proposed after its supplier returned, so past what that supplier saw.
            assertThat(atSupplierCall.get(k).appliedIndex())
                .as("applied when supplier %d was called, last index at supplier %d's call", k, k - 1)
                .isGreaterThan(atSupplierCall.get(k - 1).lastIndex());
          }
          assertThat(cluster.leaderRuntime().group().status().lastIndex() - before[0])
              .as("log entries of the workflow").isEqualTo(entries);
          cluster.close().onComplete(x -> ctx.completeNow());
        })));
  }

  /**
   * Polls, on the leader's context, until the leader applied every member's announcement of what it runs (entries
   * the members propose as they start, which would otherwise fall among the workflow's).
   */
  private Future<Void> allAnnounced(long deadline) {
    WorkflowRuntimeImpl leader = (WorkflowRuntimeImpl) cluster.leaderRuntime();
    Promise<Boolean> done = Promise.promise();
    leader.context().runOnContext(v -> {
      MemberRegistrations r = leader.stateMachine().registrations();
      done.complete(!r.of(1).isEmpty() && !r.of(2).isEmpty() && !r.of(3).isEmpty()
          && leader.group().status().appliedIndex() == leader.group().status().lastIndex());
    });
    return done.future().compose(all -> {
      if (all) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("members' announcements not applied in time"));
      }
      Promise<Void> later = Promise.promise();
      cluster.nodes().vertx().setTimer(20, t -> allAnnounced(deadline).onComplete(later));
      return later.future();
    });
  }
}
