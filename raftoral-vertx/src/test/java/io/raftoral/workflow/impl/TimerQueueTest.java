package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sorted index of durable timers: fires by deadline on its context, drops cancelled ones, never early. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimerQueueTest {

  private static final long STEP_MILLIS = 60;

  @Test
  void timersFireInDeadlineOrderOnTheQueuesContextAndNotBeforeTheirDeadline(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    List<String> fired = new CopyOnWriteArrayList<>();
    context.runOnContext(v -> {
      TimerQueue queue = new TimerQueue(context);
      long now = System.currentTimeMillis();
      long[] deadlines = {now + 3 * STEP_MILLIS, now + STEP_MILLIS, now + 2 * STEP_MILLIS};
      String[] names = {"third", "first", "second"};
      for (int i = 0; i < names.length; i++) {
        String name = names[i];
        long deadline = deadlines[i];
        queue.schedule(deadline, () -> {
          ctx.verify(() -> {
            assertThat(Vertx.currentContext()).isSameAs(context);
            assertThat(System.currentTimeMillis()).as("%s fires at its deadline", name).isGreaterThanOrEqualTo(
                deadline);
          });
          fired.add(name);
          if (fired.size() == names.length) {
            ctx.verify(() -> {
              assertThat(fired).containsExactly("first", "second", "third");
              assertThat(queue.size()).isZero();
            });
            ctx.completeNow();
          }
        });
      }
      ctx.verify(() -> assertThat(queue.size()).isEqualTo(3));
    });
  }

  @Test
  void aDeadlineInThePastFiresOnALaterTurnAndACancelledTimerNever(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    List<String> fired = new CopyOnWriteArrayList<>();
    context.runOnContext(v -> {
      TimerQueue queue = new TimerQueue(context);
      long now = System.currentTimeMillis();
      Cancellable cancelled = queue.schedule(now + STEP_MILLIS, () -> fired.add("cancelled"));
      queue.schedule(now + 2 * STEP_MILLIS, () -> {
        ctx.verify(() -> assertThat(fired).containsExactly("past"));
        ctx.completeNow();
      });
      queue.schedule(now - STEP_MILLIS, () -> fired.add("past"));
      ctx.verify(() -> assertThat(fired).as("nothing fires inside schedule").isEmpty());
      cancelled.cancel();
      ctx.verify(() -> assertThat(queue.size()).isEqualTo(2));
    });
  }

  @Test
  void closingDropsEveryTimer(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      TimerQueue queue = new TimerQueue(context);
      queue.schedule(System.currentTimeMillis() + STEP_MILLIS, () -> ctx.failNow("a closed queue fired"));
      queue.close();
      ctx.verify(() -> assertThat(queue.size()).isZero());
      queue.schedule(System.currentTimeMillis(), () -> ctx.failNow("a closed queue accepted a timer"));
      vertx.setTimer(3 * STEP_MILLIS, t -> ctx.completeNow());
    });
  }
}
