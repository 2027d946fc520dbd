package io.raftoral.testkit;

import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFunction;
import io.smallrye.mutiny.Uni;

/**
 * A workflow whose journal the history tests page through: input n (a JSON number), it records checkpoints
 * {@code step-0} .. {@code step-(n-1)}, each a {@link Step} object, with one recorded failure ({@value #FAILED_KEY})
 * after {@value #FAILURE_AFTER} steps, so n + 1 checkpoints in all; then it waits (running, its journal unchanged)
 * for signal {@value #FINISH}, and ends with {@code "done"}.
 */
public final class HistoryStepsWorkflow implements WorkflowFunction<Integer, String> {

  public static final String NAME = "history_steps";
  public static final int VERSION = 1;
  public static final String FINISH = "finish";
  public static final String FAILED_KEY = "flaky";
  /** The recorded failure comes after this many steps (mid-page for pages of 10). */
  public static final int FAILURE_AFTER = 12;
  public static final String FAILURE_MESSAGE = "the flaky step failed, as it always does";

  /** The value of checkpoint {@code step-<step>}. */
  public record Step(int step, String label) {}

  @Override
  public Uni<String> run(Integer steps, WorkflowContext ctx) {
    return step(ctx, 0, steps)
        .chain(() -> ctx.awaitSignal(FINISH, String.class))
        .replaceWith("done");
  }

  private static Uni<Void> step(WorkflowContext ctx, int i, int steps) {
    if (i == steps) {
      return Uni.createFrom().voidItem();
    }
    Uni<Void> before = i == FAILURE_AFTER ? failOnce(ctx) : Uni.createFrom().voidItem();
    return before.chain(() -> ctx.checkpoint("step-" + i, new Step(i, "step " + i)))
        .chain(() -> step(ctx, i + 1, steps));
  }

  /** A compute that fails (one attempt: the journal records the failure), recovered by the workflow. */
  private static Uni<Void> failOnce(WorkflowContext ctx) {
    return ctx.compute(FAILED_KEY, String.class,
            () -> Uni.createFrom().failure(new IllegalStateException(FAILURE_MESSAGE)))
        .onFailure().recoverWithItem("recovered")
        .replaceWithVoid();
  }
}
