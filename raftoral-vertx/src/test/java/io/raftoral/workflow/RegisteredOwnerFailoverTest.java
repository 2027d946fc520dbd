package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftPreset;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Owner failover goes only to a member that runs the workflow's (name, version) (issue #12 item 6): during a rolling
 * upgrade, a workflow whose owner dies waits while no live member has its registration (instead of failing for good
 * on a member without it), and is taken over once an upgraded member comes up.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegisteredOwnerFailoverTest {

  private static final long WAIT = 30_000;
  private static final long OWNER_TIMEOUT_MILLIS = 300;
  /** Long enough for the leader to have looked at the orphan many times. */
  private static final long LOOK_MILLIS = 10 * OWNER_TIMEOUT_MILLIS;
  private static final String NEW_FLOW = "new_flow";
  private static final long OWNER = 1;
  private static final long UPGRADED_LATER = 5;
  private static final int STEPS = 4;
  /** The step at which the first owner stops answering (its supplier never completes). */
  private static final int STUCK_STEP = 2;

  /** Nodes whose registry has {@link #NEW_FLOW} (the others run an older build without it). */
  private final Set<Long> upgraded = ConcurrentHashMap.newKeySet();
  private final Map<Long, Integer> computedBy = new ConcurrentHashMap<>();

  private WorkflowRegistry registry(long node) {
    WorkflowRegistry r = WorkflowRegistry.create()
        .register("old_flow", 1, Integer.class, Integer.class, (n, ctx) -> Uni.createFrom().item(n));
    if (upgraded.contains(node)) {
      r.register(NEW_FLOW, 1, Integer.class, Long.class, (n, ctx) -> step(ctx, node, 0, n, 0L));
    }
    return r;
  }

  private Uni<Long> step(WorkflowContext ctx, long node, int i, int n, long sum) {
    if (i == n) {
      return Uni.createFrom().item(sum);
    }
    return ctx.compute("step-" + i, Integer.class, () -> {
      computedBy.merge(node, 1, Integer::sum);
      return node == OWNER && i == STUCK_STEP ? Uni.createFrom().<Integer>nothing() : Uni.createFrom().item(i);
    }).flatMap(v -> step(ctx, node, i + 1, n, sum + v));
  }

  @Test
  void aWorkflowWaitsForAMemberWithItsRegistrationAndCompletesWhenOneComesUp(Vertx vertx, VertxTestContext ctx) {
    upgraded.add(OWNER);
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, this::registry,
        new WorkflowRuntimeOptions().setOwnerTimeoutMillis(OWNER_TIMEOUT_MILLIS), RaftPreset.TESTING.groupOptions());
    String[] id = new String[1];
    long survivor = 2;
    c.start(1, 2, 3, 4, 5)
        .compose(v -> fut(c.runtime(OWNER).<Long>start(NEW_FLOW, 1, STEPS)))
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(OWNER, id[0], s -> s.checkpointCount() == STUCK_STEP, WAIT,
              "the owner stuck at step " + STUCK_STEP);
        })
        .compose(v -> c.kill(OWNER))
        // the leader looks at the orphan again and again: no live member runs it, so it stays with its owner
        .compose(v -> c.await(() -> false, LOOK_MILLIS, "the leader's looks").otherwiseEmpty())
        .compose(v -> c.awaitStatus(survivor, id[0], s -> true, WAIT, "the status"))
        .compose(waiting -> {
          ctx.verify(() -> {
            assertThat(waiting.state()).isEqualTo(WorkflowState.RUNNING);
            assertThat(waiting.ownerNode()).as("no member without the registration took it").isEqualTo(OWNER);
          });
          // the rolling upgrade reaches node 5: restarted with the new build
          upgraded.add(UPGRADED_LATER);
          return c.kill(UPGRADED_LATER).compose(x -> c.restart(UPGRADED_LATER));
        })
        .compose(rt -> fut(c.runtime(survivor).<Long>run(id[0], Long.class).result(Duration.ofSeconds(30))))
        .compose(result -> fut(c.runtime(survivor).status(id[0])).map(s -> {
          ctx.verify(() -> {
            assertThat(result).isEqualTo(0L + 1 + 2 + 3);
            assertThat(s.ownerNode()).isEqualTo(UPGRADED_LATER);
            assertThat(computedBy).containsOnlyKeys(OWNER, UPGRADED_LATER);
          });
          return s;
        }))
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }
}
