package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@link WorkflowClient} over a {@link JsonWorkflowClient}: inputs are written with {@link Payloads}, results
 * read back as the caller's type by {@link StatusWorkflowRun}. Routing, retries and errors are the JSON client's.
 */
public final class TypedWorkflowClient implements WorkflowClient {

  /**
   * The longest single wait for a result: a longer (or unlimited) wait is a series of these, so that no routed
   * request stays open longer than the node-to-node request channels allow (their idle timeouts are tens of seconds).
   */
  static final Duration RESULT_WAIT_SLICE = Duration.ofSeconds(10);

  private final JsonWorkflowClient json;

  public TypedWorkflowClient(JsonWorkflowClient json) {
    this.json = Objects.requireNonNull(json, "json");
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, Class<O> outputType) {
    return start(name, version, input, outputType, new StartOptions());
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, TypeReference<O> outputType) {
    return start(name, version, input, outputType, new StartOptions());
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, Class<O> outputType,
      StartOptions options) {
    return start(name, version, input, Payloads.type(Objects.requireNonNull(outputType, "outputType")), options);
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, TypeReference<O> outputType,
      StartOptions options) {
    return start(name, version, input, Payloads.type(Objects.requireNonNull(outputType, "outputType")), options);
  }

  private <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, JavaType outputType,
      StartOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    return Uni.createFrom().deferred(() -> json.start(name, version, Payloads.encode(input), options))
        .map(status -> run(status.workflowId(), status.executionClusterId(), outputType));
  }

  @Override
  public <O> WorkflowRun<O> run(String workflowId, Class<O> outputType) {
    return run(Objects.requireNonNull(workflowId, "workflowId"), null,
        Payloads.type(Objects.requireNonNull(outputType, "outputType")));
  }

  @Override
  public <O> WorkflowRun<O> run(String workflowId, TypeReference<O> outputType) {
    return run(Objects.requireNonNull(workflowId, "workflowId"), null,
        Payloads.type(Objects.requireNonNull(outputType, "outputType")));
  }

  /** A run of a workflow in {@code clusterId} (null: not known yet; each call finds it). */
  private <O> WorkflowRun<O> run(String workflowId, Long clusterId, JavaType outputType) {
    // A handle made by id alone reports cluster 0 until a status tells where the workflow is; its calls locate it.
    long reported = clusterId == null ? 0 : clusterId;
    return new StatusWorkflowRun<>(workflowId, reported, outputType, new RoutedStatuses(clusterId));
  }

  @Override
  public <O> Uni<O> result(String workflowId, Class<O> outputType) {
    return run(workflowId, outputType).result();
  }

  @Override
  public <O> Uni<O> result(String workflowId, Class<O> outputType, Duration timeout) {
    return run(workflowId, outputType).result(timeout);
  }

  @Override
  public Uni<WorkflowStatus> status(String workflowId) {
    return json.status(Objects.requireNonNull(workflowId, "workflowId"), null);
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    return json.list(filter);
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, String reason) {
    return json.terminate(Objects.requireNonNull(workflowId, "workflowId"), null, reason);
  }

  @Override
  public Uni<HistoryPage> history(String workflowId, int pageSize, String pageToken) {
    return json.history(Objects.requireNonNull(workflowId, "workflowId"), null, pageSize, pageToken);
  }

  /** The statuses of one run, read through the JSON client with the run's execution cluster as the hint. */
  private final class RoutedStatuses implements StatusWorkflowRun.Source {
    private final Long clusterHint;

    RoutedStatuses(Long clusterHint) {
      this.clusterHint = clusterHint;
    }

    @Override
    public Uni<WorkflowStatus> result(String workflowId) {
      return awaitEnd(workflowId, null);
    }

    @Override
    public Uni<WorkflowStatus> result(String workflowId, Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      return awaitEnd(workflowId, timeout);
    }

    @Override
    public Uni<WorkflowStatus> status(String workflowId) {
      return json.status(workflowId, clusterHint);
    }

    /**
     * Waits in slices of at most {@link #RESULT_WAIT_SLICE} until the workflow ends or {@code timeout} (null: no
     * limit) has passed since subscription.
     */
    private Uni<WorkflowStatus> awaitEnd(String workflowId, Duration timeout) {
      return Uni.createFrom().deferred(() -> {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        return Uni.createFrom().deferred(() -> json.await(workflowId, clusterHint, slice(deadline, timeout)))
            .onFailure(e -> e instanceof WorkflowWaitTimeoutException && !expired(deadline, timeout))
            .retry().indefinitely()
            .onFailure(WorkflowWaitTimeoutException.class)
            .transform(e -> new WorkflowWaitTimeoutException(workflowId, timeout));
      });
    }

    private Duration slice(long deadline, Duration timeout) {
      if (timeout == null) {
        return RESULT_WAIT_SLICE;
      }
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      return left.compareTo(RESULT_WAIT_SLICE) < 0 ? left : RESULT_WAIT_SLICE;
    }

    private boolean expired(long deadline, Duration timeout) {
      return timeout != null && System.nanoTime() - deadline >= 0;
    }
  }

  @Override
  public Uni<Void> signal(String workflowId, String name, Object payload) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Uni.createFrom().deferred(() -> json.signal(workflowId, null, name, Payloads.encode(payload)))
        .replaceWithVoid();
  }

  @Override
  public <T> Uni<T> query(String workflowId, String name, Class<T> type) {
    Objects.requireNonNull(workflowId, "workflowId");
    JavaType answerType = Payloads.type(Objects.requireNonNull(type, "type"));
    return json.query(workflowId, null, name).map(answer -> Payloads.<T>decode(answer, answerType));
  }
}
