package io.raftoral.node.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.workflow.ApprovalWorkflow;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.workflow.QueryNotFoundException;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowNotRunningException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signals and queries through a node's router: a node that is a member of no execution cluster forwards them to a
 * member, whose answers (and errors) come back as an in-process call's; the typed client of a member does the same.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RoutedSignalQueryTest {

  private static final long WAIT = 30_000;
  /** The id of a router that is a member of no execution cluster: every call it makes is forwarded. */
  private static final long OUTSIDER_NODE_ID = 999;
  private static final long QUERY_RETRY_MILLIS = 20;

  private static WorkflowRegistry registry() {
    return WorkflowRegistry.create().register(ApprovalWorkflow.NAME, ApprovalWorkflow.VERSION, String.class,
        String.class, new ApprovalWorkflow());
  }

  private static <T> Future<T> fut(Uni<T> uni) {
    return Bridge.future(uni);
  }

  private static Future<Void> threeNodes(LocalRaftoralCluster c) {
    return c.bootstrap().compose(n -> c.join()).compose(n -> c.join())
        .compose(n -> c.await(() -> c.nodes().values().stream().allMatch(x -> x.view().clusters().values().stream()
            .map(ExecutionCluster::reportedVoters).anyMatch(voters -> voters.size() == 3)), WAIT,
            "one execution cluster of every node"));
  }

  /** The query's answer once the workflow's first run has registered its handler (polled until a deadline). */
  private static Future<String> queryOnceRegistered(Vertx vertx, RoutingWorkflowClient router, String id,
      long deadline) {
    return fut(router.query(id, null, ApprovalWorkflow.QUERY)).recover(e -> {
      if (!(e instanceof QueryNotFoundException) || System.currentTimeMillis() > deadline) {
        return Future.failedFuture(e);
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(QUERY_RETRY_MILLIS, t -> later.complete());
      return later.future().compose(v -> queryOnceRegistered(vertx, router, id, deadline));
    });
  }

  @Test
  void aNodeOutsideTheExecutionClusterSignalsAndQueriesThroughAMember(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedSignalQueryTest::registry);
    RoutingWorkflowClient[] outsider = new RoutingWorkflowClient[1];
    String[] id = new String[1];
    threeNodes(c)
        .compose(v -> {
          RaftoralNode a = c.node("node-a");
          outsider[0] = new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), a::view,
              new InJvmPeerRequests(vertx), registry());
          return fut(outsider[0].start(ApprovalWorkflow.NAME, 1, "\"invoice 7\"", new StartOptions()));
        })
        .compose(started -> {
          id[0] = started.workflowId();
          return queryOnceRegistered(vertx, outsider[0], id[0], System.currentTimeMillis() + WAIT);
        })
        .compose(waiting -> fut(outsider[0].signal(id[0], null, ApprovalWorkflow.SIGNAL, "\"Ada\""))
            .map(s -> waiting))
        .compose(waiting -> fut(c.node("node-b").workflows().result(id[0], String.class, Duration.ofSeconds(20)))
            .map(result -> List.of(waiting, result)))
        .compose(answers -> fut(outsider[0].query(id[0], null, ApprovalWorkflow.QUERY))
            .compose(after -> fut(c.node("node-c").workflows().query(id[0], ApprovalWorkflow.QUERY, String.class))
                .map(typed -> List.of(answers.get(0), answers.get(1), after, typed))))
        .compose(answers -> fut(c.node("node-c").workflows().signal(id[0], ApprovalWorkflow.SIGNAL, "Bob"))
            .map(v -> "accepted").recover(e -> Future.succeededFuture(e.getClass().getSimpleName()))
            .compose(typedRefusal -> fut(outsider[0].signal(id[0], null, ApprovalWorkflow.SIGNAL, "\"Bob\""))
                .map((WorkflowStatus s) -> "accepted")
                .recover(e -> Future.succeededFuture(e.getClass().getSimpleName()))
                .map(routedRefusal -> List.of(answers.get(0), answers.get(1), answers.get(2), answers.get(3),
                    typedRefusal, routedRefusal))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all).containsExactly("\"waiting\"", "approved by Ada", "\"approved\"", "approved",
              WorkflowNotRunningException.class.getSimpleName(), WorkflowNotRunningException.class.getSimpleName());
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
