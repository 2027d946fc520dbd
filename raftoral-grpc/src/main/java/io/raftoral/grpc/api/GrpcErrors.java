package io.raftoral.grpc.api;

import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * The gRPC face of a {@link ClientError}: its status, its message, and its code in the {@value #ERROR_CODE_TRAILER}
 * trailer (so clients need not parse messages). Which exception is which error is decided by
 * {@link ClientError#of}; this class only picks the status.
 */
final class GrpcErrors {

  static final String ERROR_CODE_TRAILER = "raftoral-error-code";

  private GrpcErrors() {
  }

  /** The status an error with {@code code} ends a call with. */
  static GrpcStatus status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, WORKFLOW_NOT_REGISTERED -> GrpcStatus.INVALID_ARGUMENT;
      case WORKFLOW_NOT_FOUND, NOT_FOUND, QUERY_NOT_FOUND -> GrpcStatus.NOT_FOUND;
      case WORKFLOW_NOT_RUNNING -> GrpcStatus.FAILED_PRECONDITION;
      case WORKFLOW_ID_CONFLICT -> GrpcStatus.ALREADY_EXISTS;
      case WAIT_TIMEOUT -> GrpcStatus.DEADLINE_EXCEEDED;
      case PAYLOAD_TOO_LARGE, MESSAGE_TOO_LARGE -> GrpcStatus.RESOURCE_EXHAUSTED;
      case UNAVAILABLE, NOT_LEADER, UNREACHABLE -> GrpcStatus.UNAVAILABLE;
      case INTERNAL -> GrpcStatus.INTERNAL;
      case PERMISSION_DENIED -> GrpcStatus.PERMISSION_DENIED;
      case FAILED_PRECONDITION -> GrpcStatus.FAILED_PRECONDITION;
    };
  }

  /** Ends the call of {@code response} with {@code error}. */
  static void fail(GrpcServerResponse<?, ?> response, ClientError error) {
    response.trailers().set(ERROR_CODE_TRAILER, error.code().name());
    response.status(status(error.code())).statusMessage(error.message()).end();
  }
}
