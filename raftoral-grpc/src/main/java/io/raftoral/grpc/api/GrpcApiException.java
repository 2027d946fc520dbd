package io.raftoral.grpc.api;

import io.raftoral.client.RemoteApiException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * A gRPC call to a node ended with a status that has no more specific exception on the client side (e.g.
 * UNAVAILABLE: no leader right now, the one retryable status), or no node could be reached (status UNAVAILABLE,
 * code {@code UNREACHABLE}).
 */
public class GrpcApiException extends RemoteApiException {

  public GrpcApiException(GrpcStatus status, String errorCode, String message) {
    super(status.code, status == GrpcStatus.UNAVAILABLE, errorCode, message);
  }

  public GrpcApiException(String message, Throwable cause) {
    super(GrpcStatus.UNAVAILABLE.code, message, cause);
  }

  /** The gRPC status of the call. */
  public GrpcStatus status() {
    return GrpcStatus.valueOf(protocolStatus());
  }
}
