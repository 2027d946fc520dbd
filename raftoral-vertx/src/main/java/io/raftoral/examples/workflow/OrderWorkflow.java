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
  /** Items packed in one parcel. */
  private static final int ITEMS_PER_PARCEL = 3;

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
    Steps steps = new Steps(order, ctx);
    return steps.reserve()
        .chain(steps::markReserved)
        .chain(steps::charge)
        .chain(steps::markPaid)
        .chain(steps::ship)
        .chain(steps::markShipped)
        .map(steps::receipt);
  }

  /**
   * The steps of one run, in the order they are journaled; each is a checkpoint. A run makes its own instance, so
   * the fields that carry a step's outcome to the later steps are the same on every member.
   */
  private final class Steps {
    private final Order order;
    private final WorkflowContext ctx;
    private final ReplicatedVar<String> status;
    private Reservation reservation;
    private Payment payment;
    private Shipment shipment;

    Steps(Order order, WorkflowContext ctx) {
      this.order = order;
      this.ctx = ctx;
      this.status = ctx.var("status", String.class, "NEW");
    }

    /** The stock service reserves the items (owner only; the reservation is journaled). */
    Uni<Reservation> reserve() {
      return ctx.compute("reserve", Reservation.class, () -> inventory.reserve(ctx.idempotencyKey(), order.items()))
          .invoke(r -> reservation = r);
    }

    Uni<String> markReserved(Reservation r) {
      return status.set("RESERVED");
    }

    /** The payment service charges the customer; a failed payment releases the reservation, then fails the run. */
    Uni<Payment> charge(String reserved) {
      return ctx.compute("charge", Payment.class,
              () -> payments.charge(ctx.idempotencyKey(), order.customer(), order.amountCents()))
          .invoke(p -> payment = p)
          .onFailure().call(this::release);
    }

    private Uni<String> release(Throwable paymentFailure) {
      return ctx.compute("release", Boolean.class,
              () -> inventory.release(ctx.idempotencyKey(), reservation.reservationId()).replaceWith(true))
          .chain(released -> status.set("CANCELLED"));
    }

    Uni<String> markPaid(Payment p) {
      return status.set("PAID");
    }

    /** The shipment is computed from the order alone (deterministic): a plain checkpoint. */
    Uni<Shipment> ship(String paid) {
      int parcels = (order.items().size() + ITEMS_PER_PARCEL - 1) / ITEMS_PER_PARCEL;
      return ctx.checkpoint("shipment", new Shipment(order.orderId(), "customer:" + order.customer(), parcels))
          .invoke(s -> shipment = s);
    }

    Uni<String> markShipped(Shipment s) {
      return status.set("SHIPPED");
    }

    Receipt receipt(String shipped) {
      return new Receipt(order.orderId(), status.get(), reservation.reservationId(), payment.paymentId(),
          shipment.parcels());
    }
  }
}
