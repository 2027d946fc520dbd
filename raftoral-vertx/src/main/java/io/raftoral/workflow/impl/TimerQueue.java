package io.raftoral.workflow.impl;

import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The durable timers this member must fire for one execution cluster: the workflows it owns that sleep, sorted by
 * deadline, with ONE Vert.x timer armed for the earliest. A sleeping workflow thus costs an entry here (on its owner
 * only), never a thread or a periodic poll of its own. The deadlines are journaled (epoch ms); this queue only holds
 * what the owner's executions rebuild after a restart, a failover or a snapshot install, so it is never persisted.
 *
 * <p>Used on the group's context only; the armed timer fires there too.
 */
final class TimerQueue {

  /** A pending timer: ordered by deadline, then by scheduling order so equal deadlines never collide. */
  private record Key(long deadlineMillis, long order) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int byDeadline = Long.compare(deadlineMillis, o.deadlineMillis);
      return byDeadline != 0 ? byDeadline : Long.compare(order, o.order);
    }
  }

  private static final long NOT_ARMED = -1;
  /**
   * The longest the one Vert.x timer is armed for: a farther deadline is reached in hops (each finds nothing due and
   * re-arms), so a deadline centuries away never overflows a timer and a wall-clock jump is noticed within a day.
   */
  private static final long MAX_ARM_MILLIS = 24L * 60 * 60 * 1000;

  private final Context context;
  private final LongSupplier clock;
  private final TreeMap<Key, Runnable> pending = new TreeMap<>();
  private long nextOrder;
  private long armedTimer = NOT_ARMED;
  /** The deadline the armed timer was set for (meaningful while armed). */
  private long armedFor;
  private boolean closed;

  /** A queue whose timer runs on {@code context}, reading wall-clock time (deadlines are journaled epoch ms). */
  TimerQueue(Context context) {
    this(context, System::currentTimeMillis);
  }

  TimerQueue(Context context, LongSupplier clock) {
    this.context = context;
    this.clock = clock;
  }

  /** Timers waiting to fire. */
  int size() {
    return pending.size();
  }

  /**
   * Runs {@code fire} on the group's context once the wall clock reaches {@code deadlineMillis} (at once, on a later
   * turn, when it is already past). Cancelling the returned handle before then drops it.
   */
  Cancellable schedule(long deadlineMillis, Runnable fire) {
    if (closed) {
      return () -> { };
    }
    Key key = new Key(deadlineMillis, nextOrder++);
    pending.put(key, fire);
    arm();
    // A cancelled entry stays out of the queue; the armed timer, if it was for this entry, finds nothing due and
    // re-arms for the next one (cheaper than re-arming on every cancel).
    return () -> pending.remove(key);
  }

  /** Drops every timer and disarms (the runtime closes). */
  void close() {
    closed = true;
    pending.clear();
    disarm();
  }

  private void arm() {
    if (closed || pending.isEmpty()) {
      return;
    }
    long earliest = pending.firstKey().deadlineMillis();
    if (armedTimer != NOT_ARMED && armedFor <= earliest) {
      return;
    }
    disarm();
    long now = clock.getAsLong();
    // Vert.x timers need a delay of at least 1 ms: a due deadline fires on the next turn.
    long delay = earliest <= now ? 1 : Math.min(MAX_ARM_MILLIS, earliest - now);
    armedFor = now + delay;
    // Called on the group's context, so the Vert.x timer fires there too.
    armedTimer = context.owner().setTimer(delay, id -> {
      armedTimer = NOT_ARMED;
      fireDue();
    });
  }

  private void disarm() {
    if (armedTimer != NOT_ARMED) {
      context.owner().cancelTimer(armedTimer);
      armedTimer = NOT_ARMED;
    }
  }

  /** Fires every timer whose deadline has passed, then arms for the next one. */
  private void fireDue() {
    if (closed) {
      return;
    }
    long now = clock.getAsLong();
    List<Runnable> due = new ArrayList<>();
    while (!pending.isEmpty() && pending.firstKey().deadlineMillis() <= now) {
      Map.Entry<Key, Runnable> first = pending.pollFirstEntry();
      due.add(first.getValue());
    }
    // Armed again before the callbacks run: one that schedules a new timer re-arms only if it is earlier.
    arm();
    for (Runnable fire : due) {
      fire.run();
    }
  }
}
