package io.raftoral.events;

import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * One subscriber of a node's {@link NodeEvents}: a bounded buffer between the publisher and the subscriber's
 * {@link EventSink}. The publisher never waits: when the buffer is full, new events are counted and dropped, and the
 * subscriber gets one {@link EventKind#EVENTS_SKIPPED} marker in their place once it catches up. So a client that
 * stops reading costs at most {@code capacity} events of memory and never holds up the others.
 *
 * <p>Threading: {@link #offer} from any thread; the sink is written on the subscriber's context.
 */
public final class EventSubscription {

  private final NodeEvents owner;
  private final EventFilter filter;
  private final EventSink sink;
  private final Context context;
  private final int capacity;
  private final long nodeId;
  // guarded by this
  private final ArrayDeque<NodeEvent> buffer = new ArrayDeque<>();
  private long skipped;
  private boolean drainScheduled;
  private long delivered;
  private volatile boolean closed;

  EventSubscription(NodeEvents owner, EventFilter filter, EventSink sink, Context context, int capacity,
      long nodeId) {
    this.owner = owner;
    this.filter = filter;
    this.sink = sink;
    this.context = context;
    this.capacity = capacity;
    this.nodeId = nodeId;
  }

  /** Takes {@code event} if the filter passes it; never blocks. */
  void offer(NodeEvent event) {
    if (closed || !filter.test(event)) {
      return;
    }
    boolean schedule;
    synchronized (this) {
      if (skipped > 0 && buffer.size() < capacity) {
        buffer.add(marker(event.timeMillis()));
      }
      if (buffer.size() < capacity) {
        buffer.add(event);
      } else {
        skipped++;
      }
      schedule = !drainScheduled;
      drainScheduled = true;
    }
    if (schedule) {
      context.runOnContext(v -> drain());
    }
  }

  /** Writes what the sink takes; waits for the sink to be ready again (keeping the drain scheduled) if it is full. */
  private void drain() {
    while (!closed) {
      if (sink.failed()) {
        // the client went away without the API noticing: stop holding events for it
        close();
        return;
      }
      if (!sink.ready()) {
        sink.onReady(() -> context.runOnContext(v -> drain()));
        return;
      }
      NodeEvent next;
      synchronized (this) {
        next = buffer.poll();
        if (next == null && skipped > 0) {
          next = marker(System.currentTimeMillis());
        }
        if (next == null) {
          drainScheduled = false;
          return;
        }
        delivered++;
      }
      sink.write(next);
    }
  }

  /** The marker for the events dropped so far (resets the count); holding this. */
  private NodeEvent marker(long timeMillis) {
    NodeEvent m = new NodeEvent(0, EventKind.EVENTS_SKIPPED, timeMillis, nodeId, 0,
        new JsonObject().put("skipped", skipped));
    skipped = 0;
    return m;
  }

  /** Stops the subscription: nothing more is written. Idempotent, any thread. */
  public void close() {
    closed = true;
    owner.unsubscribe(this);
    synchronized (this) {
      buffer.clear();
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Events handed to the sink so far (markers included). */
  public synchronized long delivered() {
    return delivered;
  }

  /** Events waiting in the buffer. */
  public synchronized int buffered() {
    return buffer.size();
  }

  public EventFilter filter() {
    return filter;
  }
}
