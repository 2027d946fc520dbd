package io.raftoral.events;

import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A node's event bus: numbers each {@link NodeEvent}, keeps the last few (so that a subscriber arriving late, or an
 * SSE client reconnecting with {@code Last-Event-ID}, sees what it missed) and hands each event to every
 * {@link EventSubscription} whose filter passes it. Fed by {@link NodeEventFeeds}; served by the HTTP and gRPC APIs.
 *
 * <p>Threading: any thread publishes and subscribes; a publisher never waits for a subscriber.
 */
public final class NodeEvents {

  /** How many recent events are kept for late subscribers. */
  public static final int DEFAULT_HISTORY_SIZE = 512;
  /** How many events a subscriber may have pending before new ones are skipped. */
  public static final int DEFAULT_SUBSCRIBER_CAPACITY = 1024;

  private final long nodeId;
  private final int historySize;
  private final int subscriberCapacity;
  private final LongSupplier clock;
  private final Set<EventSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  // guarded by this
  private final ArrayDeque<NodeEvent> history = new ArrayDeque<>();
  private long lastSeq;

  public NodeEvents(long nodeId) {
    this(nodeId, DEFAULT_HISTORY_SIZE, DEFAULT_SUBSCRIBER_CAPACITY, System::currentTimeMillis);
  }

  /**
   * @param nodeId the node the events are reported by
   * @param historySize how many recent events are kept (0: none)
   * @param subscriberCapacity each subscriber's buffer, in events (>= 1)
   * @param clock the time events are stamped with
   */
  public NodeEvents(long nodeId, int historySize, int subscriberCapacity, LongSupplier clock) {
    if (historySize < 0 || subscriberCapacity < 1) {
      throw new IllegalArgumentException("historySize must be >= 0 and subscriberCapacity >= 1, were "
          + historySize + " and " + subscriberCapacity);
    }
    this.nodeId = nodeId;
    this.historySize = historySize;
    this.subscriberCapacity = subscriberCapacity;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public long nodeId() {
    return nodeId;
  }

  /** Publishes an event of {@code kind} about {@code clusterId}, stamped now; returns it. */
  public NodeEvent publish(EventKind kind, long clusterId, JsonObject fields) {
    synchronized (this) {
      NodeEvent e = new NodeEvent(++lastSeq, kind, clock.getAsLong(), nodeId, clusterId, fields);
      if (historySize > 0) {
        if (history.size() == historySize) {
          history.poll();
        }
        history.add(e);
      }
      // offered under the lock so that every subscriber sees one order; offering never blocks
      subscriptions.forEach(s -> s.offer(e));
      return e;
    }
  }

  /**
   * Subscribes {@code sink}, written on {@code context}. It first gets the kept events that pass {@code filter}:
   * those after {@code afterSeq} when it is > 0 (a reconnecting client's last seen number), else the last
   * {@code replay} of them; then every new one.
   */
  public EventSubscription subscribe(EventFilter filter, int replay, long afterSeq, EventSink sink,
      Context context) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(context, "context");
    EventSubscription s = new EventSubscription(this, filter, sink, context, subscriberCapacity, nodeId);
    synchronized (this) {
      List<NodeEvent> past = new ArrayList<>();
      for (NodeEvent e : history) {
        if (filter.test(e) && (afterSeq <= 0 || e.seq() > afterSeq)) {
          past.add(e);
        }
      }
      int from = afterSeq > 0 ? 0 : Math.max(0, past.size() - Math.max(0, replay));
      past.subList(from, past.size()).forEach(s::offer);
      subscriptions.add(s);
    }
    return s;
  }

  void unsubscribe(EventSubscription s) {
    subscriptions.remove(s);
  }

  /** How many subscribers are attached. */
  public int subscriberCount() {
    return subscriptions.size();
  }

  /** The kept recent events, oldest first. */
  public synchronized List<NodeEvent> recent() {
    return List.copyOf(history);
  }

  /** Closes every subscription (the node stops). */
  public void close() {
    new ArrayList<>(subscriptions).forEach(EventSubscription::close);
  }
}
