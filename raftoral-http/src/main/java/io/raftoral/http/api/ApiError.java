package io.raftoral.http.api;

import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * An error answer of the HTTP API: status code, a stable machine-readable code and a message for people. The body
 * is {@code {"success": false, "error": message, "error_code": code}}, the quickstart's error shape plus the code.
 */
record ApiError(int status, String code, String message) {

  static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  static final String WORKFLOW_NOT_REGISTERED = "WORKFLOW_NOT_REGISTERED";
  static final String WORKFLOW_NOT_FOUND = "WORKFLOW_NOT_FOUND";
  static final String WORKFLOW_ID_CONFLICT = "WORKFLOW_ID_CONFLICT";
  static final String WAIT_TIMEOUT = "WAIT_TIMEOUT";
  static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
  static final String UNAVAILABLE = "UNAVAILABLE";
  static final String NOT_LEADER = "NOT_LEADER";
  static final String NOT_FOUND = "NOT_FOUND";
  static final String INTERNAL = "INTERNAL";

  /**
   * The status a wait that ran out of time is answered with: 504 Gateway Timeout (the node gave up waiting for
   * the execution cluster; the workflow keeps running). Not 408, which tells a client it was too slow to send.
   */
  static final int WAIT_TIMEOUT_STATUS = 504;

  static ApiError badRequest(String message) {
    return new ApiError(400, INVALID_ARGUMENT, message);
  }

  /** The error a failure of a workflow or management call is answered with. */
  static ApiError of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiException e) {
      return e.error();
    }
    if (t instanceof WorkflowNotRegisteredException) {
      return new ApiError(400, WORKFLOW_NOT_REGISTERED, t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return badRequest(t.getMessage());
    }
    if (t instanceof WorkflowNotFoundException) {
      return new ApiError(404, WORKFLOW_NOT_FOUND, t.getMessage());
    }
    if (t instanceof WorkflowIdConflictException) {
      return new ApiError(409, WORKFLOW_ID_CONFLICT, t.getMessage());
    }
    if (t instanceof WorkflowWaitTimeoutException) {
      return new ApiError(WAIT_TIMEOUT_STATUS, WAIT_TIMEOUT, t.getMessage());
    }
    if (t instanceof NotLeaderException) {
      return new ApiError(503, UNAVAILABLE, "no leader available, retry: " + t.getMessage());
    }
    if (t instanceof RaftException || t instanceof TimeoutException) {
      // the cluster could not commit or confirm in time (election, partition): worth a retry
      return new ApiError(503, UNAVAILABLE, "cluster unavailable, retry: " + t.getMessage());
    }
    return new ApiError(500, INTERNAL, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  JsonObject toJson() {
    return new JsonObject().put("success", false).put("error", message).put("error_code", code);
  }

  /** Carries an {@link ApiError} through a failed future (request validation). */
  static final class ApiException extends RuntimeException {
    private final ApiError error;

    ApiException(ApiError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    ApiError error() {
      return error;
    }
  }

  ApiException exception() {
    return new ApiException(this);
  }
}
