package io.raftoral.workflow;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.host.RaftHost;
import io.raftoral.workflow.impl.WorkflowRuntimeImpl;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Durable workflows on one execution cluster (a Raft group of a few nodes). Every member runs every workflow; the
 * owner produces the checkpoint journal, the others follow it, and the cluster's leader gives an owner's workflows
 * to another member when the owner leaves or stops answering.
 *
 * <pre>{@code
 * WorkflowRuntime.builder(host, 1).members(1, 2, 3).start()
 *     .invoke(rt -> rt.register("fib", 1, Integer.class, Long.class, (n, ctx) -> fib(ctx, n)))
 *     .flatMap(rt -> rt.<Long>start("fib", 1, 10))
 *     .flatMap(run -> run.result())
 *     .subscribe().with(System.out::println);
 * }</pre>
 *
 * <p>Every operation returns a lazy {@link Uni}: nothing happens until subscription. Callbacks run on the execution
 * cluster's event-loop context.
 */
public interface WorkflowRuntime {

  /** Event names published at {@link #eventAddress()}: a JSON object with {@code event}, {@code workflowId}, .... */
  String EVENT_STARTED = "started";
  String EVENT_CHECKPOINT = "checkpoint";
  String EVENT_COMPLETED = "completed";
  String EVENT_FAILED = "failed";
  String EVENT_TERMINATED = "terminated";
  String EVENT_OWNER_CHANGED = "owner_changed";
  /** This member's execution of a workflow failed locally (e.g. non-determinism); the workflow goes on. */
  String EVENT_REPLICA_FAILED = "replica_failed";
  /** A signal was committed to a workflow's inbox (fields {@code signal}, {@code seq}). */
  String EVENT_SIGNALLED = "signalled";

  /** Starts building the runtime of execution cluster {@code clusterId} on {@code host}. */
  static Builder builder(RaftHost host, long clusterId) {
    return new Builder(host, clusterId);
  }

  long clusterId();

  long nodeId();

  /** The execution cluster's Raft group. */
  RaftGroup<?, ?> group();

  WorkflowRegistry registry();

  /** Shortcut for {@code registry().register(...)}. */
  default <I, O> WorkflowRuntime register(String name, int version, Class<I> inputType, Class<O> outputType,
      WorkflowFunction<I, O> function) {
    registry().register(name, version, inputType, outputType, function);
    return this;
  }

