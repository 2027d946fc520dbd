package io.raftoral.grpc.api;

import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A failed call of the gRPC API: the status, a stable machine-readable code (sent in the
 * {@value #ERROR_CODE_TRAILER} trailer, so clients need not parse messages) and a message for people.
 */
record GrpcError(GrpcStatus status, String code, String message) {

  static final String ERROR_CODE_TRAILER = "raftoral-error-code";

  static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  static final String WORKFLOW_NOT_REGISTERED = "WORKFLOW_NOT_REGISTERED";
  static final String WORKFLOW_NOT_FOUND = "WORKFLOW_NOT_FOUND";
  static final String WORKFLOW_ID_CONFLICT = "WORKFLOW_ID_CONFLICT";
  static final String WAIT_TIMEOUT = "WAIT_TIMEOUT";
  static final String UNAVAILABLE = "UNAVAILABLE";
  static final String INTERNAL = "INTERNAL";

  static GrpcError invalid(String message) {
    return new GrpcError(GrpcStatus.INVALID_ARGUMENT, INVALID_ARGUMENT, message);
  }

  static GrpcError unavailable(String message) {
    return new GrpcError(GrpcStatus.UNAVAILABLE, UNAVAILABLE, message);
  }

  static GrpcError of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof Failure f) {
      return f.error;
    }
    if (t instanceof WorkflowNotRegisteredException) {
      return new GrpcError(GrpcStatus.INVALID_ARGUMENT, WORKFLOW_NOT_REGISTERED, t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return invalid(t.getMessage());
    }
    if (t instanceof WorkflowNotFoundException) {
      return new GrpcError(GrpcStatus.NOT_FOUND, WORKFLOW_NOT_FOUND, t.getMessage());
    }
    if (t instanceof WorkflowIdConflictException) {
      return new GrpcError(GrpcStatus.ALREADY_EXISTS, WORKFLOW_ID_CONFLICT, t.getMessage());
    }
    if (t instanceof WorkflowWaitTimeoutException) {
      return new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, WAIT_TIMEOUT, t.getMessage());
    }
    if (t instanceof NotLeaderException) {
      return unavailable("no leader available, retry: " + t.getMessage());
    }
    if (t instanceof RaftException || t instanceof TimeoutException) {
      return unavailable("cluster unavailable, retry: " + t.getMessage());
    }
    return new GrpcError(GrpcStatus.INTERNAL, INTERNAL, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  Failure failure() {
    return new Failure(this);
  }

  /** Carries a {@link GrpcError} through a failed future or a throw (request validation). */
  static final class Failure extends RuntimeException {
    final GrpcError error;

    Failure(GrpcError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }
}
