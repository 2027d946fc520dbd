package io.raftoral.http.api;

import io.raftoral.client.RemoteApiException;

/**
 * An error answer of a node's HTTP API that has no more specific exception on the client side (e.g. 503: no
 * leader right now, 500), or a node that could not be reached at all (status 0). Retryable: 503 and status 0.
 */
public class HttpApiException extends RemoteApiException {

  /** The status of "no node answered". */
  private static final int NO_ANSWER = 0;

  public HttpApiException(int statusCode, String errorCode, String message) {
    super(statusCode, statusCode == NO_ANSWER || statusCode == HttpErrors.SERVICE_UNAVAILABLE, errorCode, message);
  }

  public HttpApiException(String message, Throwable cause) {
    super(NO_ANSWER, message, cause);
  }

  /** The HTTP status of the answer, or 0 when no node answered. */
  public int statusCode() {
    return protocolStatus();
  }
}
