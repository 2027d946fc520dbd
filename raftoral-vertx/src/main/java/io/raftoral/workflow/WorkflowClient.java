package io.raftoral.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import io.raftoral.workflow.impl.TypedWorkflowClient;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;

/**
 * The typed workflow client of an application that embeds a node ({@code RaftoralNode.workflows()}): inputs are
 * Java objects, results are read as the type the caller names. Each call is routed from whichever node it is made on
 * to the execution cluster that holds (or will hold) the workflow, like {@link JsonWorkflowClient} (on which it is
 * built: inputs are written as JSON, results read back from JSON).
 *
 * <pre>{@code
 * node.workflows().start("greet", 1, "Ada", String.class)
 *     .flatMap(run -> run.result())
 *     .subscribe().with(System.out::println);
 * }</pre>
 *
 * <p>Every operation returns a lazy {@link Uni}: nothing happens until subscription. Items are emitted on the thread
 * that completes the routed call (an event-loop thread of the node's Vert.x instance).
 */
public interface WorkflowClient {

  /** The typed client over {@code json} (e.g. a node's routing client, or {@link JsonWorkflowClient#of}). */
  static WorkflowClient over(JsonWorkflowClient json) {
    return new TypedWorkflowClient(json);
  }

  /**
   * Starts workflow (name, version) with {@code input}; emits a handle once the start is committed. Fails with
   * {@link WorkflowNotRegisteredException}, {@link IllegalArgumentException} (the input cannot be written as JSON or
   * does not fit the registered input type), {@link WorkflowIdConflictException}.
   */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, Class<O> outputType);

  /** {@link #start(String, int, Object, Class)} for a generic output type. */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, TypeReference<O> outputType);

  /** {@link #start(String, int, Object, Class)} with options, e.g. a workflow id making the start idempotent. */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, Class<O> outputType, StartOptions options);

  /** {@link #start(String, int, Object, Class, StartOptions)} for a generic output type. */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, TypeReference<O> outputType,
      StartOptions options);

  /**
   * A handle on existing workflow {@code workflowId} whose output is read as {@code outputType}. Made from the id
   * alone, it does not know the workflow's execution cluster: its {@link WorkflowRun#executionClusterId()} is 0 and
   * each of its calls locates the workflow.
   */
  <O> WorkflowRun<O> run(String workflowId, Class<O> outputType);

  /** {@link #run(String, Class)} for a generic output type. */
  <O> WorkflowRun<O> run(String workflowId, TypeReference<O> outputType);

  /**
   * The output of workflow {@code workflowId} once it completes (shortcut for {@code run(id, type).result()}).
   * Fails with {@link WorkflowFailedException}, {@link WorkflowTerminatedException} or
   * {@link WorkflowNotFoundException}.
   */
  <O> Uni<O> result(String workflowId, Class<O> outputType);

  /** Like {@link #result(String, Class)}, failing with {@link WorkflowWaitTimeoutException} after {@code timeout}. */
  <O> Uni<O> result(String workflowId, Class<O> outputType, Duration timeout);

  /** The current status; {@link WorkflowNotFoundException} for an unknown id. */
  Uni<WorkflowStatus> status(String workflowId);

  /** The workflows passing {@code filter}, across every execution cluster, in start order. */
  Uni<List<WorkflowStatus>> list(WorkflowFilter filter);

  /**
   * Terminates a running workflow (its result then fails with {@link WorkflowTerminatedException}); emits its status
   * (unchanged if it had ended). {@link WorkflowNotFoundException} for an unknown id.
   */
  Uni<WorkflowStatus> terminate(String workflowId, String reason);

  /**
   * Sends signal {@code name} with {@code payload} (written as JSON) to running workflow {@code workflowId}; emits
   * once the signal is committed (kept until the workflow's {@link WorkflowContext#awaitSignal} consumes it). Fails
   * with {@link WorkflowNotFoundException}, {@link WorkflowNotRunningException}, {@link IllegalArgumentException}.
   */
  Uni<Void> signal(String workflowId, String name, Object payload);

  /**
   * The answer of query {@code name} of workflow {@code workflowId} read as {@code type}, from a linearizable read
   * on a member of its execution cluster. Fails with {@link WorkflowNotFoundException},
   * {@link QueryNotFoundException}.
   */
  <T> Uni<T> query(String workflowId, String name, Class<T> type);

  /**
   * One page of the checkpoint history of workflow {@code workflowId}, running or ended and still retained (see
   * {@link WorkflowRuntime#history}): up to {@code pageSize} checkpoints (1 to 1,000) from {@code pageToken} (null
   * for the first page); the page's {@link HistoryPage#nextPageToken()} is null after the last. Read on a member of
   * its execution cluster. Fails with {@link WorkflowNotFoundException}, or {@link IllegalArgumentException} for a
   * bad page size or token.
   */
  Uni<HistoryPage> history(String workflowId, int pageSize, String pageToken);
}
