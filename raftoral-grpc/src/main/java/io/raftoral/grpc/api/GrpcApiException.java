package io.raftoral.grpc.api;

import io.raftoral.workflow.WorkflowException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * A gRPC call to a node ended with a status that has no more specific exception on the client side (e.g.
 * UNAVAILABLE: no leader right now), or no node could be reached (status UNAVAILABLE, code {@code UNREACHABLE}).
 */
public class GrpcApiException extends WorkflowException {

  private final GrpcStatus status;
  private final String errorCode;

  public GrpcApiException(GrpcStatus status, String errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public GrpcApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = GrpcStatus.UNAVAILABLE;
    this.errorCode = "UNREACHABLE";
  }

  /** The gRPC status of the call. */
  public GrpcStatus status() {
    return status;
  }

  /** The {@code raftoral-error-code} trailer of the answer (e.g. {@code NOT_LEADER}), or null. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether a retry later may succeed (no leader, cluster unavailable, node unreachable). */
  public boolean isRetryable() {
    return status == GrpcStatus.UNAVAILABLE;
  }
}
