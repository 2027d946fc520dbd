package io.raftoral.demo;

import io.raftoral.examples.workflow.ApprovalWorkflow;
import io.raftoral.examples.workflow.FibonacciWorkflow;
import io.raftoral.examples.workflow.OrderWorkflow;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowRegistry;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The workflows every demo node registers:
 * <ul>
 *   <li>{@code ping_pong} v1: {@code "ping"} gives {@code "pong"}; any other input fails with a clear error;</li>
 *   <li>{@code order} v1: the order example ({@link OrderWorkflow}) against simulated stock and payment services;</li>
 *   <li>{@code countdown} v1: input N, N steps of a 100 ms durable timer and a checkpoint, result 0: long enough to
 *       kill its owner while it runs;</li>
 *   <li>{@code fibonacci} v1: the n-th Fibonacci number, one checkpoint per step;</li>
 *   <li>{@code approval} v1: waits for signal {@code approve} or one hour ({@link ApprovalWorkflow}); query
 *       {@code state};</li>
 *   <li>{@code side_effects} v1: the fault harness's workflow ({@link SideEffectsWorkflow}), steps that call a
 *       counter outside the cluster.</li>
 * </ul>
 */
public final class DemoWorkflows {

  /** The countdown's pause between steps. */
  private static final Duration TICK = Duration.ofMillis(100);

  private DemoWorkflows() {
  }

  public static WorkflowRegistry registry() {
    return WorkflowRegistry.create()
        .register("ping_pong", 1, String.class, String.class, DemoWorkflows::pingPong)
        .register(OrderWorkflow.NAME, OrderWorkflow.VERSION, OrderWorkflow.Order.class, OrderWorkflow.Receipt.class,
            new OrderWorkflow(new SimulatedInventory(), SimulatedPayments::charge))
        .register("countdown", 1, Integer.class, Integer.class, DemoWorkflows::countdown)
        .register(FibonacciWorkflow.NAME, FibonacciWorkflow.VERSION, Integer.class, Long.class,
            new FibonacciWorkflow())
        .register(ApprovalWorkflow.NAME, ApprovalWorkflow.VERSION, String.class, String.class,
            new ApprovalWorkflow())
        .register(SideEffectsWorkflow.NAME, SideEffectsWorkflow.VERSION, SideEffectsWorkflow.Input.class,
            String.class, new SideEffectsWorkflow());
  }

  static Uni<String> pingPong(String input, WorkflowContext ctx) {
    if (!"ping".equals(input)) {
      return Uni.createFrom().failure(new IllegalArgumentException(
          "ping_pong expects the input \"ping\", got " + (input == null ? "null" : "\"" + input + "\"")));
    }
    return ctx.checkpoint("pong", "pong");
  }

  static Uni<Integer> countdown(Integer steps, WorkflowContext ctx) {
    if (steps == null || steps < 0 || steps > 1_000_000) {
      return Uni.createFrom().failure(new IllegalArgumentException("countdown expects 0..1000000 steps, got "
          + steps));
    }
    return tick(ctx, steps);
  }

  private static Uni<Integer> tick(WorkflowContext ctx, int left) {
    if (left == 0) {
      return Uni.createFrom().item(0);
    }
    // A durable timer: a new owner waits only for what is left of the tick it took over.
    return ctx.sleep(TICK)
        .flatMap(v -> ctx.checkpoint("tick-" + left, left - 1))
        .flatMap(next -> tick(ctx, next));
  }

  /** Stock that is always there. */
  static final class SimulatedInventory implements OrderWorkflow.Inventory {
    @Override
    public Uni<OrderWorkflow.Reservation> reserve(String idempotencyKey, List<String> items) {
      return Uni.createFrom().item(new OrderWorkflow.Reservation("res-" + idempotencyKey, items));
    }

    @Override
    public Uni<Void> release(String idempotencyKey, String reservationId) {
      return Uni.createFrom().voidItem();
    }
  }

  /** Payments that decline amounts above 1,000,000 cents. */
  static final class SimulatedPayments {
    static Uni<OrderWorkflow.Payment> charge(String idempotencyKey, String customer, long amountCents) {
      if (amountCents > 1_000_000) {
        return Uni.createFrom().failure(new IllegalStateException("payment declined for " + customer));
      }
      return Uni.createFrom().item(new OrderWorkflow.Payment("pay-" + UUID.nameUUIDFromBytes(
          idempotencyKey.getBytes(StandardCharsets.UTF_8)), amountCents));
    }
  }
}
