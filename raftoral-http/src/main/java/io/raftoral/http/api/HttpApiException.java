package io.raftoral.http.api;

import io.raftoral.workflow.WorkflowException;

/**
 * An error answer of a node's HTTP API that has no more specific exception on the client side (e.g. 503: no
 * leader right now, 500), or a node that could not be reached at all (status 0).
 */
public class HttpApiException extends WorkflowException {

  private final int statusCode;
  private final String errorCode;

  public HttpApiException(int statusCode, String errorCode, String message) {
    super(message);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }

  public HttpApiException(String message, Throwable cause) {
    super(message, cause);
    this.statusCode = 0;
    this.errorCode = "UNREACHABLE";
  }

  /** The HTTP status of the answer, or 0 when no node answered. */
  public int statusCode() {
    return statusCode;
  }

  /** The API's {@code error_code} (e.g. {@code UNAVAILABLE}, {@code NOT_LEADER}), or null. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether a retry later may succeed (no leader, cluster unavailable, node unreachable). */
  public boolean isRetryable() {
    return statusCode == 0 || statusCode == 503;
  }
}
