package io.raftoral.workflow.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.impl.CheckpointCall.Kind;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The signal and condition waits of a {@link WorkflowContextImpl}: each is one {@link Kind#WAIT} journal position
 * (preceded by a journaled deadline when it has a timeout), produced by the owner's {@link WaitingSlots} and read
 * back from the journal everywhere else.
 */
final class ContextWaits {

  private static final JavaType DELIVERY = Payloads.type(SignalDelivery.class);
  private static final JavaType BOOLEAN = Payloads.type(Boolean.class);

  private final WorkflowContextImpl ctx;

  ContextWaits(WorkflowContextImpl ctx) {
    this.ctx = ctx;
  }

  <T> Uni<T> awaitSignal(String name, JavaType type) {
    WorkflowContextImpl.checkKey(name);
    return delivery(name, WaitSpec.NO_DEADLINE).map(d -> payload(name, d, type));
  }

  <T> Uni<Optional<T>> awaitSignal(String name, JavaType type, Duration timeout) {
    WorkflowContextImpl.checkKey(name);
    return ctx.deadlineIn(timeout)
        .flatMap(at -> delivery(name, at.toEpochMilli()))
        .map(d -> d.timedOut() ? Optional.<T>empty() : Optional.ofNullable(payload(name, d, type)));
  }

  Uni<Void> awaitCondition(Supplier<Boolean> condition) {
    Objects.requireNonNull(condition, "condition");
    return ctx.<Boolean>step(WorkflowContext.CONDITION_KEY, BOOLEAN, Kind.WAIT,
        WaitSpec.condition(condition, WaitSpec.NO_DEADLINE), null).replaceWithVoid();
  }

  Uni<Boolean> awaitCondition(Supplier<Boolean> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    return ctx.deadlineIn(timeout).flatMap(at -> ctx.<Boolean>step(WorkflowContext.CONDITION_KEY, BOOLEAN,
        Kind.WAIT, WaitSpec.condition(condition, at.toEpochMilli()), null));
  }

  private Uni<SignalDelivery> delivery(String name, long deadlineMillis) {
    return ctx.step(WorkflowContext.SIGNAL_KEY_PREFIX + name, DELIVERY, Kind.WAIT,
        WaitSpec.signal(name, deadlineMillis), null);
  }

  private static <T> T payload(String name, SignalDelivery d, JavaType type) {
    try {
      return Payloads.decode(d.payload(), type);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("signal '" + name + "' #" + d.seq() + " cannot be read: " + e.getMessage(), e);
    }
  }
}
