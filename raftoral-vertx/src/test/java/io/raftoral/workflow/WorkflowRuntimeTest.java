package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.examples.workflow.FibonacciWorkflow;
import io.raftoral.examples.workflow.OrderWorkflow;
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
 * Workflows on a 3-node execution cluster in one JVM (real Raft over the in-JVM transport): results, replica
 * agreement, side effects run once, registration and start rules, listing and status.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkflowRuntimeTest {

  private static final long WAIT = 10_000;

  /** Calls of each order side effect, by node. */
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private void count(long node, String what) {
    calls.computeIfAbsent(node + ":" + what, k -> new AtomicInteger()).incrementAndGet();
  }

  private int callsEverywhere(String what) {
    return calls.entrySet().stream().filter(e -> e.getKey().endsWith(":" + what))
        .mapToInt(e -> e.getValue().get()).sum();
  }

  private WorkflowRegistry registry(long node) {
    OrderWorkflow.Inventory inventory = new OrderWorkflow.Inventory() {
      @Override
      public Uni<OrderWorkflow.Reservation> reserve(String key, List<String> items) {
        count(node, "reserve");
        return Uni.createFrom().item(new OrderWorkflow.Reservation("res-" + key, items));
      }

      @Override
      public Uni<Void> release(String key, String reservationId) {
        count(node, "release");
        return Uni.createFrom().voidItem();
      }
    };
    OrderWorkflow.Payments payments = (key, customer, amount) -> {
      count(node, "charge");
      if (amount > 1_000_000) {
        return Uni.createFrom().failure(new IllegalStateException("card declined for " + customer));
      }
      return Uni.createFrom().item(new OrderWorkflow.Payment("pay-" + key, amount));
    };
    return WorkflowRegistry.create()
        .register(FibonacciWorkflow.NAME, FibonacciWorkflow.VERSION, Integer.class, Long.class,
            new FibonacciWorkflow())
        .register(OrderWorkflow.NAME, OrderWorkflow.VERSION, OrderWorkflow.Order.class, OrderWorkflow.Receipt.class,
            new OrderWorkflow(inventory, payments))
        .register("echo", 1, String.class, String.class, (in, ctx) -> Uni.createFrom().item("v1:" + in))
        .register("echo", 2, String.class, String.class, (in, ctx) -> Uni.createFrom().item("v2:" + in));
  }

  private LocalWorkflowCluster cluster(Vertx vertx) {
    return new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions());
  }

  @Test
  void fibonacciCompletesWithTheSameStateOnEveryReplica(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<Long>start(FibonacciWorkflow.NAME, 1, 50)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(10)));
        })
        .compose(result -> {
          ctx.verify(() -> assertThat(result).isEqualTo(12_586_269_025L));
          List<Future<WorkflowStatus>> all = new ArrayList<>();
          for (long n = 1; n <= 3; n++) {
            all.add(fut(c.runtime(n).result(id[0])));
          }
          return Future.all(all).map(cf -> cf.<WorkflowStatus>list());
        })
        .onComplete(ctx.succeeding(statuses -> ctx.verify(() -> {
          for (WorkflowStatus s : statuses) {
            assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(s.resultJson()).isEqualTo("12586269025");
            assertThat(s.checkpointCount()).isEqualTo(50);
            assertThat(s.ownerNode()).isEqualTo(2);
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void orderRunsEachSideEffectOnceInTheWholeCluster(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    int orders = 20;
    c.start(1, 2, 3)
        .compose(v -> {
          List<Future<OrderWorkflow.Receipt>> all = new ArrayList<>();
          for (int i = 0; i < orders; i++) {
            long via = 1 + i % 3;
            OrderWorkflow.Order order = new OrderWorkflow.Order("o" + i, "c" + i, List.of("a", "b", "c", "d"),
                100 + i);
            all.add(fut(c.runtime(via).<OrderWorkflow.Receipt>start(OrderWorkflow.NAME, 1, order)
                .flatMap(run -> run.result(Duration.ofSeconds(10)))));
          }
          return Future.all(all).map(cf -> cf.<OrderWorkflow.Receipt>list());
        })
        // Replicas finish after the owner: wait until no execution is left anywhere before counting.
        .compose(receipts -> c.await(() -> c.executions(1) + c.executions(2) + c.executions(3) == 0, WAIT,
            "every replica's execution to end").map(receipts))
        .onComplete(ctx.succeeding(receipts -> ctx.verify(() -> {
          for (int i = 0; i < orders; i++) {
            OrderWorkflow.Receipt r = receipts.get(i);
            assertThat(r.orderId()).isEqualTo("o" + i);
            assertThat(r.status()).isEqualTo("SHIPPED");
            assertThat(r.parcels()).isEqualTo(2);
            assertThat(r.paymentId()).startsWith("pay-");
          }
          assertThat(callsEverywhere("reserve")).isEqualTo(orders);
          assertThat(callsEverywhere("charge")).isEqualTo(orders);
          assertThat(callsEverywhere("release")).isZero();
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void declinedPaymentFailsTheOrderWithTheRecordedErrorAndReleasesTheStock(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    OrderWorkflow.Order order = new OrderWorkflow.Order("big", "rich", List.of("yacht"), 5_000_000);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<OrderWorkflow.Receipt>start(OrderWorkflow.NAME, 1, order)))
        .compose(run -> fut(run.result(Duration.ofSeconds(10))))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowFailedException.class);
          WorkflowFailedException f = (WorkflowFailedException) e;
          assertThat(f.errorType()).isEqualTo(IllegalStateException.class.getName());
          assertThat(f.errorMessage()).isEqualTo("card declined for rich");
          assertThat(callsEverywhere("charge")).isEqualTo(1);
          assertThat(callsEverywhere("release")).isEqualTo(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void versionsLiveSideBySideAndAnUnknownVersionIsRefused(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    c.start(1, 2, 3)
        .compose(v -> Future.all(
            fut(c.runtime(1).<String>start("echo", 1, "x").flatMap(r -> r.result())),
            fut(c.runtime(1).<String>start("echo", 2, "x").flatMap(r -> r.result()))))
        .compose(both -> {
          ctx.verify(() -> assertThat(both.<String>list()).containsExactly("v1:x", "v2:x"));
          return fut(c.runtime(1).start("echo", 3, "x"));
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowNotRegisteredException.class)
              .hasMessageContaining("'echo' version 3").hasMessageContaining("echo v1, echo v2");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void startWithACallerIdIsIdempotentAndAConflictingReuseIsRefused(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    StartOptions opts = new StartOptions().setWorkflowId("order-42");
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("echo", 1, "a", opts)))
        .compose(first -> fut(c.runtime(2).<String>start("echo", 1, "b", opts)).map(second -> {
          ctx.verify(() -> assertThat(second.workflowId()).isEqualTo(first.workflowId()));
          return second;
        }))
        .compose(run -> fut(run.result()))
        .compose(result -> {
          ctx.verify(() -> assertThat(result).as("the first start's input stands").isEqualTo("v1:a"));
          return fut(c.runtime(3).list(WorkflowFilter.all()));
        })
        .compose(list -> {
          ctx.verify(() -> assertThat(list).hasSize(1));
          return fut(c.runtime(3).start("echo", 2, "c", opts));
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowIdConflictException.class).hasMessageContaining("order-42");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void statusListAndUnknownIds(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<Long>start(FibonacciWorkflow.NAME, 1, 10)))
        .compose(run -> fut(run.result()).compose(r -> fut(c.runtime(3).status(run.workflowId()))))
        .compose(status -> {
          ctx.verify(() -> {
            assertThat(status.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(status.workflowType()).isEqualTo(FibonacciWorkflow.NAME);
            assertThat(status.version()).isEqualTo(1);
            assertThat(status.ownerNode()).isEqualTo(1);
            assertThat(status.checkpointCount()).isEqualTo(10);
            assertThat(status.inputJson()).isEqualTo("10");
            assertThat(status.endedAt()).isAfterOrEqualTo(status.startedAt());
          });
          return fut(c.runtime(2).list(WorkflowFilter.all().states(WorkflowState.RUNNING)));
        })
        .compose(running -> {
          ctx.verify(() -> assertThat(running).isEmpty());
          return fut(c.runtime(2).status("nope"));
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowNotFoundException.class).hasMessageContaining("nope");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsProposed(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).startJson(FibonacciWorkflow.NAME, 1, "\"not a number\"",
            new StartOptions())))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Integer");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
