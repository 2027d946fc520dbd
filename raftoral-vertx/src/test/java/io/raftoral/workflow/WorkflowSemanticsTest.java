package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.raftoral.testkit.LocalWorkflowCluster;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Non-determinism detection, termination, waits, retention, determinism helpers, replicated variables and events.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkflowSemanticsTest {

  private static final long WAIT = 15_000;

  private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
  private final Map<Long, List<Object>> helperValues = new ConcurrentHashMap<>();

  private AtomicInteger counter(String name) {
    return counters.computeIfAbsent(name, k -> new AtomicInteger());
  }

  /** A plain Java bean, as older code bases have them. */
  public static final class Basket {
    private String owner;
    private List<String> items = new ArrayList<>();

    public String getOwner() {
      return owner;
    }

    public void setOwner(String owner) {
      this.owner = owner;
    }

    public List<String> getItems() {
      return items;
    }

    public void setItems(List<String> items) {
      this.items = items;
    }
  }

  public record Line(String item, int quantity, Instant addedAt) {}

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create()
        .register("basket", 1, new TypeReference<Basket>() { },
            new TypeReference<List<Line>>() { }, (basket, ctx) ->
                ctx.compute("lines", new TypeReference<List<Line>>() { }, () -> {
                  List<Line> lines = new ArrayList<>();
                  for (String item : basket.getItems()) {
                    lines.add(new Line(item, item.length(), Instant.ofEpochSecond(1_700_000_000L)));
                  }
                  return Uni.createFrom().item(lines);
                }).flatMap(lines -> ctx.checkpoint("copy", new TypeReference<
                    List<Line>>() { }, lines)).invoke(lines -> helperValues.computeIfAbsent(node,
                        k -> new ArrayList<>()).add(lines)))
        // Node 3 runs other code than the rest: its second checkpoint has another key.
        .register("drifting", 1, String.class, String.class, (in, ctx) -> ctx.checkpoint("a", 1)
            .flatMap(x -> ctx.checkpoint(node == 3 ? "b-changed" : "b", 2))
            .map(x -> "done"))
        .register("long", 1, String.class, String.class, (in, ctx) ->
            ctx.compute("slow", String.class, () -> {
              counter("slow-calls").incrementAndGet();
              return Uni.createFrom().<String>nothing().onCancellation().invoke(() ->
                  counter("slow-cancelled").incrementAndGet());
            }).onFailure(WorkflowTerminatedException.class).invoke(e -> {
              counter("terminated-seen").incrementAndGet();
              if (ctx.isTerminated()) {
                counter("isTerminated").incrementAndGet();
              }
            }))
        .register("quick", 1, Integer.class, Integer.class, (in, ctx) -> Uni.createFrom().item(in))
        .register("helpers", 1, String.class, String.class, (in, ctx) -> ctx.now()
            .flatMap(now -> ctx.randomUuid().flatMap(uuid -> ctx.random().flatMap(r -> {
              helperValues.computeIfAbsent(node, k -> new ArrayList<>()).addAll(List.of(now, uuid, r,
                  ctx.idempotencyKey()));
              return Uni.createFrom().item(now + "|" + uuid + "|" + r);
            }))))
        .register("counter", 1, Integer.class, Integer.class, (n, ctx) -> {
          ReplicatedVar<Integer> total = ctx.var("total", 0);
          Uni<Integer> chain = Uni.createFrom().item(0);
          for (int i = 1; i <= n; i++) {
            int add = i;
            chain = chain.flatMap(x -> total.update(t -> t + add));
          }
          return chain.map(x -> total.get());
        });
  }

  private LocalWorkflowCluster cluster(Vertx vertx, WorkflowRuntimeOptions options) {
    return new LocalWorkflowCluster(vertx, this::registry, options);
  }

  @Test
  void aReplicaWhoseCodeAsksForAnotherKeyFailsNamingBothKeys(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    Promise<JsonObject> replicaFailure = Promise.promise();
    c.start(1, 2, 3)
        .compose(v -> {
          vertx.eventBus().<JsonObject>localConsumer(c.runtime(3).eventAddress(), m -> {
            if (WorkflowRuntime.EVENT_REPLICA_FAILED.equals(m.body().getString("event"))) {
              replicaFailure.tryComplete(m.body());
            }
          });
          return fut(c.runtime(1).<String>start("drifting", 1, "x").flatMap(r -> r.result()));
        })
        .compose(result -> {
          ctx.verify(() -> assertThat(result).as("the owner's run is deterministic").isEqualTo("done"));
          return replicaFailure.future();
        })
        .onComplete(ctx.succeeding(event -> ctx.verify(() -> {
          assertThat(event.getString("errorType")).isEqualTo(NonDeterminismException.class.getName());
          assertThat(event.getString("error")).contains("'b'").contains("'b-changed'").contains("#1");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void terminateDuringALongComputeCancelsItAndFailsPendingCheckpoints(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<String>start("long", 1, "x")))
        .compose(run -> {
          id[0] = run.workflowId();
          return c.await(() -> counter("slow-calls").get() == 1, WAIT, "the slow compute to start");
        })
        .compose(v -> fut(c.runtime(1).terminate(id[0], "operator said so")))
        .compose(status -> {
          ctx.verify(() -> {
            assertThat(status.state()).isEqualTo(WorkflowState.TERMINATED);
            assertThat(status.errorMessage()).isEqualTo("operator said so");
          });
          return fut(c.runtime(3).run(id[0], String.class).result());
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowTerminatedException.class).hasMessageContaining("operator said so");
          // The owner's pending compute and the replicas' pending checkpoint all failed with the termination.
          c.await(() -> counter("terminated-seen").get() == 3 && counter("slow-cancelled").get() == 1
              && counter("isTerminated").get() == 3, WAIT, "every execution to see the termination")
              .compose(v -> fut(c.runtime(1).terminate(id[0], "again")))
              .onComplete(ctx.succeeding(again -> ctx.verify(() -> {
                assertThat(again.errorMessage()).as("terminating an ended workflow changes nothing")
                    .isEqualTo("operator said so");
                assertThat(counter("slow-calls").get()).isEqualTo(1);
                c.close().onComplete(x -> ctx.completeNow());
              })));
        })));
  }

  @Test
  void waitingOnAnEndedWorkflowAnswersFromTheStateWithoutNewEntries(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    String[] id = new String[1];
    long[] applied = new long[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<Integer>start("quick", 1, 7)))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result());
        })
        .compose(r -> {
          applied[0] = c.leaderRuntime().group().status().lastIndex();
          return fut(c.runtime(2).result(id[0], Duration.ofSeconds(5)));
        })
        .compose(status -> {
          ctx.verify(() -> {
            assertThat(status.state()).isEqualTo(WorkflowState.COMPLETED);
            assertThat(status.resultJson()).isEqualTo("7");
            assertThat(c.leaderRuntime().group().status().lastIndex()).as("no new log entry").isEqualTo(applied[0]);
          });
          return fut(c.runtime(3).result("no-such-workflow"));
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowNotFoundException.class);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void theRunOfAStartAwaitsItsEndAndAnswersOnceItsRecordIsPruned(Vertx vertx, VertxTestContext ctx) {
    // A run from start() waits on its replica's state; once the record is gone it asks the group, which knows none.
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions().setRetainEnded(1));
    WorkflowRun<?>[] first = new WorkflowRun<?>[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.leaderRuntime().<Integer>start("quick", 1, 1)))
        .compose(run -> {
          first[0] = run;
          return fut(run.result());
        })
        .compose(r -> {
          ctx.verify(() -> assertThat(r).isEqualTo(1));
          return fut(first[0].result(Duration.ofSeconds(5)));
        })
        .compose(again -> {
          ctx.verify(() -> assertThat(again).as("asked again after the end").isEqualTo(1));
          return fut(c.leaderRuntime().<Integer>start("quick", 1, 2).flatMap(r -> r.result()));
        })
        .compose(r -> untilUnknown(c, first[0].workflowId(), System.currentTimeMillis() + WAIT))
        .compose(v -> fut(first[0].result()))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(WorkflowNotFoundException.class);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  /** Polls the leader's status of {@code id} until it is unknown (pruned). */
  private static Future<Void> untilUnknown(LocalWorkflowCluster c, String id, long deadline) {
    return fut(c.leaderRuntime().status(id)).transform(ar -> {
      if (ar.failed() && ar.cause() instanceof WorkflowNotFoundException) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("workflow " + id + " still known: " + ar));
      }
      Promise<Void> later = Promise.promise();
      c.nodes().vertx().setTimer(20, t -> untilUnknown(c, id, deadline).onComplete(later));
      return later.future();
    });
  }

  @Test
  void aWaitTimesOutWhileTheWorkflowRunsOn(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("long", 1, "x")))
        .compose(run -> fut(run.result(Duration.ofMillis(100))).recover(e -> {
          ctx.verify(() -> assertThat(e).isInstanceOf(WorkflowWaitTimeoutException.class));
          return fut(run.status()).map(s -> null);
        }).compose(x -> fut(run.status())))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertThat(status.state()).isEqualTo(WorkflowState.RUNNING);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void tenThousandEndedWorkflowsUnderARetentionOfOneThousandLeaveOneThousand(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions().setRetainEnded(1_000));
    int total = 10_000;
    AtomicInteger done = new AtomicInteger();
    Promise<Void> allDone = Promise.promise();
    c.start(1, 2, 3).onComplete(ctx.succeeding(v -> {
      WorkflowRuntime rt = c.leaderRuntime();
      AtomicInteger next = new AtomicInteger();
      // 64 in flight.
      for (int w = 0; w < 64; w++) {
        runNext(rt, next, total, done, allDone);
      }
    }));
    allDone.future()
        .compose(v -> {
          List<Future<?>> all = new ArrayList<>();
          for (long n = 1; n <= 3; n++) {
            long node = n;
            all.add(pollListSize(c, node, 1_000));
          }
          return Future.all(all);
        })
        .onComplete(ctx.succeeding(v -> c.close().onComplete(x -> ctx.completeNow())));
  }

  private void runNext(WorkflowRuntime rt, AtomicInteger next, int total, AtomicInteger done, Promise<Void> all) {
    int i = next.getAndIncrement();
    if (i >= total) {
      return;
    }
    rt.<Integer>start("quick", 1, i).flatMap(r -> r.result()).subscribe().with(r -> {
      if (done.incrementAndGet() == total) {
        all.tryComplete();
      }
      runNext(rt, next, total, done, all);
    }, all::tryFail);
  }

  private Future<Void> pollListSize(LocalWorkflowCluster c, long node, int expected) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + WAIT;
    pollList(c, node, expected, deadline, p);
    return p.future();
  }

  private void pollList(LocalWorkflowCluster c, long node, int expected, long deadline, Promise<Void> p) {
    fut(c.runtime(node).list(WorkflowFilter.all().limit(100_000))).onComplete(ar -> {
      if (ar.succeeded() && ar.result().size() == expected) {
        p.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        p.tryFail(new AssertionError("node " + node + " keeps " + (ar.succeeded() ? ar.result().size() : ar.cause())
            + " workflows, expected " + expected));
      } else {
        c.nodes().vertx().setTimer(20, t -> pollList(c, node, expected, deadline, p));
      }
    });
  }

  @Test
  void determinismHelpersGiveEveryReplicaTheOwnersValues(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    Instant before = Instant.now();
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start("helpers", 1, "x").flatMap(r -> r.result())))
        .compose(result -> c.await(() -> helperValues.size() == 3 && helperValues.values().stream()
            .allMatch(l -> l.size() == 4), WAIT, "every replica to run the helpers").map(result))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          List<Object> owner = helperValues.get(1L);
          assertThat(helperValues.get(2L).subList(0, 3)).isEqualTo(owner.subList(0, 3));
          assertThat(helperValues.get(3L).subList(0, 3)).isEqualTo(owner.subList(0, 3));
          assertThat((Instant) owner.get(0)).isAfterOrEqualTo(before.minusSeconds(1));
          assertThat(owner.get(1)).isInstanceOf(UUID.class);
          assertThat((Double) owner.get(2)).isBetween(0.0, 1.0);
          assertThat(result).isEqualTo(owner.get(0) + "|" + owner.get(1) + "|" + owner.get(2));
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aReplicatedVarJournalsEveryUpdate(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<Integer>start("counter", 1, 20)))
        .compose(run -> fut(run.result()).compose(r -> fut(c.runtime(3).status(run.workflowId())).map(s -> {
          ctx.verify(() -> {
            assertThat(r).isEqualTo(210);
            assertThat(s.checkpointCount()).isEqualTo(20);
          });
          return s;
        })))
        .onComplete(ctx.succeeding(s -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void payloadsMayBeBeansRecordsAndGenericTypes(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    Basket basket = new Basket();
    basket.setOwner("ann");
    basket.setItems(List.of("tea", "scones"));
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<List<Line>>start("basket", 1, basket).flatMap(r -> r.result())))
        .compose(lines -> c.await(() -> helperValues.size() == 3, WAIT, "every replica's run").map(lines))
        .onComplete(ctx.succeeding(lines -> ctx.verify(() -> {
          List<Line> expected = List.of(new Line("tea", 3, Instant.ofEpochSecond(1_700_000_000L)),
              new Line("scones", 6, Instant.ofEpochSecond(1_700_000_000L)));
          assertThat(lines).isEqualTo(expected);
          // Replicas read the journal back as List<Line>, not as maps.
          for (List<Object> seen : helperValues.values()) {
            assertThat(seen).containsExactly(expected);
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void workflowEventsArePublishedOnEveryMember(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx, new WorkflowRuntimeOptions());
    List<String> seen = new CopyOnWriteArrayList<>();
    c.start(1, 2, 3)
        .compose(v -> {
          vertx.eventBus().<JsonObject>localConsumer(c.runtime(2).eventAddress(), m -> seen.add(
              m.body().getString("event")));
          return fut(c.runtime(1).<Integer>start("counter", 1, 2).flatMap(r -> r.result()));
        })
        .compose(r -> c.await(() -> seen.contains(WorkflowRuntime.EVENT_COMPLETED), WAIT, "the completed event"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(seen).containsExactly(WorkflowRuntime.EVENT_STARTED, WorkflowRuntime.EVENT_CHECKPOINT,
              WorkflowRuntime.EVENT_CHECKPOINT, WorkflowRuntime.EVENT_COMPLETED);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
