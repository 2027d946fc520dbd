package io.raftoral.group.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The one table of pending requests: deadlines, answers, selective removal and fail-all. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PendingRequestsTest {

  private static final long LONG_TIMEOUT_MILLIS = 60_000;
  private static final long SHORT_TIMEOUT_MILLIS = 20;

  private static PendingRequest<String> request() {
    return new PendingRequest<>(Promise.promise());
  }

  @Test
  void aRequestNotAnsweredBeforeItsDeadlineFailsAndLeavesTheTable(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      PendingRequest<String> r = request();
      table.add(1L, r, SHORT_TIMEOUT_MILLIS, () -> new TimeoutException("too late"));
      r.future().onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertThat(e).isInstanceOf(TimeoutException.class).hasMessage("too late");
        assertThat(table.isEmpty()).isTrue();
        ctx.completeNow();
      })));
    });
  }

  @Test
  void aRemovedRequestNoLongerTimesOut(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      PendingRequest<String> r = request();
      table.add(1L, r, SHORT_TIMEOUT_MILLIS, () -> new TimeoutException("too late"));

      assertThat(table.remove(1L)).isSameAs(r);
      assertThat(table.remove(1L)).isNull();

      vertx.setTimer(SHORT_TIMEOUT_MILLIS * 5, t -> ctx.verify(() -> {
        assertThat(r.isDone()).as("its deadline was cancelled").isFalse();
        ctx.completeNow();
      }));
    });
  }

  @Test
  void forEachWhileVisitsInOrderAndStopsWhenTold(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> ctx.verify(() -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      for (long id = 1; id <= 5; id++) {
        table.add(id, request(), LONG_TIMEOUT_MILLIS, () -> new TimeoutException("too late"));
      }
      List<Long> visited = new ArrayList<>();
      table.forEachWhile((id, r) -> {
        visited.add(id);
        return id < 3;
      });
      assertThat(visited).containsExactly(1L, 2L, 3L);
      table.failAll(new IllegalStateException("done"));
      ctx.completeNow();
    }));
  }

  @Test
  void removeIfTakesOutOnlyTheSelectedRequestsInOrder(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> ctx.verify(() -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      List<PendingRequest<String>> rs = List.of(request(), request(), request(), request());
      for (int i = 0; i < rs.size(); i++) {
        table.add((long) i, rs.get(i), LONG_TIMEOUT_MILLIS, TimeoutException::new);
      }

      List<PendingRequest<String>> removed = table.removeIf((id, r) -> id % 2 == 1);

      assertThat(removed).containsExactly(rs.get(1), rs.get(3));
      assertThat(table.requests()).containsExactly(rs.get(0), rs.get(2));
      table.failAll(new IllegalStateException("stopped"));
      ctx.completeNow();
    }));
  }

  @Test
  void failAllFailsEveryRequestAndEmptiesTheTable(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> ctx.verify(() -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      PendingRequest<String> a = request();
      PendingRequest<String> b = request();
      table.add(1L, a, LONG_TIMEOUT_MILLIS, TimeoutException::new);
      table.add(2L, b, LONG_TIMEOUT_MILLIS, TimeoutException::new);
      IllegalStateException stopped = new IllegalStateException("stopped");

      table.failAll(stopped);

      assertThat(table.size()).isZero();
      assertThat(a.future().cause()).isSameAs(stopped);
      assertThat(b.future().cause()).isSameAs(stopped);
      ctx.completeNow();
    }));
  }

  @Test
  void aShorterDeadlineAddedAfterALongerOneStillExpiresFirst(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      PendingRequest<String> patient = request();
      PendingRequest<String> hasty = request();
      table.add(1L, patient, LONG_TIMEOUT_MILLIS, () -> new TimeoutException("patient"));
      table.add(2L, hasty, SHORT_TIMEOUT_MILLIS, () -> new TimeoutException("hasty"));
      hasty.future().onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertThat(e).hasMessage("hasty");
        assertThat(patient.isDone()).isFalse();
        assertThat(table.requests()).containsExactly(patient);
        ctx.completeNow();
      })));
    });
  }

  @Test
  void requestsAddedAfterAnExpiryStillExpireInTheirTurn(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PendingRequests<Long, PendingRequest<String>> table = new PendingRequests<>(vertx);
      PendingRequest<String> answered = request();
      PendingRequest<String> first = request();
      table.add(1L, answered, SHORT_TIMEOUT_MILLIS, () -> new TimeoutException("answered"));
      table.add(2L, first, SHORT_TIMEOUT_MILLIS * 2, () -> new TimeoutException("first"));
      // the timer is armed for request 1's deadline; answering it leaves request 2 to the same timer's re-arming
      assertThat(table.remove(1L)).isSameAs(answered);
      first.future().onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertThat(e).hasMessage("first");
        assertThat(answered.isDone()).isFalse();
        PendingRequest<String> second = request();
        table.add(3L, second, SHORT_TIMEOUT_MILLIS, () -> new TimeoutException("second"));
        second.future().onComplete(ctx.failing(e2 -> ctx.verify(() -> {
          assertThat(e2).hasMessage("second");
          assertThat(table.isEmpty()).isTrue();
          ctx.completeNow();
        })));
      })));
    });
  }

  @Test
  void theFirstOutcomeWins(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> ctx.verify(() -> {
      PendingRequest<String> r = request();
      r.complete("first");
      r.fail(new IllegalStateException("late"));
      r.complete("second");

      assertThat(r.future().result()).isEqualTo("first");
      ctx.completeNow();
    }));
  }
}
