package io.raftoral.workflow;

import java.time.Duration;

/**
 * What a client knows of a call it sent to another node, enough to rebuild the exception an error answer stands
 * for: the network clients and the node's router then fail with the same exceptions an in-process call fails with
 * ({@link WorkflowNotFoundException}, {@link WorkflowNotRegisteredException}, {@link WorkflowIdConflictException},
 * {@link WorkflowWaitTimeoutException}, {@link IllegalArgumentException}). An error a call cannot have (a wait
 * timeout of a status call) is rebuilt as nothing more specific.
 *
 * @param workflowId the workflow the call is about, or null (a start, a list)
 * @param workflowType the type a start starts, or null for other calls
 * @param version the version a start starts
 * @param waitTimeout how long a wait waits, or null for other calls
 */
public record RemoteCall(String workflowId, String workflowType, int version, Duration waitTimeout) {

  /** A start of {@code workflowType} version {@code version}. */
  public static RemoteCall start(String workflowType, int version) {
    return new RemoteCall(null, workflowType, version, null);
  }

  /** A wait of up to {@code timeout} for {@code workflowId}. */
  public static RemoteCall await(String workflowId, Duration timeout) {
    return new RemoteCall(workflowId, null, 0, timeout);
  }

  /** A call about {@code workflowId} (status, terminate). */
  public static RemoteCall about(String workflowId) {
    return new RemoteCall(workflowId, null, 0, null);
  }

  /** A call about no one workflow (a list). */
  public static RemoteCall list() {
    return new RemoteCall(null, null, 0, null);
  }

  /**
   * The exception an error answer with code {@code code} and message {@code message} stands for, or null when
   * there is none more specific than the protocol's own (an unknown code, a code this call cannot have).
   */
  public RuntimeException exception(String code, String message) {
    ErrorCode known = ErrorCode.parse(code);
    if (known == null) {
      return null;
    }
    return switch (known) {
      case INVALID_ARGUMENT -> new IllegalArgumentException(message);
      case WORKFLOW_NOT_REGISTERED -> workflowType == null ? null
          : new WorkflowNotRegisteredException(workflowType, version, "");
      case WORKFLOW_ID_CONFLICT -> workflowType == null ? null : new WorkflowIdConflictException(message);
      case WORKFLOW_NOT_FOUND -> workflowId == null ? null : new WorkflowNotFoundException(workflowId);
      case WORKFLOW_NOT_RUNNING -> workflowId == null ? null : new WorkflowNotRunningException(workflowId, message);
      case QUERY_NOT_FOUND -> workflowId == null ? null : new QueryNotFoundException(message, workflowId, true);
      case WAIT_TIMEOUT -> waitTimeout == null ? null : new WorkflowWaitTimeoutException(workflowId, waitTimeout);
      default -> null;
    };
  }
}
