package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.RaftPreset;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workflows under seeded chaos: while clients start workflows through random nodes, one node at a time is
 * partitioned away or killed (losing unflushed writes) and restarted on its store. Owners die or stop answering,
 * ownership moves, stale owners come back. Afterwards every started workflow has completed with the right result on
 * every replica, and no step whose result was committed ran again on its owner's node... except where the owner
 * died or was cut off before the commit was known (at least once), so the test checks results, not call counts.
 *
 * <p>Seed: {@code -Draftoral.chaos.seed=N}; length: {@code -Draftoral.chaos.millis=M}.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class WorkflowChaosTest {

  private static final long SEED = Long.getLong("raftoral.chaos.seed", 7L);
  private static final long CHAOS_MILLIS = Long.getLong("raftoral.chaos.millis", 5_000L);
  private static final String STEPS = "chaos_steps";

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private WorkflowRegistry registry(long node, Vertx vertx) {
    return WorkflowRegistry.create().register(STEPS, 1, Integer.class, Long.class, (n, ctx) -> step(ctx, vertx, 0,
        n, 0L));
  }

  private Uni<Long> step(WorkflowContext ctx, Vertx vertx, int i, int n, long sum) {
    if (i == n) {
      return Uni.createFrom().item(sum);
    }
    Uni<Long> next;
    if (i % 3 == 0) {
      next = ctx.checkpoint("value-" + i, (long) i * i);
    } else {
      next = ctx.compute("compute-" + i, Long.class, () -> {
        calls.computeIfAbsent(ctx.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        Promise<Long> p = Promise.promise();
        vertx.setTimer(1 + (i * 7L) % 5, t -> p.complete((long) i * i));
        return Uni.createFrom().completionStage(() -> p.future().toCompletionStage());
      });
    }
    return next.flatMap(v -> step(ctx, vertx, i + 1, n, sum + v));
  }

  private static long expected(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += (long) i * i;
    }
    return s;
  }

  @Test
  void everyStartedWorkflowCompletesWithTheRightResultOnEveryReplica(Vertx vertx, VertxTestContext ctx) {
    Random random = new Random(SEED);
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, node -> registry(node, vertx),
        new WorkflowRuntimeOptions().setOwnerTimeoutMillis(250),
        RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(200).setSnapshotLogRatio(0)
            .setRequestTimeoutMillis(1_000));
    Map<String, Integer> started = new ConcurrentHashMap<>();
    long end = System.currentTimeMillis() + CHAOS_MILLIS;
    Promise<Void> clientsDone = Promise.promise();
    Promise<Void> chaosDone = Promise.promise();
    AtomicInteger ownerChanges = new AtomicInteger();
    for (long node = 1; node <= 3; node++) {
      vertx.eventBus().<JsonObject>localConsumer(
          WorkflowRuntime.eventAddress(node, LocalWorkflowCluster.CLUSTER), m -> {
            if (WorkflowRuntime.EVENT_OWNER_CHANGED.equals(m.body().getString("event"))) {
              ownerChanges.incrementAndGet();
            }
          });
    }
    c.start(1, 2, 3).onComplete(ctx.succeeding(v -> c.context().runOnContext(x -> {
      AtomicInteger next = new AtomicInteger();
      AtomicInteger clients = new AtomicInteger(6);
      for (int k = 0; k < 6; k++) {
        startNext(c, vertx, random, next, started, end, clients, clientsDone);
      }
      chaos(c, vertx, random, end, chaosDone);
    })));
    Future.all(clientsDone.future(), chaosDone.future())
        .compose(v -> {
          c.nodes().heal();
          List<Future<?>> restarts = new ArrayList<>();
          for (long id = 1; id <= 3; id++) {
            if (c.runtime(id) == null) {
              restarts.add(c.restart(id));
            }
          }
          return Future.all(restarts);
        })
        .compose(v -> {
          List<Future<?>> all = new ArrayList<>();
          for (Map.Entry<String, Integer> e : started.entrySet()) {
            for (long node = 1; node <= 3; node++) {
              long n = node;
              // The status that shows it completed is a linearizable read on that node: check its result.
              all.add(c.awaitStatus(node, e.getKey(), s -> s.state() == WorkflowState.COMPLETED, 30_000,
                  "workflow " + e.getKey() + " to complete")
                  .map(s -> {
                    ctx.verify(() -> assertThat(s.resultJson()).as("seed %d: result of %s on node %d", SEED,
                        e.getKey(), n).isEqualTo(Long.toString(expected(e.getValue()))));
                    return s;
                  }));
            }
          }
          return Future.all(all);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(started).as("seed %d: workflows started", SEED).hasSizeGreaterThan(20);
          System.out.printf("workflow chaos, seed %d: %d workflows, %d ownership changes seen (events on all "
              + "members), %d compute calls for %d computes%n", SEED, started.size(), ownerChanges.get(),
              calls.values().stream().mapToInt(AtomicInteger::get).sum(), calls.size());
          assertThat(ownerChanges.get()).as("seed %d: the chaos moved some ownership", SEED).isPositive();
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  /** A client: starts workflows (idempotently, retrying through other nodes) until the chaos ends. */
  private void startNext(LocalWorkflowCluster c, Vertx vertx, Random random, AtomicInteger next,
      Map<String, Integer> started, long end, AtomicInteger clients, Promise<Void> done) {
    if (System.currentTimeMillis() > end) {
      if (clients.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    int i = next.getAndIncrement();
    String id = "wf-" + i;
    int n = 4 + i % 9;
    tryStart(c, vertx, random, id, n, started, () -> startNext(c, vertx, random, next, started, end, clients, done));
  }

  private void tryStart(LocalWorkflowCluster c, Vertx vertx, Random random, String id, int n,
      Map<String, Integer> started, Runnable then) {
    long node = 1 + random.nextInt(3);
    WorkflowRuntime rt = c.runtime(node);
    if (rt == null) {
      vertx.setTimer(20, t -> tryStart(c, vertx, random, id, n, started, then));
      return;
    }
    fut(rt.start(STEPS, 1, n, new StartOptions().setWorkflowId(id))).onComplete(ar -> c.context().runOnContext(x -> {
      if (ar.succeeded()) {
        started.put(id, n);
        vertx.setTimer(5, t -> then.run());
      } else {
        vertx.setTimer(20, t -> tryStart(c, vertx, random, id, n, started, then));
      }
    }));
  }

  /** One fault at a time: a node cut off or killed, then healed or restarted. */
  private void chaos(LocalWorkflowCluster c, Vertx vertx, Random random, long end, Promise<Void> done) {
    if (System.currentTimeMillis() > end) {
      done.tryComplete();
      return;
    }
    long victim = 1 + random.nextInt(3);
    long duration = 200 + random.nextInt(700);
    Future<?> fault;
    if (random.nextBoolean()) {
      Set<Long> others = new TreeSet<>(Set.of(1L, 2L, 3L));
      others.remove(victim);
      c.nodes().partition(Set.of(victim), others);
      fault = timer(c, vertx, duration).onComplete(x -> c.nodes().heal());
    } else {
      fault = c.kill(victim).compose(x -> timer(c, vertx, duration)).compose(x -> c.restart(victim));
    }
    fault.compose(x -> timer(c, vertx, 100 + random.nextInt(300)))
        .onComplete(ar -> c.context().runOnContext(x -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
          } else {
            chaos(c, vertx, random, end, done);
          }
        }));
  }

  private static Future<Void> timer(LocalWorkflowCluster c, Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    c.context().runOnContext(x -> vertx.setTimer(ms, t -> p.complete()));
    return p.future();
  }
}