  /**
   * Starts workflow (name, version) with {@code input}; emits once the start is committed (the workflow may
   * already have progressed). Fails with {@link WorkflowNotRegisteredException} when this node has no such
   * registration, {@link IllegalArgumentException} when the input cannot be written as JSON.
   */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input);

  /** {@link #start(String, int, Object)} with options, e.g. a workflow id making the start idempotent. */
  <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, StartOptions options);

  /**
   * Starts a workflow whose input is given as JSON text (for the network APIs); the JSON is checked against the
   * registered input type ({@link IllegalArgumentException} when it does not fit). Emits the status at start.
   */
  Uni<WorkflowStatus> startJson(String name, int version, String inputJson, StartOptions options);

  /** A handle on existing workflow {@code workflowId} whose output is read as {@code outputType}. */
  <O> WorkflowRun<O> run(String workflowId, Class<O> outputType);

  /**
   * The status of workflow {@code workflowId} once it has ended (at once if it has). Fails with
   * {@link WorkflowNotFoundException} for an unknown id.
   */
  Uni<WorkflowStatus> result(String workflowId);

  /** Like {@link #result(String)}, failing with {@link WorkflowWaitTimeoutException} after {@code timeout}. */
  Uni<WorkflowStatus> result(String workflowId, Duration timeout);

  /** The current status (linearizable); {@link WorkflowNotFoundException} for an unknown id. */
  Uni<WorkflowStatus> status(String workflowId);

  /** The workflows passing {@code filter}, in start order (linearizable). */
  Uni<List<WorkflowStatus>> list(WorkflowFilter filter);

  /**
   * Terminates a running workflow: its executions are cancelled and waits fail with
   * {@link WorkflowTerminatedException}. Emits the status after the call (unchanged if it had ended already).
   */
  Uni<WorkflowStatus> terminate(String workflowId, String reason);

  /**
   * Sends signal {@code name} with payload {@code payloadJson} (JSON text) to running workflow {@code workflowId}:
   * emits its status once the signal is committed to the workflow's inbox (through this execution cluster's log,
   * so it is kept until {@link WorkflowContext#awaitSignal} consumes it). Fails with
   * {@link WorkflowNotFoundException}, {@link WorkflowNotRunningException} (it has ended), or
   * {@link IllegalArgumentException} (a blank name, a payload that is not JSON).
   */
  default Uni<WorkflowStatus> signal(String workflowId, String name, String payloadJson) {
    return signal(workflowId, name, payloadJson, null);
  }

  /**
   * {@link #signal(String, String, String)} made idempotent by {@code signalId} (null: none): a second signal with an
   * id this workflow has already been sent is accepted without being added again, so a send retried after an
   * unknown outcome (a timeout, a leader change) is delivered once. The workflow remembers the last
   * {@value io.raftoral.workflow.impl.SignalInbox#REMEMBERED_SIGNAL_IDS} ids it was sent.
   */
  Uni<WorkflowStatus> signal(String workflowId, String name, String payloadJson, String signalId);

  /**
   * The answer (JSON text) of query handler {@code name} of workflow {@code workflowId} (see
   * {@link WorkflowContext#registerQuery}), evaluated on this member's replica after a linearizable read, without
   * adding to the journal; an ended workflow answers from its handlers' last values. Fails with
   * {@link WorkflowNotFoundException} or {@link QueryNotFoundException}.
   */
  Uni<String> query(String workflowId, String name);

  /**
   * One page of the checkpoint history of workflow {@code workflowId}, running or ended and still retained (see
   * {@link WorkflowRuntimeOptions}), read on this member's replica after a linearizable read.
   *
   * @param pageSize at most this many checkpoints (1 to {@link HistoryPage#MAX_PAGE_SIZE})
   * @param pageToken null for the first page, else the previous page's {@link HistoryPage#nextPageToken()}
   * @return fails with {@link WorkflowNotFoundException} for an unknown (or pruned) workflow and with an
   *     {@link IllegalArgumentException} for a bad page size or token
   */
  Uni<HistoryPage> history(String workflowId, int pageSize, String pageToken);

  /** The event-bus address where this node publishes the cluster's workflow events (local consumers). */
  String eventAddress();

  /**
   * Stops the runtime on subscription: local executions are cancelled and waiting callers fail; the group keeps
   * running. Emits on the execution cluster's context.
   */
  Uni<Void> close();

  /** Event-bus address of the workflow events of {@code clusterId} on node {@code nodeId}. */
  static String eventAddress(long nodeId, long clusterId) {
    return "raftoral.workflow." + nodeId + "." + clusterId;
  }

  /** Builds and starts a runtime with its Raft group. */
  final class Builder {
    private final RaftHost host;
    private final long clusterId;
    private WorkflowRegistry registry = WorkflowRegistry.create();
    private WorkflowRuntimeOptions options = new WorkflowRuntimeOptions();
    private RaftGroupOptions groupOptions = new RaftGroupOptions();
    private long[] members;

    private Builder(RaftHost host, long clusterId) {
      this.host = Objects.requireNonNull(host, "host");
      this.clusterId = clusterId;
    }

    /** The definitions to run (shared by the node's execution clusters); a fresh registry by default. */
    public Builder registry(WorkflowRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    public Builder options(WorkflowRuntimeOptions options) {
      this.options = new WorkflowRuntimeOptions(Objects.requireNonNull(options, "options"));
      return this;
    }

    public Builder groupOptions(RaftGroupOptions groupOptions) {
      this.groupOptions = new RaftGroupOptions(Objects.requireNonNull(groupOptions, "groupOptions"));
      return this;
    }

    /** Founds the execution cluster with these voters (see {@link RaftHost.GroupBuilder#members}); else joins. */
    public Builder members(long... voters) {
      this.members = voters.clone();
      return this;
    }

    /**
     * Starts the group (restarting from stored state when there is some) and the runtime on it, on subscription.
     * Emits on the execution cluster's context.
     */
    public Uni<WorkflowRuntime> start() {
      return Bridge.uni(() -> WorkflowRuntimeImpl.start(host, clusterId, registry, options, groupOptions, members));
    }
  }
}
