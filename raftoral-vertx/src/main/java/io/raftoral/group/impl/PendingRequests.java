package io.raftoral.group.impl;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * The one table of requests a group has accepted and not answered yet, for every kind of request: each has an id and
 * a deadline that fails it when it passes, and is removed when it is answered, when it times out, or when the group
 * fails every request (stop, leadership lost).
 *
 * <p>One Vert.x timer serves the whole table, armed for the earliest deadline: requests mostly share one timeout, so
 * a request added later expires later and adding or answering one touches no timer (a timer per request cost a
 * scheduled task, its cancellation and a map entry in Vert.x for every proposal). When the timer fires it fails what
 * has expired and arms itself for the earliest deadline left.
 *
 * <p>Confined to the group's event-loop context, like everything in the group.
 *
 * @param <K> the request id (a sequence number, a log index)
 * @param <P> the request kind
 */
final class PendingRequests<K, P extends PendingRequest<?>> {

  /** Below this a timer would fire before the request had a chance to be sent. */
  private static final long MIN_TIMEOUT_MILLIS = 1;

  private static final long NO_TIMER = -1;

  private record Slot<P>(P request, long deadlineNanos, Supplier<? extends Throwable> timeoutFailure) {}

  private final Vertx vertx;
  /** In insertion order, so re-sends go out in the order the callers asked. */
  private final Map<K, Slot<P>> slots = new LinkedHashMap<>();
  private long timer = NO_TIMER;
  /** When the armed timer fires (System.nanoTime), valid while {@link #timer} is set. */
  private long timerDeadlineNanos;

  PendingRequests(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Adds {@code request} under {@code id}; unless answered first, it is removed and failed with
   * {@code timeoutFailure} after {@code timeoutMillis}.
   */
  void add(K id, P request, long timeoutMillis, Supplier<? extends Throwable> timeoutFailure) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_TIMEOUT_MILLIS, timeoutMillis));
    slots.put(id, new Slot<>(request, deadline, timeoutFailure));
    armFor(deadline);
  }

  /** Makes sure the timer fires by {@code deadlineNanos}. */
  private void armFor(long deadlineNanos) {
    if (timer != NO_TIMER) {
      if (timerDeadlineNanos - deadlineNanos <= 0) {
        return;
      }
      vertx.cancelTimer(timer);
    }
    long delayMillis = Math.max(MIN_TIMEOUT_MILLIS,
        TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1) - 1));
    timerDeadlineNanos = deadlineNanos;
    timer = vertx.setTimer(delayMillis, t -> expire());
  }

  /** Fails what has expired, then arms the timer for the earliest deadline left (if any). */
  private void expire() {
    timer = NO_TIMER;
    long now = System.nanoTime();
    List<Slot<P>> expired = new ArrayList<>();
    long earliest = 0;
    boolean any = false;
    for (var it = slots.values().iterator(); it.hasNext(); ) {
      Slot<P> slot = it.next();
      if (slot.deadlineNanos() - now <= 0) {
        it.remove();
        expired.add(slot);
      } else if (!any || slot.deadlineNanos() - earliest < 0) {
        earliest = slot.deadlineNanos();
        any = true;
      }
    }
    if (any) {
      armFor(earliest);
    }
    for (Slot<P> slot : expired) {
      slot.request().fail(slot.timeoutFailure().get());
    }
  }

  /** Removes the request of {@code id} and returns it, or null when there is none. */
  P remove(K id) {
    Slot<P> slot = slots.remove(id);
    return slot == null ? null : slot.request();
  }

  /** Removes and returns the requests that {@code which} selects, in order. */
  List<P> removeIf(BiPredicate<? super K, ? super P> which) {
    List<P> removed = new ArrayList<>();
    slots.entrySet().removeIf(e -> {
      if (!which.test(e.getKey(), e.getValue().request())) {
        return false;
      }
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
    if (timer != NO_TIMER) {
      vertx.cancelTimer(timer);
      timer = NO_TIMER;
    }
    for (Slot<P> slot : all) {
      slot.request().fail(cause);
    }
  }
}
