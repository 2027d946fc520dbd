package io.raftoral.client;

import io.raftoral.workflow.ErrorCode;
import io.raftoral.workflow.WorkflowException;

/**
 * An error answer of a node's API that has no more specific exception on the client side (no leader right now, an
 * internal error), or no node reached at all ({@link ErrorCode#UNREACHABLE}). Each protocol's client adds its own
 * status.
 */
public abstract class RemoteApiException extends WorkflowException {

  private final String errorCode;

  /** An error answer with API code {@code errorCode} (null when the answer had none). */
  protected RemoteApiException(String errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  /** No node answered; {@code cause} is the last node's failure. */
  protected RemoteApiException(String message, Throwable cause) {
    super(message, cause);
    this.errorCode = ErrorCode.UNREACHABLE.name();
  }

  /** The API's error code of the answer (e.g. {@code UNAVAILABLE}, {@code NOT_LEADER}), or null. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether a retry later may succeed (no leader, cluster unavailable, node unreachable). */
  public abstract boolean isRetryable();
}
