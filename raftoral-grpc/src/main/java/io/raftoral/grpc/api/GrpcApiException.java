package io.raftoral.grpc.api;

import io.raftoral.client.RemoteApiException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * A gRPC call to a node ended with a status that has no more specific exception on the client side (e.g.
 * UNAVAILABLE: no leader right now), or no node could be reached (status UNAVAILABLE, code {@code UNREACHABLE}).
 */
public class GrpcApiException extends RemoteApiException {

  private final GrpcStatus status;

  public GrpcApiException(GrpcStatus status, String errorCode, String message) {
    super(errorCode, message);
    this.status = status;
  }

  public GrpcApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = GrpcStatus.UNAVAILABLE;
  }

  /** The gRPC status of the call. */
  public GrpcStatus status() {
    return status;
  }

  @Override
  public boolean isRetryable() {
    return status == GrpcStatus.UNAVAILABLE;
  }
}
