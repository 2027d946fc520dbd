package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Checkpoints are reactive operators": {@code uni.plug(ctx.checkpointed(key, type))} journals the outcome of the Uni
 * it is plugged into, subscribing to that Uni on the owner only, and each subscription takes a new journal position.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckpointedOperatorTest {

  private static final TypeReference<List<Integer>> INT_LIST = new TypeReference<>() {};
  private static final Duration RESULT_WAIT = Duration.ofSeconds(10);

  /** Subscriptions to each workflow's upstream Uni, across every node. */
  private final Map<String, AtomicInteger> upstreamCalls = new ConcurrentHashMap<>();

  private int upstreamCalls(String workflow) {
    return upstreamCalls.computeIfAbsent(workflow, k -> new AtomicInteger()).get();
  }

  private Uni<List<Integer>> pairOf(int n) {
    return Uni.createFrom().item(() -> {
      upstreamCalls.computeIfAbsent("pair", k -> new AtomicInteger()).incrementAndGet();
      return List.of(n, n * 2);
    });
  }

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create()
        // A generic value through the TypeReference overload, then a plain one through the Class overload.
        .register("pair", 1, Integer.class, String.class, (n, ctx) -> pairOf(n)
            .plug(ctx.checkpointed("pair", INT_LIST))
            .map(pair -> pair.get(0) + pair.get(1))
            .chain(sum -> Uni.createFrom().item("sum=" + sum).plug(ctx.checkpointed("label", String.class))))
        // One checkpointed Uni subscribed to twice: two journal positions, two upstream subscriptions.
        .register("twice", 1, new TypeReference<Integer>() {}, INT_LIST, (ignored, ctx) -> {
          AtomicInteger ticks = new AtomicInteger();
          Uni<Integer> tick = Uni.createFrom().item(ticks::incrementAndGet)
              .plug(ctx.checkpointed("tick", Integer.class));
          return tick.chain(first -> tick.map(second -> List.of(first, second)));
        });
  }

  private Future<List<WorkflowStatus>> statusEverywhere(LocalWorkflowCluster c, String id) {
    List<Future<WorkflowStatus>> all = new ArrayList<>();
    for (long n = 1; n <= 3; n++) {
      all.add(fut(c.runtime(n).result(id)));
    }
    return Future.all(all).map(cf -> cf.<WorkflowStatus>list());
  }

  @Test
  void aPluggedUniIsSubscribedOnTheOwnerOnlyAndItsGenericValueIsJournaled(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions());
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<String>start("pair", 1, 21)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(RESULT_WAIT));
        })
        .compose(result -> {
          ctx.verify(() -> assertThat(result).isEqualTo("sum=63"));
          return statusEverywhere(c, id[0]);
        })
        .onComplete(ctx.succeeding(statuses -> ctx.verify(() -> {
          for (WorkflowStatus s : statuses) {
            assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(s.resultJson()).isEqualTo("\"sum=63\"");
            assertThat(s.checkpointCount()).isEqualTo(2);
          }
          assertThat(upstreamCalls("pair")).as("only the owner subscribes to the upstream").isEqualTo(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void eachSubscriptionToACheckpointedUniTakesANewJournalPosition(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions());
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<List<Integer>>start("twice", 1, 0)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(RESULT_WAIT));
        })
        .compose(result -> {
          ctx.verify(() -> assertThat(result).as("the second subscription ran the upstream again")
              .containsExactly(1, 2));
          return statusEverywhere(c, id[0]);
        })
        .onComplete(ctx.succeeding(statuses -> ctx.verify(() -> {
          for (WorkflowStatus s : statuses) {
            assertThat(s.resultJson()).as("every member read both entries back").isEqualTo("[1,2]");
            assertThat(s.checkpointCount()).as("one position per subscription").isEqualTo(2);
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
