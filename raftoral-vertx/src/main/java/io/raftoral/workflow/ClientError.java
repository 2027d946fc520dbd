package io.raftoral.workflow;

import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A failed client call as every protocol answers it: a stable {@link ErrorCode} and a message for people. The HTTP
 * and gRPC APIs turn it into their own status and body; {@link #of} is the one place that decides which exception
 * is which error.
 *
 * @param code the machine-readable code
 * @param message the message for people
 */
public record ClientError(ErrorCode code, String message) {

  public ClientError {
    Objects.requireNonNull(code, "code");
  }

  /** An {@link ErrorCode#INVALID_ARGUMENT} error: the request is malformed or invalid. */
  public static ClientError invalid(String message) {
    return new ClientError(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** An {@link ErrorCode#UNAVAILABLE} error: worth a retry later. */
  public static ClientError unavailable(String message) {
    return new ClientError(ErrorCode.UNAVAILABLE, message);
  }

  /** The error a failure of a workflow or management call is answered with. */
  public static ClientError of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ClientErrorException e) {
      return e.error();
    }
    if (t instanceof WorkflowNotRegisteredException) {
      return new ClientError(ErrorCode.WORKFLOW_NOT_REGISTERED, t.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return invalid(t.getMessage());
    }
    if (t instanceof WorkflowNotFoundException) {
      return new ClientError(ErrorCode.WORKFLOW_NOT_FOUND, t.getMessage());
    }
    if (t instanceof WorkflowNotRunningException) {
      return new ClientError(ErrorCode.WORKFLOW_NOT_RUNNING, t.getMessage());
    }
    if (t instanceof QueryNotFoundException) {
      return new ClientError(ErrorCode.QUERY_NOT_FOUND, t.getMessage());
    }
    if (t instanceof WorkflowIdConflictException) {
      return new ClientError(ErrorCode.WORKFLOW_ID_CONFLICT, t.getMessage());
    }
    if (t instanceof WorkflowWaitTimeoutException) {
      return new ClientError(ErrorCode.WAIT_TIMEOUT, t.getMessage());
    }
    if (t instanceof NotLeaderException) {
      return unavailable("no leader available, retry: " + t.getMessage());
    }
    if (t instanceof ExecutionClusterUnavailableException || t instanceof RaftException
        || t instanceof TimeoutException) {
      // the cluster could not commit or confirm in time (election, partition): worth a retry
      return unavailable("cluster unavailable, retry: " + t.getMessage());
    }
    return new ClientError(ErrorCode.INTERNAL, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /** {@code t} without the wrappers futures add ({@link CompletionException}, {@link ExecutionException}). */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** An exception carrying this error through a failed future or a throw (e.g. request validation). */
  public ClientErrorException exception() {
    return new ClientErrorException(this);
  }
}
