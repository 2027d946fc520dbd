package io.raftoral.http.api;

import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * The HTTP face of a {@link ClientError}: its status and its body {@code {"success": false, "error": message,
 * "error_code": code}}, the quickstart's error shape plus the code. Which exception is which error is decided by
 * {@link ClientError#of}; this class only picks the status.
 */
final class HttpErrors {

  static final int BAD_REQUEST = 400;
  static final int FORBIDDEN = 403;
  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;
  static final int PAYLOAD_TOO_LARGE = 413;
  static final int INTERNAL_SERVER_ERROR = 500;
  static final int SERVICE_UNAVAILABLE = 503;
  /**
   * The status a wait that ran out of time is answered with: 504 Gateway Timeout (the node gave up waiting for
   * the execution cluster; the workflow keeps running). Not 408, which tells a client it was too slow to send.
   */
  static final int WAIT_TIMEOUT_STATUS = 504;

  private HttpErrors() {
  }

  /** The status an error with {@code code} is answered with. */
  static int status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, WORKFLOW_NOT_REGISTERED -> BAD_REQUEST;
      case WORKFLOW_NOT_FOUND, NOT_FOUND, QUERY_NOT_FOUND -> NOT_FOUND;
      // 409: the request conflicts with the workflow's or the cluster's state, as FAILED_PRECONDITION on gRPC
      case WORKFLOW_ID_CONFLICT, WORKFLOW_NOT_RUNNING, FAILED_PRECONDITION -> CONFLICT;
      case PERMISSION_DENIED -> FORBIDDEN;
      case WAIT_TIMEOUT -> WAIT_TIMEOUT_STATUS;
      case PAYLOAD_TOO_LARGE, MESSAGE_TOO_LARGE -> PAYLOAD_TOO_LARGE;
      case UNAVAILABLE, NOT_LEADER, UNREACHABLE -> SERVICE_UNAVAILABLE;
      case INTERNAL -> INTERNAL_SERVER_ERROR;
    };
  }

  /** The body of an error answer. */
  static JsonObject toJson(ClientError error) {
    return new JsonObject().put("success", false).put("error", error.message()).put("error_code", error.code().name());
  }
}
