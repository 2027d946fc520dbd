package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.impl.AttemptFailure;
import io.raftoral.workflow.impl.JournalEntry;
import io.raftoral.workflow.impl.JournalProbe;
import io.raftoral.workflow.impl.Payloads;
import io.raftoral.workflow.impl.WorkflowRuntimeImpl;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Computes retried by a {@link RetryPolicy} on a 3-member execution cluster: failed attempts and their durable
 * backoffs are journaled by the owner and read by every replica (which never runs the supplier); the final failure
 * says how many attempts were made; a non-retryable type ends at once; a new owner after a failover resumes the
 * journaled backoff with the next attempt; a registration's default policy applies to plain computes; a replay that
 * asks for another key where the journal holds a failed attempt is non-determinism.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ComputeRetryTest {

  private static final long WAIT = 15_000;
  /** Slack allowed after a backoff deadline for the failover, the wake-up's commit and the next attempt. */
  private static final long MARGIN_MILLIS = 2_000;
  private static final Duration SHORT_BACKOFF = Duration.ofMillis(50);
  /** Journal entries per failed attempt that is retried: the failure, the timer's deadline, its wake-up. */
  private static final int ENTRIES_PER_RETRY = 3;

  /** How many calls fail before the supplier succeeds, set by each test (the supplier's external state). */
  private final AtomicInteger failFirst = new AtomicInteger();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger successes = new AtomicInteger();
  private final List<Long> callTimes = new CopyOnWriteArrayList<>();
  private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
  /** Holds the retried workflows open after the retried compute, so every member's journal can be read. */
  private final Promise<String> gate = Promise.promise();
  /** Results by workflow id and node: what each replica's run of the workflow function produced. */
  private final Map<String, Map<Long, Object>> seen = new ConcurrentHashMap<>();

  private static RetryPolicy policy(int attempts, Duration backoff) {
    return new RetryPolicy().setMaxAttempts(attempts).setInitialBackoff(backoff).setBackoffMultiplier(2);
  }

  /** The external call: fails (IllegalStateException) for the first {@code failFirst} calls, then succeeds. */
  private Uni<String> pay() {
    return Uni.createFrom().deferred(() -> {
      int n = calls.incrementAndGet();
      callTimes.add(System.currentTimeMillis());
      if (n <= failFirst.get()) {
        return Uni.createFrom().failure(new IllegalStateException("card declined, call " + n));
      }
      successes.incrementAndGet();
      return Uni.createFrom().item("paid by call " + n);
    });
  }

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create()
        .register("pay", 1, Long.class, String.class, (backoffMs, ctx) -> ctx
            .compute("pay", String.class, policy(5, Duration.ofMillis(backoffMs)), this::pay)
            .flatMap(paid -> ctx.compute("hold", String.class,
                () -> Uni.createFrom().completionStage(() -> gate.future().toCompletionStage())).replaceWith(paid))
            .invoke(result -> see(ctx, node, result)))
        .register("payOrReport", 1, Integer.class, String.class, (attempts, ctx) -> ctx
            .compute("pay", String.class, policy(attempts, SHORT_BACKOFF), this::pay)
            .onFailure(CheckpointFailedException.class)
            .recoverWithItem(e -> "failed after " + ((CheckpointFailedException) e).attempts() + ": " + e.getMessage())
            .invoke(result -> see(ctx, node, result)))
        .register("parse", 1, String.class, String.class, (text, ctx) -> ctx
            .computeBlocking("parse", Integer.class, policy(5, SHORT_BACKOFF)
                .addNonRetryableException(IllegalArgumentException.class), () -> {
                  calls.incrementAndGet();
                  return Integer.parseInt(text);
                })
            .map(String::valueOf)
            .onFailure(CheckpointFailedException.class).recoverWithItem(e -> {
              CheckpointFailedException c = (CheckpointFailedException) e;
              return c.attempts() + " " + c.errorType();
            })
            .invoke(result -> see(ctx, node, result)))
        .register("payByDefault", 1, String.class, String.class, policy(3, SHORT_BACKOFF), (in, ctx) -> ctx
            .compute("pay", String.class, this::pay))
        .register("payWithoutPolicy", 1, String.class, String.class, (in, ctx) -> ctx
            .compute("pay", String.class, this::pay))
        .register("payChecked", 1, String.class, String.class, (in, ctx) -> pay()
            .plug(ctx.checkpointed("pay", String.class, policy(3, SHORT_BACKOFF))))
        .register("payWithKey", 1, String.class, String.class, (in, ctx) -> ctx
            .compute("pay", String.class, policy(3, SHORT_BACKOFF), () -> {
              idempotencyKeys.add(ctx.idempotencyKey());
              return pay();
            }))
        // Node 3 runs other code: where the others retry "pay", it checkpoints "other".
        .register("otherKeyOnNode3", 1, String.class, String.class, (in, ctx) -> node == 3
            ? ctx.checkpoint("other", "x")
            : ctx.compute("pay", String.class, policy(3, SHORT_BACKOFF), this::pay));
  }

  private void see(WorkflowContext ctx, long node, Object value) {
    seen.computeIfAbsent(ctx.workflowId(), k -> new ConcurrentHashMap<>()).put(node, value);
  }

  private int seenBy(String id) {
    Map<Long, Object> m = seen.get(id);
    return m == null ? 0 : m.size();
  }

  private LocalWorkflowCluster cluster(Vertx vertx) {
    return new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions().setOwnerTimeoutMillis(300));
  }

  private static int timers(LocalWorkflowCluster c, long node) {
    return ((WorkflowRuntimeImpl) c.runtime(node)).pendingTimerCount();
  }

  /** Every listed member's journal of {@code id}, once each holds {@code entries} entries. */
  private static Future<List<List<JournalEntry>>> journals(LocalWorkflowCluster c, String id, int entries,
      long... nodes) {
    List<Future<List<JournalEntry>>> all = new ArrayList<>();
    for (long n : nodes) {
      all.add(c.awaitStatus(n, id, s -> s.checkpointCount() == entries, WAIT, "the journal on node " + n)
          .compose(s -> JournalProbe.journal(c.runtime(n), id)));
    }
    return Future.all(all).map(f -> f.<List<JournalEntry>>list());
  }

  private static AttemptFailure attemptFailure(JournalEntry e) {
    return Payloads.decode(e.value(), Payloads.type(AttemptFailure.class));
  }

  /** Completes after {@code millis}, on the test kit's own context (which outlives node kills). */
  private static Future<Void> after(Vertx vertx, LocalWorkflowCluster c, long millis) {
    Promise<Void> p = Promise.promise();
    c.context().runOnContext(v -> vertx.setTimer(millis, t -> p.complete()));
    return p.future();
  }

  @Test
  void aComputeThatFailsTwiceThenSucceedsJournalsBothFailuresIdenticallyOnEveryReplica(Vertx vertx,
      VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(2);
    String[] id = new String[1];
    // Two retried failures, the value, the held "hold" compute not yet journaled.
    int entries = 2 * ENTRIES_PER_RETRY + 1;
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("pay", 1, SHORT_BACKOFF.toMillis())))
        .compose(run -> {
          id[0] = run.workflowId();
          return journals(c, id[0], entries, 1, 2, 3);
        })
        .compose(journals -> {
          ctx.verify(() -> {
            List<JournalEntry> j = journals.get(0);
            assertThat(journals).as("every member's journal").allSatisfy(other -> assertThat(other).isEqualTo(j));
            assertThat(j).extracting(JournalEntry::key).containsExactly(WorkflowContext.ATTEMPT_FAILED_KEY,
                WorkflowContext.TIMER_KEY, WorkflowContext.TIMER_FIRED_KEY, WorkflowContext.ATTEMPT_FAILED_KEY,
                WorkflowContext.TIMER_KEY, WorkflowContext.TIMER_FIRED_KEY, "pay");
            assertThat(attemptFailure(j.get(0))).isEqualTo(new AttemptFailure(1,
                IllegalStateException.class.getName(), "card declined, call 1"));
            assertThat(attemptFailure(j.get(3))).isEqualTo(new AttemptFailure(2,
                IllegalStateException.class.getName(), "card declined, call 2"));
            assertThat(j.get(6).value()).isEqualTo("\"paid by call 3\"");
            assertThat(calls.get()).as("the supplier runs on the owner only, once per attempt").isEqualTo(3);
          });
          gate.complete("open");
          return fut(c.runtime(2).run(id[0], String.class).result(Duration.ofSeconds(10)));
        })
        .compose(result -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(result))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo("paid by call 3");
          assertThat(seen.get(id[0]).values()).as("every replica's result").containsOnly(result);
          assertThat(calls.get()).isEqualTo(3);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void exhaustedAttemptsEndWithTheLastFailureAndItsAttemptCount(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(Integer.MAX_VALUE);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("payOrReport", 1, 3)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(10)));
        })
        .compose(result -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(result))
        .compose(result -> fut(c.runtime(3).status(id[0])).map(s -> {
          ctx.verify(() -> {
            assertThat(result).isEqualTo("failed after 3: checkpoint 'pay' failed after 3 attempts: "
                + IllegalStateException.class.getName() + ": card declined, call 3");
            assertThat(seen.get(id[0]).values()).containsOnly(result);
            assertThat(calls.get()).isEqualTo(3);
            assertThat(s.checkpointCount()).as("two retried failures and the final one")
                .isEqualTo(2 * ENTRIES_PER_RETRY + 1);
          });
          return s;
        }))
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aNonRetryableExceptionTypeIsNotRetried(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("parse", 1, "not a number")))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(10)));
        })
        .compose(result -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(result))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).as("NumberFormatException is an IllegalArgumentException: one attempt")
              .isEqualTo("1 " + NumberFormatException.class.getName());
          assertThat(seen.get(id[0]).values()).containsOnly(result);
          assertThat(calls.get()).isEqualTo(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aRegistrationsDefaultPolicyRetriesPlainComputes(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(1);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("payByDefault", 1, "x")))
        .compose(run -> fut(run.result(Duration.ofSeconds(10))))
        .compose(result -> {
          ctx.verify(() -> {
            assertThat(result).isEqualTo("paid by call 2");
            assertThat(calls.get()).isEqualTo(2);
          });
          calls.set(0);
          return fut(c.runtime(1).<String>start("payWithoutPolicy", 1, "x"))
              .compose(run -> fut(c.runtime(1).result(run.workflowId(), Duration.ofSeconds(10))));
        })
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.state()).as("without a policy the first failure is final").isEqualTo(WorkflowState.FAILED);
          assertThat(s.errorMessage()).isEqualTo("card declined, call 1");
          assertThat(calls.get()).isEqualTo(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aCheckpointedOperatorRetriesBySubscribingToItsUpstreamAgain(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(1);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<String>start("payChecked", 1, "x")))
        .compose(run -> fut(run.result(Duration.ofSeconds(10))))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo("paid by call 2");
          assertThat(calls.get()).isEqualTo(2);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void everyAttemptSeesTheIdempotencyKeyOfTheFirst(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(2);
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("payWithKey", 1, "x")))
        .compose(run -> fut(run.result(Duration.ofSeconds(10))).map(result -> {
          ctx.verify(() -> {
            assertThat(result).isEqualTo("paid by call 3");
            assertThat(idempotencyKeys).containsExactly(run.workflowId() + "/0", run.workflowId() + "/0",
                run.workflowId() + "/0");
          });
          return result;
        }))
        .onComplete(ctx.succeeding(result -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aNewOwnerResumesTheBackoffOfAKilledFollowerOwnerAndTheSuccessHappensOnce(Vertx vertx,
      VertxTestContext ctx) {
    killOwnerWhileItBacksOff(vertx, ctx, false);
  }

  @Test
  void aNewOwnerResumesTheBackoffOfAKilledLeaderOwnerAndTheSuccessHappensOnce(Vertx vertx, VertxTestContext ctx) {
    killOwnerWhileItBacksOff(vertx, ctx, true);
  }

  /**
   * The owner dies {@code killAfter} into the backoff after a failed first attempt: a survivor makes the second
   * attempt at the journaled deadline (not a full new backoff from the failover, not attempt 1 again), once.
   */
  private void killOwnerWhileItBacksOff(Vertx vertx, VertxTestContext ctx, boolean ownerLeads) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(1);
    long backoff = 5_000;
    long killAfter = 2_500;
    long[] owner = new long[1];
    long[] survivors = new long[2];
    String[] id = new String[1];
    long[] killedAt = new long[1];
    c.start(1, 2, 3)
        .compose(v -> {
          owner[0] = ownerLeads ? c.leader() : c.leader() % 3 + 1;
          survivors[0] = owner[0] % 3 + 1;
          survivors[1] = survivors[0] % 3 + 1;
          return fut(c.runtime(owner[0]).<String>start("pay", 1, backoff));
        })
        .compose(run -> {
          id[0] = run.workflowId();
          // The failed attempt and the backoff's deadline are journaled: the owner waits for the wake-up.
          return c.awaitStatus(owner[0], id[0], s -> s.checkpointCount() == 2, WAIT, "the retry to back off");
        })
        .compose(v -> c.await(() -> timers(c, owner[0]) == 1, WAIT, "the owner to hold the backoff timer"))
        .compose(v -> after(vertx, c, killAfter))
        .compose(v -> {
          killedAt[0] = System.currentTimeMillis();
          return c.kill(owner[0]);
        })
        .compose(v -> journals(c, id[0], ENTRIES_PER_RETRY + 1, survivors))
        .compose(journals -> {
          ctx.verify(() -> {
            List<JournalEntry> j = journals.get(0);
            assertThat(journals.get(1)).as("both survivors' journals").isEqualTo(j);
            assertThat(j).extracting(JournalEntry::key).containsExactly(WorkflowContext.ATTEMPT_FAILED_KEY,
                WorkflowContext.TIMER_KEY, WorkflowContext.TIMER_FIRED_KEY, "pay");
            assertThat(attemptFailure(j.get(0)).attempt()).isEqualTo(1);
            Instant deadline = Payloads.decode(j.get(1).value(), Payloads.type(Instant.class));
            assertThat(Instant.ofEpochMilli(killedAt[0])).as("killed while backing off").isBefore(deadline);
            long retriedAt = callTimes.get(1);
            assertThat(retriedAt).as("the second attempt waits for the journaled deadline")
                .isGreaterThanOrEqualTo(deadline.toEpochMilli());
            // A backoff started over by the new owner would end after kill + backoff.
            assertThat(retriedAt).as("not a new full backoff")
                .isLessThan(deadline.toEpochMilli() + MARGIN_MILLIS)
                .isLessThan(killedAt[0] + backoff);
            assertThat(j.get(3).value()).isEqualTo("\"paid by call 2\"");
          });
          gate.complete("open");
          return fut(c.runtime(survivors[0]).run(id[0], String.class).result(Duration.ofSeconds(20)));
        })
        .compose(result -> c.await(() -> seenBy(id[0]) >= 2, WAIT, "both survivors to finish their runs").map(result))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result).isEqualTo("paid by call 2");
          seen.get(id[0]).forEach((node, r) -> assertThat(r).as("node %d's result", node).isEqualTo(result));
          assertThat(calls.get()).as("one failed attempt, one retry: the count did not start over").isEqualTo(2);
          assertThat(successes.get()).as("the successful side effect happens once").isEqualTo(1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void anotherKeyWhereTheJournalHoldsAFailedAttemptIsNonDeterminism(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    failFirst.set(1);
    Map<String, JsonObject> failures = new ConcurrentHashMap<>();
    c.start(1, 2, 3)
        .compose(v -> {
          vertx.eventBus().<JsonObject>localConsumer(c.runtime(3).eventAddress(), m -> {
            if (WorkflowRuntime.EVENT_REPLICA_FAILED.equals(m.body().getString("event"))) {
              failures.put(m.body().getString("workflowId"), m.body());
            }
          });
          return fut(c.runtime(1).<String>start("otherKeyOnNode3", 1, "x").flatMap(r -> r.result()));
        })
        .compose(result -> {
          ctx.verify(() -> assertThat(result).as("the owner's run").isEqualTo("paid by call 2"));
          return c.await(() -> failures.size() == 1, WAIT, "node 3 to report its replica failed");
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          JsonObject event = failures.values().iterator().next();
          assertThat(event.getString("errorType")).isEqualTo(NonDeterminismException.class.getName());
          assertThat(event.getString("error")).contains("#0")
              .contains("is '" + WorkflowContext.ATTEMPT_FAILED_KEY + "' in the journal").contains("asked for 'other'");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
