package io.raftoral.client;

import io.raftoral.workflow.ErrorCode;
import io.raftoral.workflow.WorkflowException;

/**
 * An error answer of a node's API that has no more specific exception on the client side (no leader right now, an
 * internal error), or no node reached at all ({@link ErrorCode#UNREACHABLE}). Each protocol's client says what its
 * status is ({@link #protocolStatus()}: an HTTP status, a gRPC status code) and whether a retry may help.
 */
public abstract class RemoteApiException extends WorkflowException {

  private final int protocolStatus;
  private final boolean retryable;
  private final String errorCode;

  /** An error answer with the protocol's status, and API code {@code errorCode} (null when the answer had none). */
  protected RemoteApiException(int protocolStatus, boolean retryable, String errorCode, String message) {
    super(message);
    this.protocolStatus = protocolStatus;
    this.retryable = retryable;
    this.errorCode = errorCode;
  }

  /**
   * No node answered; {@code cause} is the last node's failure, {@code protocolStatus} what the protocol says for
   * that. Always retryable.
   */
  protected RemoteApiException(int protocolStatus, String message, Throwable cause) {
    super(message, cause);
    this.protocolStatus = protocolStatus;
    this.retryable = true;
    this.errorCode = ErrorCode.UNREACHABLE.name();
  }

  /** The protocol's status number of the answer, which each protocol's exception exposes typed. */
  protected final int protocolStatus() {
    return protocolStatus;
  }

  /** The API's error code of the answer (e.g. {@code UNAVAILABLE}, {@code NOT_LEADER}), or null. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether a retry later may succeed (no leader, cluster unavailable, node unreachable). */
  public boolean isRetryable() {
    return retryable;
  }
}
