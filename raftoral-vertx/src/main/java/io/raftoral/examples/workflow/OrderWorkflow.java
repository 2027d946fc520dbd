package io.raftoral.examples.workflow;

import io.raftoral.workflow.ReplicatedVar;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFunction;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Objects;

/**
 * An order: reserve the items, charge the payment, and record the shipment. The two external calls are
 * {@code compute} checkpoints (only the owner calls the services; their results are replicated), the order's
 * status is a {@link ReplicatedVar}, the shipment a plain checkpoint. A failed payment releases the reservation.
 */
public final class OrderWorkflow implements WorkflowFunction<OrderWorkflow.Order, OrderWorkflow.Receipt> {

  public static final String NAME = "order";
  public static final int VERSION = 1;

  public record Order(String orderId, String customer, List<String> items, long amountCents) {}

  public record Reservation(String reservationId, List<String> items) {}

  public record Payment(String paymentId, long amountCents) {}

  public record Shipment(String orderId, String address, int parcels) {}

  public record Receipt(String orderId, String status, String reservationId, String paymentId, int parcels) {}

  /** The stock service; {@code idempotencyKey} is stable across owners. */
  public interface Inventory {
    Uni<Reservation> reserve(String idempotencyKey, List<String> items);

    Uni<Void> release(String idempotencyKey, String reservationId);
  }

  /** The payment service; {@code idempotencyKey} is stable across owners. */
  public interface Payments {
    Uni<Payment> charge(String idempotencyKey, String customer, long amountCents);
  }

  private final Inventory inventory;
  private final Payments payments;

  public OrderWorkflow(Inventory inventory, Payments payments) {
    this.inventory = Objects.requireNonNull(inventory, "inventory");
    this.payments = Objects.requireNonNull(payments, "payments");
  }

  @Override
  public Uni<Receipt> run(Order order, WorkflowContext ctx) {
    ReplicatedVar<String> status = ctx.var("status", String.class, "NEW");
    return ctx.compute("reserve", Reservation.class, () -> inventory.reserve(ctx.idempotencyKey(), order.items()))
        .flatMap(reservation -> status.set("RESERVED")
            .flatMap(s -> ctx.compute("charge", Payment.class,
                () -> payments.charge(ctx.idempotencyKey(), order.customer(), order.amountCents())))
            .onFailure().call(e -> ctx.compute("release", Boolean.class,
                    () -> inventory.release(ctx.idempotencyKey(), reservation.reservationId()).replaceWith(true))
                .flatMap(released -> status.set("CANCELLED")))
            .flatMap(payment -> status.set("PAID")
                .flatMap(s -> ctx.checkpoint("shipment",
                    new Shipment(order.orderId(), "customer:" + order.customer(), (order.items().size() + 2) / 3)))
                .flatMap(shipment -> status.set("SHIPPED")
                    .map(s -> new Receipt(order.orderId(), status.get(), reservation.reservationId(),
                        payment.paymentId(), shipment.parcels())))));
  }
}
