package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowContext;

/**
 * The value of a {@value WorkflowContext#ATTEMPT_FAILED_KEY} journal entry: attempt {@code attempt} (1-based) of a
 * retried compute failed with {@code errorType} (the exception's class name) and {@code errorMessage}, and another
 * attempt follows after a durable backoff.
 */
public record AttemptFailure(int attempt, String errorType, String errorMessage) {

  static AttemptFailure of(int attempt, Throwable failure) {
    return new AttemptFailure(attempt, failure.getClass().getName(), String.valueOf(failure.getMessage()));
  }
}
