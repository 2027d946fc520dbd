package io.raftoral.workflow.impl;

/**
 * Internal: the journal says an attempt of a retried compute failed and another follows. It only travels from the
 * attempt's checkpoint call to the retry loop of {@link WorkflowContextImpl}, which answers it with a durable
 * backoff and the next attempt; a workflow never sees it.
 */
final class AttemptFailedException extends RuntimeException {

  final AttemptFailure failure;

  AttemptFailedException(AttemptFailure failure) {
    super("attempt " + failure.attempt() + " failed: " + failure.errorType() + ": " + failure.errorMessage(), null,
        false, false);
    this.failure = failure;
  }
}
