package io.raftoral.workflow.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.workflow.WorkflowFailedException;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowTerminatedException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * A {@link WorkflowRun} read from the statuses of a {@link Source} (one execution cluster's runtime, or a node's
 * routing client): the ended status's JSON result is read as the output type, a failure or termination becomes
 * the matching exception.
 *
 * @param <O> the output type
 */
public final class StatusWorkflowRun<O> implements WorkflowRun<O> {

  /** Where the run's statuses come from. */
  public interface Source {

    /** The status once workflow {@code workflowId} has ended, waiting without a limit. */
    Uni<WorkflowStatus> result(String workflowId);

    /** The status once the workflow has ended, failing with a wait timeout after {@code timeout}. */
    Uni<WorkflowStatus> result(String workflowId, Duration timeout);

    /** The current status. */
    Uni<WorkflowStatus> status(String workflowId);
  }

  private final String id;
  private final long clusterId;
  private final JavaType outputType;
  private final Source source;

  public StatusWorkflowRun(String id, long clusterId, JavaType outputType, Source source) {
    this.id = id;
    this.clusterId = clusterId;
    this.outputType = outputType;
    this.source = source;
  }

  @Override
  public String workflowId() {
    return id;
  }

  @Override
  public long executionClusterId() {
    return clusterId;
  }

  @Override
  public Uni<O> result() {
    return source.result(id).map(this::outcome);
  }

  @Override
  public Uni<O> result(Duration timeout) {
    return source.result(id, timeout).map(this::outcome);
  }

  @Override
  public Uni<WorkflowStatus> status() {
    return source.status(id);
  }

  private O outcome(WorkflowStatus s) {
    return switch (s.state()) {
      case COMPLETED -> Payloads.decode(s.resultJson(), outputType);
      case FAILED -> throw new WorkflowFailedException(id, s.errorType(), s.errorMessage());
      case TERMINATED -> throw new WorkflowTerminatedException(id, s.errorMessage());
      case RUNNING -> throw new IllegalStateException("workflow " + id + " is still running");
    };
  }

  @Override
  public String toString() {
    return "WorkflowRun[" + id + " in cluster " + clusterId + "]";
  }
}
