package io.raftoral.grpc.api;

import io.raftoral.grpc.api.proto.RunWorkflowResponse;
import io.raftoral.grpc.api.proto.WorkflowInfo;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import java.time.Instant;

/** Conversions between {@link WorkflowStatus} and the protobuf messages of the gRPC API. */
final class WorkflowProto {

  private WorkflowProto() {
  }

  static io.raftoral.grpc.api.proto.WorkflowState toProto(WorkflowState s) {
    return switch (s) {
      case RUNNING -> io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_RUNNING;
      case COMPLETED -> io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_COMPLETED;
      case FAILED -> io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_FAILED;
      case TERMINATED -> io.raftoral.grpc.api.proto.WorkflowState.WORKFLOW_STATE_TERMINATED;
    };
  }

  /** The state, or null for unspecified or unknown values (explicit mapping: never by ordinal). */
  static WorkflowState fromProto(io.raftoral.grpc.api.proto.WorkflowState s) {
    return switch (s) {
      case WORKFLOW_STATE_RUNNING -> WorkflowState.RUNNING;
      case WORKFLOW_STATE_COMPLETED -> WorkflowState.COMPLETED;
      case WORKFLOW_STATE_FAILED -> WorkflowState.FAILED;
      case WORKFLOW_STATE_TERMINATED -> WorkflowState.TERMINATED;
      default -> null;
    };
  }

  static WorkflowInfo toProto(WorkflowStatus s) {
    WorkflowInfo.Builder b = WorkflowInfo.newBuilder()
        .setWorkflowId(s.workflowId())
        .setExecutionClusterId(s.executionClusterId())
        .setWorkflowType(nonNull(s.workflowType()))
        .setVersion(s.version())
        .setState(toProto(s.state()))
        .setOwnerNode(s.ownerNode())
        .setCheckpointCount(s.checkpointCount())
        .setInputJson(nonNull(s.inputJson()))
        .setResultJson(nonNull(s.resultJson()))
        .setErrorType(nonNull(s.errorType()))
        .setErrorMessage(nonNull(s.errorMessage()));
    if (s.startedAt() != null) {
      b.setStartedAtMillis(s.startedAt().toEpochMilli());
    }
    if (s.endedAt() != null) {
      b.setEndedAtMillis(s.endedAt().toEpochMilli());
    }
    return b.build();
  }

  static WorkflowStatus fromProto(WorkflowInfo i) {
    WorkflowState state = fromProto(i.getState());
    if (state == null) {
      throw new IllegalArgumentException("workflow " + i.getWorkflowId() + " has no known state: " + i.getState());
    }
    return new WorkflowStatus(i.getWorkflowId(), i.getExecutionClusterId(), i.getWorkflowType(), i.getVersion(),
        state, i.getOwnerNode(), i.getStartedAtMillis() == 0 ? null : Instant.ofEpochMilli(i.getStartedAtMillis()),
        i.getEndedAtMillis() == 0 ? null : Instant.ofEpochMilli(i.getEndedAtMillis()), i.getCheckpointCount(),
        nullIfEmpty(i.getInputJson()), nullIfEmpty(i.getResultJson()), nullIfEmpty(i.getErrorType()),
        nullIfEmpty(i.getErrorMessage()));
  }

  /** The quickstart's wait answer: success, result_json, error (plus the state and ids). */
  static RunWorkflowResponse outcome(WorkflowStatus s) {
    boolean completed = s.state() == WorkflowState.COMPLETED;
    return RunWorkflowResponse.newBuilder()
        .setSuccess(completed)
        .setResultJson(completed ? nonNull(s.resultJson()) : "")
        .setError(completed ? "" : errorText(s))
        .setWorkflowId(s.workflowId())
        .setExecutionClusterId(s.executionClusterId())
        .setState(toProto(s.state()))
        .setErrorType(nonNull(s.errorType()))
        .build();
  }

  private static String errorText(WorkflowStatus s) {
    if (s.state() == WorkflowState.TERMINATED) {
      return "workflow terminated" + (s.errorMessage() == null ? "" : ": " + s.errorMessage());
    }
    if (s.state() == WorkflowState.RUNNING) {
      return "workflow still running";
    }
    return s.errorMessage() == null ? nonNull(s.errorType()) : s.errorMessage();
  }

  static String nonNull(String s) {
    return s == null ? "" : s;
  }

  static String nullIfEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
