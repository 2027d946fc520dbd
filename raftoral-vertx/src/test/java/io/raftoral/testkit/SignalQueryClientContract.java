package io.raftoral.testkit;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftoral.examples.workflow.ApprovalWorkflow;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.QueryNotFoundException;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRunningException;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/**
 * What a network workflow client does with signals and queries, whatever the protocol: the approval demo from start
 * to end, and each error rebuilt as the exception an in-process call fails with.
 */
public final class SignalQueryClientContract {

  /** How long a query is retried while the workflow's first run registers its handlers. */
  private static final long QUERY_DEADLINE_MILLIS = 10_000;
  private static final long QUERY_RETRY_MILLIS = 20;

  private SignalQueryClientContract() {
  }

  public static void signalsAndQueriesTheApprovalDemo(JsonWorkflowClient client) throws Exception {
    try {
      WorkflowStatus started = await(client.start(ApprovalWorkflow.NAME, ApprovalWorkflow.VERSION,
          "\"invoice 7\"", new StartOptions()));
      String id = started.workflowId();
      assertThat(queryOnceRegistered(client, id)).isEqualTo("\"waiting\"");
      assertThat(failureOf(client.query(id, null, "nope"))).isInstanceOf(QueryNotFoundException.class);
      assertThat(failureOf(client.signal("no-such-workflow", null, ApprovalWorkflow.SIGNAL, "\"Ada\"")))
          .isInstanceOf(WorkflowNotFoundException.class);
      assertThat(failureOf(client.signal(id, null, ApprovalWorkflow.SIGNAL, "Ada")))
          .isInstanceOf(IllegalArgumentException.class);

      WorkflowStatus signalled = await(client.signal(id, started.executionClusterId(), ApprovalWorkflow.SIGNAL,
          "\"Ada\""));
      assertThat(signalled.workflowId()).isEqualTo(id);
      WorkflowStatus done = await(client.await(id, null, Duration.ofSeconds(30)));
      assertThat(done.state()).isEqualTo(WorkflowState.COMPLETED);
      assertThat(done.resultJson()).isEqualTo("\"approved by Ada\"");
      assertThat(await(client.query(id, null, ApprovalWorkflow.QUERY))).as("the ended workflow's last state")
          .isEqualTo("\"approved\"");
      assertThat(failureOf(client.signal(id, null, ApprovalWorkflow.SIGNAL, "\"Bob\"")))
          .isInstanceOf(WorkflowNotRunningException.class);
    } finally {
      if (client instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /** The query's answer once the workflow's run has registered its handler (it starts on a later turn). */
  private static String queryOnceRegistered(JsonWorkflowClient client, String id) throws Exception {
    long deadline = System.currentTimeMillis() + QUERY_DEADLINE_MILLIS;
    while (true) {
      try {
        return await(client.query(id, null, ApprovalWorkflow.QUERY));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof QueryNotFoundException) || System.currentTimeMillis() > deadline) {
          throw e;
        }
        await(Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(QUERY_RETRY_MILLIS)));
      }
    }
  }

  private static Throwable failureOf(Uni<?> call) {
    Throwable t = catchThrowable(() -> await(call));
    return t instanceof ExecutionException e ? e.getCause() : t;
  }
}
