package io.raftoral.grpc.api;

import io.raftoral.async.Bridge;
import io.raftoral.grpc.api.proto.QueryWorkflowRequest;
import io.raftoral.grpc.api.proto.QueryWorkflowResponse;
import io.raftoral.grpc.api.proto.SignalWorkflowRequest;
import io.raftoral.grpc.api.proto.SignalWorkflowResponse;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.JsonInputs;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowIds;
import io.vertx.core.Future;

/**
 * The SignalWorkflow and QueryWorkflow calls of {@link WorkflowGrpcApi}: INVALID_ARGUMENT for missing fields or a
 * payload that is not JSON, NOT_FOUND for an unknown workflow or query name, FAILED_PRECONDITION for a signal to a
 * workflow that has ended.
 */
final class GrpcSignalQuery {

  private final JsonWorkflowClient workflows;

  GrpcSignalQuery(JsonWorkflowClient workflows) {
    this.workflows = workflows;
  }

  Future<SignalWorkflowResponse> signalWorkflow(SignalWorkflowRequest r) {
    String id = requiredWorkflowId(r.getWorkflowId());
    String name = requiredName(r.getSignal(), "signal", "approve");
    String payload = JsonInputs.check("input_json", r.getInputJson().isEmpty() ? "null" : r.getInputJson());
    String signalId = r.getSignalId().isEmpty() ? null : r.getSignalId();
    return Bridge.future(workflows.signal(id, clusterHint(r.getExecutionClusterId()), name, payload, signalId))
        .map(s -> SignalWorkflowResponse.newBuilder().setSuccess(true).setWorkflowId(s.workflowId())
            .setExecutionClusterId(s.executionClusterId()).setWorkflow(WorkflowProto.toProto(s)).build());
  }

  Future<QueryWorkflowResponse> queryWorkflow(QueryWorkflowRequest r) {
    String id = requiredWorkflowId(r.getWorkflowId());
    String name = requiredName(r.getQuery(), "query", "state");
    return Bridge.future(workflows.query(id, clusterHint(r.getExecutionClusterId()), name))
        .map(answer -> QueryWorkflowResponse.newBuilder().setSuccess(true).setResultJson(answer)
            .setWorkflowId(id).build());
  }

  private static Long clusterHint(long id) {
    return id == 0 ? null : id;
  }

  private static String requiredWorkflowId(String id) {
    if (id.isEmpty()) {
      throw ClientError.invalid("missing workflow_id").exception();
    }
    return WorkflowIds.check("workflow_id", id);
  }

  private static String requiredName(String name, String field, String example) {
    if (name.isBlank()) {
      throw ClientError.invalid("missing " + field + " (e.g. \"" + example + "\")").exception();
    }
    return name;
  }
}
