package io.raftoral.workflow;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * A started workflow. Its result can be awaited whether the workflow finishes before or after the call.
 *
 * @param <O> the output type
 */
public interface WorkflowRun<O> {

  String workflowId();

  long executionClusterId();

  /**
   * The output once the workflow completes (lazy). Fails with {@link WorkflowFailedException} or
   * {@link WorkflowTerminatedException} when it does not complete.
   */
  Uni<O> result();

  /** Like {@link #result()}, failing with {@link WorkflowWaitTimeoutException} after {@code timeout}. */
  Uni<O> result(Duration timeout);

  /** The current status (lazy, linearizable). */
  Uni<WorkflowStatus> status();
}
