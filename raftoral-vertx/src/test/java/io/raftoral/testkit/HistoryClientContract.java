package io.raftoral.testkit;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * What every {@link JsonWorkflowClient} does with checkpoint histories, whatever serves it (a runtime, a node's
 * router inside or outside the execution cluster, the REST and gRPC APIs through their network clients): a journal
 * of {@value #CHECKPOINTS} checkpoints read whole and in pages of {@value #PAGE_SIZE}, and every bad request refused
 * with the exception an in-process call fails with.
 */
public final class HistoryClientContract {

  /** Steps of the {@link HistoryStepsWorkflow} run; with its recorded failure, {@value #CHECKPOINTS} checkpoints. */
  public static final int STEPS = 24;
  public static final int CHECKPOINTS = STEPS + 1;
  public static final int PAGE_SIZE = 10;
  /** Pages of {@value #PAGE_SIZE}: 10, 10 and 5 checkpoints. */
  public static final int PAGES = 3;
  private static final long JOURNAL_DEADLINE_MILLIS = 30_000;
  private static final long POLL_MILLIS = 20;

  private HistoryClientContract() {
  }

  /** Pages through a fresh workflow's history, then refuses every kind of bad request. */
  public static void pagesThroughAHistoryAndRefusesBadRequests(JsonWorkflowClient client) throws Exception {
    String id = startSteps(client);
    try {
      List<CheckpointRecord> journal = readsTheWholeJournal(client, id);
      readsTheJournalInPages(client, id, journal);
      refusesBadRequests(client, id);
    } finally {
      finish(client, id);
    }
  }

  /** Signals the workflow to finish and waits for its end (so that nothing of it is in flight afterwards). */
  public static void finish(JsonWorkflowClient client, String id) throws Exception {
    await(client.signal(id, null, HistoryStepsWorkflow.FINISH, "\"now\""));
    await(client.await(id, null, Duration.ofSeconds(JOURNAL_DEADLINE_MILLIS / 1000)));
  }

  /**
   * Starts a {@link HistoryStepsWorkflow} of {@value #STEPS} steps and answers its id once its journal has all
   * {@value #CHECKPOINTS} checkpoints (it then waits for its finish signal, its journal unchanged).
   */
  public static String startSteps(JsonWorkflowClient client) throws Exception {
    WorkflowStatus started = await(client.start(HistoryStepsWorkflow.NAME, HistoryStepsWorkflow.VERSION,
        Integer.toString(STEPS), new StartOptions()));
    long deadline = System.currentTimeMillis() + JOURNAL_DEADLINE_MILLIS;
    while (await(client.status(started.workflowId(), null)).checkpointCount() < CHECKPOINTS) {
      assertThat(System.currentTimeMillis()).as("the steps are journaled in time").isLessThan(deadline);
      await(Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(POLL_MILLIS)));
    }
    return started.workflowId();
  }

  /** One page of the largest size holds the whole journal, in order, the failure recorded as one. */
  public static List<CheckpointRecord> readsTheWholeJournal(JsonWorkflowClient client, String id) throws Exception {
    HistoryPage whole = await(client.history(id, null, HistoryPage.MAX_PAGE_SIZE, null));
    assertThat(whole.workflowId()).isEqualTo(id);
    assertThat(whole.nextPageToken()).isNull();
    List<CheckpointRecord> journal = whole.checkpoints();
    assertThat(journal).hasSize(CHECKPOINTS);
    int step = 0;
    for (int position = 0; position < CHECKPOINTS; position++) {
      CheckpointRecord c = journal.get(position);
      assertThat(c.position()).isEqualTo(position);
      if (position == HistoryStepsWorkflow.FAILURE_AFTER) {
        assertThat(c.key()).isEqualTo(HistoryStepsWorkflow.FAILED_KEY);
        assertThat(c.valueJson()).isNull();
        assertThat(c.errorType()).isNotBlank();
        assertThat(c.errorMessage()).contains(HistoryStepsWorkflow.FAILURE_MESSAGE);
        continue;
      }
      assertThat(c.key()).isEqualTo("step-" + step);
      assertThat(new JsonObject(c.valueJson()))
          .isEqualTo(new JsonObject().put("step", step).put("label", "step " + step));
      assertThat(c.errorType()).isNull();
      step++;
    }
    return journal;
  }

  /** Pages of {@value #PAGE_SIZE}: three, each with the token of the next but the last; together, the journal. */
  public static void readsTheJournalInPages(JsonWorkflowClient client, String id, List<CheckpointRecord> journal)
      throws Exception {
    List<HistoryPage> pages = new ArrayList<>();
    String token = null;
    do {
      HistoryPage page = await(client.history(id, null, PAGE_SIZE, token));
      pages.add(page);
      token = page.nextPageToken();
      assertThat(pages.size()).as("pages").isLessThanOrEqualTo(PAGES);
    } while (token != null);
    assertThat(pages).extracting(p -> p.checkpoints().size()).containsExactly(PAGE_SIZE, PAGE_SIZE,
        CHECKPOINTS - 2 * PAGE_SIZE);
    assertThat(pages.get(0).nextPageToken()).isNotEmpty();
    assertThat(pages.get(1).nextPageToken()).isNotEmpty().isNotEqualTo(pages.get(0).nextPageToken());
    assertThat(pages.get(2).nextPageToken()).isNull();
    List<CheckpointRecord> concatenated = new ArrayList<>();
    pages.forEach(p -> concatenated.addAll(p.checkpoints()));
    assertThat(concatenated).isEqualTo(journal);

    // a page asked again is the same page; with the execution cluster named, too
    long cluster = await(client.status(id, null)).executionClusterId();
    HistoryPage second = await(client.history(id, cluster, PAGE_SIZE, pages.get(0).nextPageToken()));
    assertThat(second).isEqualTo(pages.get(1));
  }

  /** Unknown workflows, page sizes out of range and tokens this history did not issue. */
  public static void refusesBadRequests(JsonWorkflowClient client, String id) {
    assertThat(failureOf(client.history("no-such-workflow", null, PAGE_SIZE, null)))
        .isInstanceOf(WorkflowNotFoundException.class);
    for (int size : new int[] {0, -1, HistoryPage.MAX_PAGE_SIZE + 1}) {
      assertThat(failureOf(client.history(id, null, size, null))).as("page size " + size)
          .isInstanceOf(IllegalArgumentException.class);
    }
    for (String token : new String[] {"abc", "-1", "not a token!"}) {
      assertThat(failureOf(client.history(id, null, PAGE_SIZE, token))).as("page token " + token)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static Throwable failureOf(Uni<?> call) {
    Throwable t = catchThrowable(() -> await(call));
    return t instanceof ExecutionException e ? e.getCause() : t;
  }
}
