package io.raftoral.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node event bus: filters, history for late subscribers, bounded buffers with a skipped-events marker. */
class NodeEventsTest {

  private static final long WAIT_MILLIS = 30_000;
  private static final int CAPACITY = 16;

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final long[] now = {1_000};
  private final NodeEvents events = new NodeEvents(7, 8, CAPACITY, () -> now[0]);

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A sink that takes events while {@code open} is set and calls back once it opens. */
  private static class ListSink implements EventSink {
    final List<NodeEvent> got = new CopyOnWriteArrayList<>();
    final AtomicBoolean open = new AtomicBoolean(true);
    volatile Runnable onReady;

    @Override
    public boolean ready() {
      return open.get();
    }

    @Override
    public void write(NodeEvent event) {
      got.add(event);
    }

    @Override
    public void onReady(Runnable handler) {
      onReady = handler;
    }

    void openAgain() {
      open.set(true);
      Runnable r = onReady;
      if (r != null) {
        r.run();
      }
    }
  }

  private static void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("timed out waiting for %s", what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private NodeEvent started(long cluster, String type) {
    return events.publish(EventKind.WORKFLOW_STARTED, cluster, new JsonObject().put("workflow_type", type));
  }

  @Test
  void aSubscriberThatStopsReadingIsSkippedAheadAndHoldsUpNobody() {
    ListSink stalled = new ListSink();
    stalled.open.set(false);
    ListSink reader = new ListSink();
    events.subscribe(EventFilter.all(), 0, 0, stalled, context);
    events.subscribe(EventFilter.all(), 0, 0, reader, context);
    int batch = CAPACITY / 2;
    int total = batch * 25;
    for (int i = 0; i < total; i += batch) {
      // in batches the reader's buffer holds: the reader keeps up, the stalled one falls behind
      for (int k = 0; k < batch; k++) {
        started(1, "t");
      }
      int expected = i + batch;
      waitUntil(() -> reader.got.size() == expected, "the reading subscriber got every event");
    }
    assertThat(stalled.got).isEmpty();

    stalled.openAgain();
    waitUntil(() -> stalled.got.size() == CAPACITY + 1, "the stalled subscriber drained its buffer and a marker");
    assertThat(stalled.got.subList(0, CAPACITY)).extracting(NodeEvent::seq)
        .containsExactlyElementsOf(reader.got.subList(0, CAPACITY).stream().map(NodeEvent::seq).toList());
    NodeEvent marker = stalled.got.get(CAPACITY);
    assertThat(marker.kind()).isEqualTo(EventKind.EVENTS_SKIPPED);
    assertThat(marker.fields().getLong("skipped")).isEqualTo(total - CAPACITY);

    NodeEvent after = started(1, "t");
    waitUntil(() -> stalled.got.size() == CAPACITY + 2, "a new event after the marker");
    assertThat(stalled.got.get(CAPACITY + 1).seq()).isEqualTo(after.seq());
  }

  @Test
  void aSubscriptionWhoseSinkFailedClosesItself() {
    AtomicBoolean failed = new AtomicBoolean();
    ListSink gone = new ListSink() {
      @Override
      public boolean failed() {
        return failed.get();
      }
    };
    EventSubscription s = events.subscribe(EventFilter.all(), 0, 0, gone, context);
    started(1, "t");
    waitUntil(() -> gone.got.size() == 1, "the first event");
    failed.set(true);
    started(1, "t");
    waitUntil(s::isClosed, "the subscription closed");
    assertThat(events.subscriberCount()).isZero();
  }

  @Test
  void filtersApplyByKindClusterAndWorkflowTypeAndTheTypeOnlyToWorkflowEvents() {
    EventFilter f = EventFilter.parse(List.of("leader_elected,workflow_started"), List.of("1"), List.of("a"));
    assertThat(f.kinds()).containsExactlyInAnyOrder(EventKind.LEADER_ELECTED, EventKind.WORKFLOW_STARTED);
    assertThat(f.test(started(1, "a"))).isTrue();
    assertThat(f.test(started(1, "b"))).isFalse();
    assertThat(f.test(started(2, "a"))).isFalse();
    assertThat(f.test(events.publish(EventKind.LEADER_ELECTED, 1, new JsonObject()))).isTrue();
    assertThat(f.test(events.publish(EventKind.NODE_JOINED, 1, new JsonObject()))).isFalse();
    assertThat(EventFilter.of(Set.of(), Set.of(), Set.of()).test(started(9, "z"))).isTrue();
  }

  @Test
  void badFiltersAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> EventFilter.parse(List.of("nope"), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> EventFilter.parse(List.of(), List.of("x"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    assertThatThrownBy(() -> EventFilter.parse(List.of(), List.of("-3"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
  }

  @Test
  void aLateSubscriberGetsTheKeptEventsItAsksFor() {
    for (int i = 0; i < 12; i++) {
      started(i % 2, "t");
    }
    assertThat(events.recent()).hasSize(8);
    ListSink lastThree = new ListSink();
    events.subscribe(EventFilter.all(), 3, 0, lastThree, context);
    waitUntil(() -> lastThree.got.size() == 3, "three kept events");
    assertThat(lastThree.got).extracting(NodeEvent::seq).containsExactly(10L, 11L, 12L);

    ListSink afterTen = new ListSink();
    events.subscribe(EventFilter.parse(List.of(), List.of("1"), List.of()), 0, 7, afterTen, context);
    waitUntil(() -> afterTen.got.size() == 3, "the kept events of cluster 1 after 7");
    assertThat(afterTen.got).extracting(NodeEvent::seq).containsExactly(8L, 10L, 12L);
    assertThat(afterTen.got.get(0).toJson().getString("kind")).isEqualTo("workflow_started");
    assertThat(afterTen.got.get(0).toJson().getString("time")).isEqualTo("1970-01-01T00:00:01Z");
  }
}
