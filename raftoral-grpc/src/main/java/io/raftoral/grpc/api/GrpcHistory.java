package io.raftoral.grpc.api;

import io.raftoral.async.Bridge;
import io.raftoral.grpc.api.proto.Checkpoint;
import io.raftoral.grpc.api.proto.GetWorkflowHistoryRequest;
import io.raftoral.grpc.api.proto.GetWorkflowHistoryResponse;
import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowIds;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The GetWorkflowHistory call of {@link WorkflowGrpcApi}, and the conversions of a {@link HistoryPage} to and from its
 * messages (the latter for {@link GrpcWorkflowClient}): INVALID_ARGUMENT for a missing workflow id, a page size above
 * {@value HistoryPage#MAX_PAGE_SIZE} or a token the history did not issue, NOT_FOUND for an unknown workflow (or one
 * whose history is no longer kept). An unset (0) page size is the default, {@value HistoryPage#DEFAULT_PAGE_SIZE}.
 */
final class GrpcHistory {

  private final JsonWorkflowClient workflows;

  GrpcHistory(JsonWorkflowClient workflows) {
    this.workflows = workflows;
  }

  Future<GetWorkflowHistoryResponse> getWorkflowHistory(GetWorkflowHistoryRequest r) {
    if (r.getWorkflowId().isEmpty()) {
      throw ClientError.invalid("missing workflow_id").exception();
    }
    String id = WorkflowIds.check("workflow_id", r.getWorkflowId());
    int pageSize = pageSize(r.getPageSize());
    String token = r.getPageToken().isEmpty() ? null : r.getPageToken();
    Long cluster = r.getExecutionClusterId() == 0 ? null : r.getExecutionClusterId();
    return Bridge.future(workflows.history(id, cluster, pageSize, token)).map(GrpcHistory::toProto);
  }

  private static int pageSize(int unsigned) {
    if (unsigned == 0) {
      return HistoryPage.DEFAULT_PAGE_SIZE;
    }
    // uint32 arrives as a signed int: a negative value is a huge unsigned one
    if (unsigned < 0 || unsigned > HistoryPage.MAX_PAGE_SIZE) {
      throw ClientError.invalid("page_size must be between 0 (the default) and " + HistoryPage.MAX_PAGE_SIZE
          + ", was " + Integer.toUnsignedString(unsigned)).exception();
    }
    return unsigned;
  }

  static GetWorkflowHistoryResponse toProto(HistoryPage page) {
    GetWorkflowHistoryResponse.Builder b = GetWorkflowHistoryResponse.newBuilder()
        .setWorkflowId(page.workflowId())
        .setNextPageToken(page.nextPageToken() == null ? "" : page.nextPageToken());
    for (CheckpointRecord c : page.checkpoints()) {
      b.addCheckpoints(Checkpoint.newBuilder()
          .setPosition(c.position())
          .setKey(c.key())
          .setValueJson(c.valueJson() == null ? "" : c.valueJson())
          .setErrorType(c.errorType() == null ? "" : c.errorType())
          .setErrorMessage(c.errorMessage() == null ? "" : c.errorMessage())
          .setAtMillis(c.at() == null ? 0 : c.at().toEpochMilli())
          .setOwnerNode(c.ownerNode()));
    }
    return b.build();
  }

  static HistoryPage fromProto(GetWorkflowHistoryResponse r) {
    List<CheckpointRecord> checkpoints = new ArrayList<>(r.getCheckpointsCount());
    for (Checkpoint c : r.getCheckpointsList()) {
      boolean failed = !c.getErrorType().isEmpty();
      checkpoints.add(new CheckpointRecord(c.getPosition(), c.getKey(), failed ? null : c.getValueJson(),
          failed ? c.getErrorType() : null, failed ? c.getErrorMessage() : null,
          c.getAtMillis() == 0 ? null : Instant.ofEpochMilli(c.getAtMillis()), c.getOwnerNode()));
    }
    return new HistoryPage(r.getWorkflowId(), checkpoints,
        r.getNextPageToken().isEmpty() ? null : r.getNextPageToken());
  }
}
