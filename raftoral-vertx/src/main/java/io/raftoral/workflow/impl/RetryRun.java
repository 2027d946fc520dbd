package io.raftoral.workflow.impl;

import io.raftoral.workflow.RetryPolicy;
import io.raftoral.workflow.WorkflowContext;

/**
 * One subscription to a compute under a {@link RetryPolicy}: the attempts it makes share the policy (a private copy)
 * and the idempotency key of the first attempt's position, so an external service sees one key for all of them.
 */
final class RetryRun {

  final RetryPolicy policy;
  /** The first attempt's journal position, once given (-1 before). */
  int firstSeq = -1;

  RetryRun(RetryPolicy policy) {
    this.policy = policy;
  }

  /**
   * Whether a failure of attempt {@code attempt} may be journaled as {@value WorkflowContext#ATTEMPT_FAILED_KEY}
   * (another attempt may follow) rather than as the compute's final outcome.
   */
  boolean mayRetryAfter(int attempt) {
    return attempt < policy.getMaxAttempts();
  }
}
