package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.raftoral.examples.workflow.ApprovalWorkflow;
import io.raftoral.group.RaftPreset;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.impl.Payloads;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signals, queries and conditions on a 3-member execution cluster: a signal is a committed command kept in the
 * workflow's replicated inbox until an {@code awaitSignal} consumes it (journaled by the owner, read back by every
 * other member), so it is delivered once, in commit order, whatever the timing or the failovers; a query answers
 * on any member from its replica; a condition is journaled when it held or timed out.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SignalQueryConditionTest {

  private static final long WAIT = 15_000;
  private static final int ITEMS = 5;
  private static final TypeReference<List<Integer>> INTS = new TypeReference<>() {};

  /** Results by workflow id and node: what each replica's run of the workflow function produced. */
  private final Map<String, Map<Long, Object>> seen = new ConcurrentHashMap<>();
  private final Promise<Void> gate = Promise.promise();

  private WorkflowRegistry registry(long node) {
    return WorkflowRegistry.create()
        // Waits for a gate first: signals sent meanwhile are there before the workflow waits for them.
        .register("collect", 1, Integer.class, Object.class, (n, ctx) -> ctx.compute("gate", String.class,
                () -> Uni.createFrom().completionStage(() -> gate.future().toCompletionStage()).replaceWith("open"))
            .flatMap(v -> collect(ctx, n, new ArrayList<>()))
            .invoke(items -> see(ctx, node, items))
            .map(items -> (Object) items))
        .register(ApprovalWorkflow.NAME, ApprovalWorkflow.VERSION, String.class, String.class,
            (in, ctx) -> new ApprovalWorkflow(Duration.ofMillis(Long.parseLong(in))).run(in, ctx)
                .invoke(r -> see(ctx, node, r)))
        // Two branches subscribed in order: the condition takes position 0, the variable's change position 1.
        .register("flagged", 1, String.class, Boolean.class, (in, ctx) -> {
          ReplicatedVar<Boolean> flag = ctx.var("flag", Boolean.class, false);
          return Uni.combine().all().unis(ctx.awaitCondition(flag::get), flag.set(true)).asTuple()
              .map(both -> flag.get())
              .invoke(held -> see(ctx, node, held));
        })
        .register("untilApproved", 1, Long.class, Boolean.class, (ms, ctx) -> ctx
            .awaitCondition(() -> ctx.hasSignal("approve"), Duration.ofMillis(ms))
            .invoke(held -> see(ctx, node, held)));
  }

  private static Uni<List<Integer>> collect(WorkflowContext ctx, int left, List<Integer> got) {
    if (left == 0) {
      return Uni.createFrom().item(got);
    }
    return ctx.awaitSignal("item", Integer.class).flatMap(i -> {
      got.add(i);
      return collect(ctx, left - 1, got);
    });
  }

  private void see(WorkflowContext ctx, long node, Object value) {
    seen.computeIfAbsent(ctx.workflowId(), k -> new ConcurrentHashMap<>()).put(node, value);
  }

  private int seenBy(String id) {
    Map<Long, Object> m = seen.get(id);
    return m == null ? 0 : m.size();
  }

  private LocalWorkflowCluster cluster(Vertx vertx) {
    return new LocalWorkflowCluster(vertx, this::registry, new WorkflowRuntimeOptions().setOwnerTimeoutMillis(300),
        RaftPreset.TESTING.groupOptions());
  }

  private static Future<WorkflowStatus> signal(LocalWorkflowCluster c, long node, String id, String name, Object v) {
    return fut(c.runtime(node).signal(id, name, Payloads.encode(v)));
  }

  /** A signal sent until it is acknowledged (a leader change may leave an attempt's outcome unknown). */
  private static Future<WorkflowStatus> signalRetrying(LocalWorkflowCluster c, long node, String id, String name,
      Object v, int attempts) {
    return signal(c, node, id, name, v).recover(e -> attempts <= 1 || e instanceof WorkflowException
        ? Future.failedFuture(e) : signalRetrying(c, node, id, name, v, attempts - 1));
  }

  @Test
  void signalsSentBeforeAndAfterTheWaitAreDeliveredOnceEachInCommitOrderOnEveryReplica(Vertx vertx,
      VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<Object>start("collect", 1, ITEMS)))
        .compose(run -> {
          id[0] = run.workflowId();
          // Sent from every member, one after the other: the commit order is 0, 1, 2, ...
          Future<WorkflowStatus> sent = signal(c, 2, id[0], "item", 0);
          sent = sent.compose(s -> signal(c, 3, id[0], "other", -1));
          for (int i = 1; i < 3; i++) {
            int item = i;
            sent = sent.compose(s -> signal(c, 1 + item % 3, id[0], "item", item));
          }
          return sent;
        })
        .compose(s -> {
          gate.complete();
          Future<WorkflowStatus> sent = Future.succeededFuture();
          for (int i = 3; i < ITEMS; i++) {
            int item = i;
            sent = sent.compose(x -> signal(c, 1 + item % 3, id[0], "item", item));
          }
          return sent;
        })
        .compose(s -> fut(c.runtime(3).result(id[0], Duration.ofSeconds(20))))
        .compose(s -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(s))
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.state()).isEqualTo(WorkflowState.COMPLETED);
          List<Integer> result = Payloads.decode(s.resultJson(), Payloads.type(INTS));
          assertThat(result).containsExactly(0, 1, 2, 3, 4);
          seen.get(id[0]).forEach((node, items) -> assertThat(items).as("node %d's run", node)
              .isEqualTo(List.of(0, 1, 2, 3, 4)));
          // The gate and one entry per consumed signal (the "other" was never consumed).
          assertThat(s.checkpointCount()).isEqualTo(1 + ITEMS);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aSignalToAnUnknownOrEndedWorkflowIsRefusedAndAnEndedWorkflowAnswersQueriesFromItsLastState(Vertx vertx,
      VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<String>start(ApprovalWorkflow.NAME, 1, "60000")))
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(2, id[0], s -> s.checkpointCount() == 1, WAIT, "the wait to start");
        })
        .compose(v -> fut(c.runtime(2).query(id[0], ApprovalWorkflow.QUERY)))
        .compose(waiting -> signal(c, 3, id[0], ApprovalWorkflow.SIGNAL, "Ada").map(s -> waiting))
        .compose(waiting -> fut(c.runtime(1).run(id[0], String.class).result(Duration.ofSeconds(20)))
            .map(result -> List.of(waiting, result)))
        .compose(answers -> Future.all(
                fut(c.runtime(1).query(id[0], ApprovalWorkflow.QUERY)),
                fut(c.runtime(2).query(id[0], "nope")).map("answered").recover(e -> Future.succeededFuture(
                    e.getClass().getSimpleName())),
                signal(c, 2, id[0], ApprovalWorkflow.SIGNAL, "Bob").map("accepted").recover(e ->
                    Future.succeededFuture(e.getClass().getSimpleName())),
                signal(c, 2, "no-such-workflow", ApprovalWorkflow.SIGNAL, "Bob").map("accepted").recover(e ->
                    Future.succeededFuture(e.getClass().getSimpleName())))
            .map(all -> {
              List<Object> out = new ArrayList<>(answers);
              out.addAll(all.list());
              return out;
            }))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.get(0)).as("query while waiting").isEqualTo("\"waiting\"");
          assertThat(all.get(1)).isEqualTo("approved by Ada");
          assertThat(all.get(2)).as("query of the ended workflow").isEqualTo("\"approved\"");
          assertThat(all.get(3)).isEqualTo(QueryNotFoundException.class.getSimpleName());
          assertThat(all.get(4)).isEqualTo(WorkflowNotRunningException.class.getSimpleName());
          assertThat(all.get(5)).isEqualTo(WorkflowNotFoundException.class.getSimpleName());
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aQueryOnEveryMemberAnswersTheCurrentStateAndTheTimeoutIsJournaledOnce(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    List<String> whileWaiting = new ArrayList<>();
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(2).<String>start(ApprovalWorkflow.NAME, 1, "3000")))
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(1, id[0], s -> s.checkpointCount() == 1, WAIT, "the deadline to be journaled");
        })
        .compose(s -> queryAll(c, id[0]).onSuccess(whileWaiting::addAll))
        .compose(v -> fut(c.runtime(3).result(id[0], Duration.ofSeconds(20))))
        .compose(s -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica to finish its run").map(s))
        .compose(s -> queryAll(c, id[0]).map(after -> List.of(s, after)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          WorkflowStatus s = (WorkflowStatus) r.get(0);
          assertThat(whileWaiting).containsOnly("\"waiting\"");
          assertThat(s.resultJson()).isEqualTo("\"timed out\"");
          // The deadline, the wait's timeout, the state variable.
          assertThat(s.checkpointCount()).isEqualTo(3);
          assertThat(seen.get(id[0]).values()).containsOnly("timed out");
          assertThat(r.get(1)).isEqualTo(List.of("\"timed out\"", "\"timed out\"", "\"timed out\""));
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  private static Future<List<String>> queryAll(LocalWorkflowCluster c, String id) {
    List<Future<String>> all = new ArrayList<>();
    for (long n = 1; n <= 3; n++) {
      all.add(fut(c.runtime(n).query(id, ApprovalWorkflow.QUERY)));
    }
    return Future.all(all).map(f -> f.list());
  }

  @Test
  void aKilledOwnerWhileASignalIsInFlightGivesOneOutcomeIdenticalOnEveryReplica(Vertx vertx, VertxTestContext ctx) {
    killOwnerWhileAwaiting(vertx, ctx, false);
  }

  @Test
  void aKilledLeaderOwnerWhileASignalIsInFlightGivesOneOutcomeIdenticalOnEveryReplica(Vertx vertx,
      VertxTestContext ctx) {
    killOwnerWhileAwaiting(vertx, ctx, true);
  }

  /** The owner dies while the workflow awaits a signal, as the signal is sent through a survivor. */
  private void killOwnerWhileAwaiting(Vertx vertx, VertxTestContext ctx, boolean ownerLeads) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    long[] owner = new long[1];
    c.start(1, 2, 3)
        .compose(v -> {
          owner[0] = ownerLeads ? c.leader() : c.leader() % 3 + 1;
          return fut(c.runtime(owner[0]).<String>start(ApprovalWorkflow.NAME, 1, "60000"));
        })
        .compose(run -> {
          id[0] = run.workflowId();
          return c.awaitStatus(owner[0], id[0], s -> s.checkpointCount() == 1, WAIT, "the wait to start");
        })
        .compose(s -> {
          long survivor = owner[0] % 3 + 1;
          // In flight while the owner dies: its outcome is unknown to the test until the workflow ends.
          Future<WorkflowStatus> sent = signalRetrying(c, survivor, id[0], ApprovalWorkflow.SIGNAL, "Ada", 10);
          return c.kill(owner[0]).compose(v -> sent);
        })
        .compose(s -> {
          long survivor = owner[0] % 3 + 1;
          return fut(c.runtime(survivor).run(id[0], String.class).result(Duration.ofSeconds(30)))
              .compose(result -> c.await(() -> seenBy(id[0]) >= 2, WAIT, "both survivors to finish").map(result))
              .compose(result -> fut(c.runtime(survivor).status(id[0])).map(st -> List.of(result, st)));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          WorkflowStatus s = (WorkflowStatus) r.get(1);
          assertThat(r.get(0)).isEqualTo("approved by Ada");
          assertThat(s.ownerNode()).isNotEqualTo(owner[0]);
          seen.get(id[0]).forEach((node, result) -> assertThat(result).as("node %d's result", node)
              .isEqualTo("approved by Ada"));
          // The deadline, one consumed signal, the state variable: the signal was delivered once.
          assertThat(s.checkpointCount()).isEqualTo(3);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aConditionIsWokenByAReplicatedVariableChangedInAnotherBranch(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] id = new String[1];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(3).<Boolean>start("flagged", 1, "x")))
        .compose(run -> {
          id[0] = run.workflowId();
          return fut(run.result(Duration.ofSeconds(20)));
        })
        .compose(held -> c.await(() -> seenBy(id[0]) == 3, WAIT, "every replica").map(held))
        .compose(held -> fut(c.runtime(1).status(id[0])).map(s -> List.of(held, s.checkpointCount())))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r).containsExactly(true, 2);
          assertThat(seen.get(id[0]).values()).containsOnly(true);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aConditionIsWokenByASignalOrGivesUpAtItsDurableTimeout(Vertx vertx, VertxTestContext ctx) {
    LocalWorkflowCluster c = cluster(vertx);
    String[] ids = new String[2];
    c.start(1, 2, 3)
        .compose(v -> fut(c.runtime(1).<Boolean>start("untilApproved", 1, 60_000L)))
        .compose(run -> {
          ids[0] = run.workflowId();
          return c.awaitStatus(2, ids[0], s -> s.checkpointCount() == 1, WAIT, "the condition to wait");
        })
        .compose(s -> signal(c, 3, ids[0], "approve", "Ada"))
        .compose(s -> fut(c.runtime(2).run(ids[0], Boolean.class).result(Duration.ofSeconds(20))))
        .compose(held -> fut(c.runtime(2).<Boolean>start("untilApproved", 1, 500L))
            .compose(run -> {
              ids[1] = run.workflowId();
              return fut(run.result(Duration.ofSeconds(20)));
            })
            .map(timedOut -> List.of(held, timedOut)))
        .compose(r -> c.await(() -> seenBy(ids[0]) == 3 && seenBy(ids[1]) == 3, WAIT, "every replica").map(r))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r).containsExactly(true, false);
          assertThat(seen.get(ids[0]).values()).containsOnly(true);
          assertThat(seen.get(ids[1]).values()).containsOnly(false);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
