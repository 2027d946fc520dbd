package io.raftoral.group.impl;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * The one table of requests a group has accepted and not answered yet, for every kind of request: each has an id,
 * a deadline (a Vert.x timer that fails it when it passes) and is removed, with its timer cancelled, when it is
 * answered, when it times out, or when the group fails every request (stop, leadership lost).
 *
 * <p>Confined to the group's event-loop context, like everything in the group.
 *
 * @param <K> the request id (a sequence number, a log index)
 * @param <P> the request kind
 */
final class PendingRequests<K, P extends PendingRequest<?>> {

  /** Below this a timer would fire before the request had a chance to be sent. */
  private static final long MIN_TIMEOUT_MILLIS = 1;

  private record Slot<P>(P request, long timer) {}

  private final Vertx vertx;
  /** In insertion order, so re-sends go out in the order the callers asked. */
  private final Map<K, Slot<P>> slots = new LinkedHashMap<>();

  PendingRequests(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Adds {@code request} under {@code id}; unless answered first, it is removed and failed with
   * {@code timeoutFailure} after {@code timeoutMillis}.
   */
  void add(K id, P request, long timeoutMillis, Supplier<? extends Throwable> timeoutFailure) {
    long timer = vertx.setTimer(Math.max(MIN_TIMEOUT_MILLIS, timeoutMillis), t -> {
      Slot<P> slot = slots.get(id);
      if (slot != null && slot.request() == request) {
        slots.remove(id);
        request.fail(timeoutFailure.get());
      }
    });
    slots.put(id, new Slot<>(request, timer));
  }

  /** Removes the request of {@code id} (cancelling its deadline) and returns it, or null when there is none. */
  P remove(K id) {
    Slot<P> slot = slots.remove(id);
    if (slot == null) {
      return null;
    }
    vertx.cancelTimer(slot.timer());
    return slot.request();
  }

  /** Removes (cancelling their deadlines) and returns the requests that {@code which} selects, in order. */
  List<P> removeIf(BiPredicate<? super K, ? super P> which) {
    List<P> removed = new ArrayList<>();
    slots.entrySet().removeIf(e -> {
      if (!which.test(e.getKey(), e.getValue().request())) {
        return false;
      }
      vertx.cancelTimer(e.getValue().timer());
      removed.add(e.getValue().request());
      return true;
    });
    return removed;
  }

  /** Calls {@code action} for every pending request, in order; it must not add or remove requests. */
  void forEach(BiConsumer<? super K, ? super P> action) {
    slots.forEach((id, slot) -> action.accept(id, slot.request()));
  }

  /**
   * Calls {@code action} for the pending requests, in order, while it returns true; it must not add or remove
   * requests.
   */
  void forEachWhile(BiPredicate<? super K, ? super P> action) {
    for (Map.Entry<K, Slot<P>> e : slots.entrySet()) {
      if (!action.test(e.getKey(), e.getValue().request())) {
        return;
      }
    }
  }

  /** The pending requests, in order (a read-only view). */
  Collection<P> requests() {
    List<P> out = new ArrayList<>(slots.size());
    slots.values().forEach(s -> out.add(s.request()));
    return Collections.unmodifiableList(out);
  }

  int size() {
    return slots.size();
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  /** Fails every pending request with {@code cause} and empties the table. */
  void failAll(Throwable cause) {
    List<Slot<P>> all = new ArrayList<>(slots.values());
    slots.clear();
    for (Slot<P> slot : all) {
      vertx.cancelTimer(slot.timer());
      slot.request().fail(cause);
    }
  }
}
