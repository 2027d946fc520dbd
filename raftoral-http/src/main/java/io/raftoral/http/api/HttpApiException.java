package io.raftoral.http.api;

import io.raftoral.client.RemoteApiException;

/**
 * An error answer of a node's HTTP API that has no more specific exception on the client side (e.g. 503: no
 * leader right now, 500), or a node that could not be reached at all (status 0).
 */
public class HttpApiException extends RemoteApiException {

  private final int statusCode;

  public HttpApiException(int statusCode, String errorCode, String message) {
    super(errorCode, message);
    this.statusCode = statusCode;
  }

  public HttpApiException(String message, Throwable cause) {
    super(message, cause);
    this.statusCode = 0;
  }

  /** The HTTP status of the answer, or 0 when no node answered. */
  public int statusCode() {
    return statusCode;
  }

  @Override
  public boolean isRetryable() {
    return statusCode == 0 || statusCode == HttpErrors.SERVICE_UNAVAILABLE;
  }
}
