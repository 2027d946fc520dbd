package io.raftoral.workflow;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The client-facing workflow operations of a node, with inputs and results as JSON text: what the HTTP and gRPC
 * APIs serve (and their network clients implement). A node's implementation ({@code RaftoralNode.jsonWorkflows()})
 * routes each call to the execution cluster that holds (or will hold) the workflow; {@link #of(WorkflowRuntime)}
 * serves one execution cluster. Java code embedding a node uses the typed {@link WorkflowClient} instead
 * ({@code RaftoralNode.workflows()}), which is built on this one.
 *
 * <p>{@code executionClusterId} arguments are hints: null (or unknown) means "find it".
 */
public interface JsonWorkflowClient {

  /**
   * Starts workflow (name, version) with input {@code inputJson}; emits its status once the start is committed.
   * Fails with {@link WorkflowNotRegisteredException}, {@link IllegalArgumentException} (input does not fit the
   * registered type), {@link WorkflowIdConflictException}.
   */
  Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options);

  /**
   * The status once the workflow has ended; {@link WorkflowWaitTimeoutException} after {@code timeout},
   * {@link WorkflowNotFoundException} for an unknown id.
   */
  Uni<WorkflowStatus> await(String workflowId, Long executionClusterId, Duration timeout);

  /** The current status; {@link WorkflowNotFoundException} for an unknown id. */
  Uni<WorkflowStatus> status(String workflowId, Long executionClusterId);

  /** The workflows passing {@code filter}, across every execution cluster. */
  Uni<List<WorkflowStatus>> list(WorkflowFilter filter);

  /** Terminates a running workflow; emits its status (unchanged if it had ended). */
  Uni<WorkflowStatus> terminate(String workflowId, Long executionClusterId, String reason);

  /**
   * Sends signal {@code name} with payload {@code payloadJson} (JSON text) to running workflow {@code workflowId};
   * emits its status once the signal is committed. Fails with {@link WorkflowNotFoundException},
   * {@link WorkflowNotRunningException}, {@link IllegalArgumentException}.
   */
  default Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson) {
    return signal(workflowId, executionClusterId, name, payloadJson, null);
  }

  /**
   * {@link #signal(String, Long, String, String)} made idempotent by {@code signalId} (see
   * {@link WorkflowRuntime#signal(String, String, String, String)}); with null, a router or network client assigns
   * one before its first attempt, so its own retries never deliver a signal twice.
   */
  Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson,
      String signalId);

  /**
   * The answer (JSON text) of query {@code name} of workflow {@code workflowId}, from a linearizable read on a
   * member of its execution cluster. Fails with {@link WorkflowNotFoundException}, {@link QueryNotFoundException}.
   */
  Uni<String> query(String workflowId, Long executionClusterId, String name);

  /**
   * One page of the checkpoint history of workflow {@code workflowId} (see {@link WorkflowRuntime#history}), read on
   * a member of its execution cluster. Fails with {@link WorkflowNotFoundException}, or an
   * {@link IllegalArgumentException} for a bad page size or token.
   */
  default Uni<HistoryPage> history(String workflowId, Long executionClusterId, int pageSize, String pageToken) {
    return Uni.createFrom().failure(new UnsupportedOperationException(getClass().getSimpleName()
        + " does not serve histories"));
  }

  /** A client of one execution cluster's runtime (cluster hints other than its own find nothing). */
  static JsonWorkflowClient of(WorkflowRuntime runtime) {
    Objects.requireNonNull(runtime, "runtime");
    return new JsonWorkflowClient() {
      private <T> Uni<T> checked(Long clusterId, String workflowId, Uni<T> call) {
        if (clusterId != null && clusterId != runtime.clusterId()) {
          return Uni.createFrom().failure(new WorkflowNotFoundException(workflowId));
        }
        return call;
      }

      @Override
      public Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options) {
        return runtime.startJson(name, version, inputJson, options);
      }

      @Override
      public Uni<WorkflowStatus> await(String workflowId, Long executionClusterId, Duration timeout) {
        return checked(executionClusterId, workflowId, runtime.result(workflowId, timeout));
      }

      @Override
      public Uni<WorkflowStatus> status(String workflowId, Long executionClusterId) {
        return checked(executionClusterId, workflowId, runtime.status(workflowId));
      }

      @Override
      public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
        return runtime.list(filter);
      }

      @Override
      public Uni<WorkflowStatus> terminate(String workflowId, Long executionClusterId, String reason) {
        return checked(executionClusterId, workflowId, runtime.terminate(workflowId, reason));
      }

      @Override
      public Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson,
          String signalId) {
        return checked(executionClusterId, workflowId, runtime.signal(workflowId, name, payloadJson, signalId));
      }

      @Override
      public Uni<String> query(String workflowId, Long executionClusterId, String name) {
        return checked(executionClusterId, workflowId, runtime.query(workflowId, name));
      }

      @Override
      public Uni<HistoryPage> history(String workflowId, Long executionClusterId, int pageSize, String pageToken) {
        return checked(executionClusterId, workflowId, runtime.history(workflowId, pageSize, pageToken));
      }
    };
  }
}
