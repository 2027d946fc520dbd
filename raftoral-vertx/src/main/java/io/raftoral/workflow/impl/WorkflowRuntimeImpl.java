package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.host.RaftHost;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow runtime of one execution cluster on one node: the replicated {@link WorkflowStateMachine}, this
 * member's {@link Execution}s, and the client operations. Its helpers each have one job: {@link ResultWaiters}
 * (callers awaiting an end), {@link OwnerFailover} and {@link Retention} (the leader's duties, run by a periodic
 * timer), {@link TimerQueue} (the durable timers this member fires) and {@link WorkflowEvents}. Everything runs
 * on the group's event-loop context.
 */
public final class WorkflowRuntimeImpl
    implements WorkflowRuntime, StatusWorkflowRun.Source {

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowRuntimeImpl.class);
  /** Bounds of the leader-duty period, a quarter of the owner timeout: often enough to notice, never busy. */
  private static final long MIN_DUTY_PERIOD_MILLIS = 10;
  private static final long MAX_DUTY_PERIOD_MILLIS = 1_000;
  private static final int DUTY_PERIODS_PER_OWNER_TIMEOUT = 4;

  private final long nodeId;
  private final long clusterId;
  private final WorkflowRegistry registry;
  private final WorkflowRuntimeOptions options;
  private final RaftoralTracing tracing;
  private final WorkflowStateMachine stateMachine;
  private final String eventAddress;
  private final AppliedChanges changes = new AppliedChanges(this);
  private final LocalExecutions executions = new LocalExecutions(this);
  private final SignalsAndQueries signalsAndQueries = new SignalsAndQueries(this);
  private RaftGroup<WorkflowCommand, CommandOutcome> group;
  private Context context;
  private Vertx vertx;
  private boolean closed;
  private ResultWaiters waiters;
  private OwnerFailover failover;
  private RegistrationAnnouncer announcer;
  private Retention retention;
  private WorkflowEvents events;
  private TimerQueue timers;
  private CatchUpBarrier catchUp;
  private WorkflowMeters meters = WorkflowMeters.NONE;
  private long dutyTimer = -1;

  private WorkflowRuntimeImpl(long nodeId, long clusterId, WorkflowRegistry registry, WorkflowRuntimeOptions options,
      WorkflowStateMachine stateMachine) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.registry = registry;
    this.options = options;
    this.tracing = RaftoralTracing.of(options.getOpenTelemetry());
    this.stateMachine = stateMachine;
    this.eventAddress = WorkflowRuntime.eventAddress(nodeId, clusterId);
  }

  /** Starts the execution cluster's group on {@code host} and the runtime on it. */
  public static Future<WorkflowRuntime> start(RaftHost host, long clusterId, WorkflowRegistry registry,
      WorkflowRuntimeOptions options, RaftGroupOptions groupOptions, long[] members) {
    Objects.requireNonNull(host, "host");
    WorkflowStateMachine sm = new WorkflowStateMachine(clusterId, host.checkpoints());
    WorkflowRuntimeImpl rt = new WorkflowRuntimeImpl(host.nodeId(), clusterId, registry, options, sm);
    rt.meters = WorkflowMeters.of(host.meterRegistry(), host.nodeId(), clusterId);
    sm.listener(rt.changes);
    RaftHost.GroupBuilder<WorkflowCommand, CommandOutcome> b =
        host.group(clusterId, sm, WorkflowStateMachine.CODEC).options(groupOptions);
    if (members != null) {
      b.members(members);
    }
    return b.start().compose(group -> {
      Promise<WorkflowRuntime> attached = Promise.promise();
      group.context().runOnContext(v -> {
        rt.attach(group);
        attached.complete(rt);
      });
      return attached.future();
    });
  }

  private void attach(RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.group = group;
    this.context = group.context();
    this.vertx = context.owner();
    this.waiters = new ResultWaiters(vertx, clusterId);
    this.failover = new OwnerFailover(nodeId, clusterId, options.getOwnerTimeoutMillis(), stateMachine, group);
    this.announcer = new RegistrationAnnouncer(nodeId, registry, stateMachine, group);
    this.retention = new Retention(options, stateMachine, group);
    this.events = new WorkflowEvents(vertx, nodeId, clusterId, options.isPublishEvents());
    this.timers = new TimerQueue(context);
    this.catchUp = new CatchUpBarrier(group, context);
    // Executions are built from the state as it is now; notifications of the replay that led here are moot.
    changes.attach(context);
    meters.recount(stateMachine.all());
    executions.launchRunning(stateMachine);
    long period = Math.max(MIN_DUTY_PERIOD_MILLIS,
        Math.min(MAX_DUTY_PERIOD_MILLIS, options.getOwnerTimeoutMillis() / DUTY_PERIODS_PER_OWNER_TIMEOUT));
    dutyTimer = vertx.setPeriodic(period, id -> leaderDuties());
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Accessors for executions
  // ----------------------------------------------------------------------------------------------------------------

  @Override
  public long nodeId() {
    return nodeId;
  }

  @Override
  public long clusterId() {
    return clusterId;
  }

  @Override
  public RaftGroup<WorkflowCommand, CommandOutcome> group() {
    return group;
  }

  @Override
  public WorkflowRegistry registry() {
    return registry;
  }

  RaftoralTracing tracing() {
    return tracing;
  }

  WorkflowRuntimeOptions options() {
    return options;
  }

  WorkflowStateMachine stateMachine() {
    return stateMachine;
  }

  Context context() {
    return context;
  }

  @Override
  public String eventAddress() {
    return eventAddress;
  }

  /** Runs {@code action} on the group's context: now if already there, else on its next turn. */
  void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  LocalExecutions executions() {
    return executions;
  }

  ResultWaiters waiters() {
    return waiters;
  }

  WorkflowEvents events() {
    return events;
  }

  /** The durable timers of the workflows this member owns (armed by their executions). */
  CatchUpBarrier catchUp() {
    return catchUp;
  }

  TimerQueue timers() {
    return timers;
  }

  /** The workflow meters of this execution cluster on this node (no-ops without a registry). */
  WorkflowMeters meters() {
    return meters;
  }

  /** Durable timers waiting to fire on this member (for tests and metrics). */
  public int pendingTimerCount() {
    return timers == null ? 0 : timers.size();
  }

  /** Throws {@code x} away and runs the workflow again from the start of its journal (on the next turn). */
  void restartExecution(Execution x) {
    executions.restart(x);
  }

  /** Number of executions running on this member (for tests and metrics). */
  public int localExecutionCount() {
    return executions.size();
  }

  /** A workflow ended: the leader prunes what is no longer retained. */
  void retainEnded() {
    if (!closed) {
      retention.maybePrune();
    }
  }

  void publish(String event, String workflowId, Map<String, ?> fields) {
    if (events != null) {
      events.publish(event, workflowId, fields);
    }
  }

  /** The periodic duties of the leader (each a no-op on the other members). */
  private void leaderDuties() {
    if (closed) {
      return;
    }
    if (group.isStopped()) {
      closeNow();
      return;
    }
    announcer.tick();
    failover.tick();
    retention.maybePrune();
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Client operations
  // ----------------------------------------------------------------------------------------------------------------

  private Future<CommandOutcome> propose(WorkflowCommand command) {
    return Bridge.future(group.propose(command), context).map(c -> c.result());
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input) {
    return start(name, version, input, new StartOptions());
  }

  @Override
  public <O> Uni<WorkflowRun<O>> start(String name, int version, Object input, StartOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    return Uni.createFrom().deferred(() -> {
      WorkflowRegistry.Definition def = registry.require(name, version);
      String json = Payloads.encode(input);
      return this.<O>startEncoded(def, json, options);
    });
  }

  @Override
  public Uni<WorkflowStatus> startJson(String name, int version, String inputJson, StartOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(inputJson, "inputJson");
    Objects.requireNonNull(options, "options");
    return Uni.createFrom().deferred(() -> {
      WorkflowRegistry.Definition def = registry.require(name, version);
      // Checked here so a bad input is the caller's error, not a workflow failing on every replica; re-encoded
      // so the journaled input is canonical.
      Object input = Payloads.decode(inputJson, Payloads.type(def.inputType()));
      return startEncoded(def, Payloads.encode(input), options).flatMap(run -> status(run.workflowId()));
    });
  }

  private <O> Uni<WorkflowRun<O>> startEncoded(WorkflowRegistry.Definition def, String inputJson,
      StartOptions options) {
    String id = options.getWorkflowId() != null ? options.getWorkflowId() : UUID.randomUUID().toString();
    // The caller's trace context when start is subscribed to (a forwarded request's span): the run continues it.
    WorkflowCommand.Start cmd = new WorkflowCommand.Start(id, def.name(), def.version(), inputJson, nodeId,
        System.currentTimeMillis(), tracing.currentTraceparent());
    return Bridge.uni(() -> propose(cmd)).map(outcome -> {
      if (outcome.rejection() == Rejection.ID_CONFLICT) {
        throw new WorkflowIdConflictException(id, outcome.status().workflowType(), outcome.status().version());
      }
      return new StatusWorkflowRun<>(id, clusterId, Payloads.type(def.outputType()), startedHere);
    });
  }

  /**
   * The source of the runs this runtime started: the start's outcome came from this replica's apply, so its state
   * already holds the run and whatever later happened to the id here; its end is awaited locally, without the
   * linearizable read (a round of heartbeats to a majority) that {@link #result(String)} makes for an id it may not
   * know yet. The end cannot be missed: the check and the waiter run on the group's context, before any later apply.
   */
  private final StatusWorkflowRun.Source startedHere = new StatusWorkflowRun.Source() {
    @Override
    public Uni<WorkflowStatus> result(String workflowId) {
      return Bridge.uni(() -> awaitLocalEnd(workflowId, ResultWaiters.NO_TIMEOUT));
    }

    @Override
    public Uni<WorkflowStatus> result(String workflowId, Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      return Bridge.uni(() -> awaitLocalEnd(workflowId, timeout.toMillis()));
    }

    @Override
    public Uni<WorkflowStatus> status(String workflowId) {
      return WorkflowRuntimeImpl.this.status(workflowId);
    }
  };

  /** Like {@link #awaitEnd}, reading this replica's state (see {@link #startedHere}). */
  private Future<WorkflowStatus> awaitLocalEnd(String id, long timeoutMillis) {
    Promise<WorkflowStatus> p = Promise.promise();
    context.runOnContext(v -> {
      WorkflowRecord r = stateMachine.get(id);
      if (closed) {
        p.fail(new IllegalStateException("workflow runtime of cluster " + clusterId + " on node " + nodeId
            + " closed"));
      } else if (r == null) {
        // pruned since (or a snapshot from before the start installed): the linearizable read says what is known
        awaitEnd(id, timeoutMillis).onComplete(p);
      } else if (r.state.isTerminal()) {
        p.complete(r.toStatus(clusterId));
      } else {
        waiters.add(id, timeoutMillis).onComplete(p);
      }
    });
    return p.future();
  }

  @Override
  public <O> WorkflowRun<O> run(String workflowId, Class<O> outputType) {
    return new StatusWorkflowRun<>(Objects.requireNonNull(workflowId, "workflowId"), clusterId,
        Payloads.type(Objects.requireNonNull(outputType, "outputType")), this);
  }

  @Override
  public Uni<WorkflowStatus> result(String workflowId) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Bridge.uni(() -> awaitEnd(workflowId, ResultWaiters.NO_TIMEOUT));
  }

  @Override
  public Uni<WorkflowStatus> result(String workflowId, Duration timeout) {
    Objects.requireNonNull(workflowId, "workflowId");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return Bridge.uni(() -> awaitEnd(workflowId, timeout.toMillis()));
  }

  /** The ended status: read linearizably, or awaited from the state machine's notifications. */
  private Future<WorkflowStatus> awaitEnd(String id, long timeoutMillis) {
    Promise<WorkflowStatus> p = Promise.promise();
    Bridge.future(group.read(() -> {
      WorkflowRecord r = stateMachine.get(id);
      if (r == null) {
        throw new WorkflowNotFoundException(id);
      }
      if (r.state.isTerminal()) {
        return r.toStatus(clusterId);
      }
      // On the group's context, before any later apply: the end cannot be missed.
      waiters.add(id, timeoutMillis).onComplete(p);
      return null;
    }), context).onComplete(ar -> {
      if (ar.failed()) {
        p.tryFail(ar.cause());
      } else if (ar.result() != null) {
        p.tryComplete(ar.result());
      }
    });
    return p.future();
  }

  @Override
  public Uni<WorkflowStatus> status(String workflowId) {
    Objects.requireNonNull(workflowId, "workflowId");
    return group.read(() -> {
      WorkflowRecord r = stateMachine.get(workflowId);
      if (r == null) {
        throw new WorkflowNotFoundException(workflowId);
      }
      return r.toStatus(clusterId);
    });
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    Objects.requireNonNull(filter, "filter");
    return group.read(() -> {
      List<WorkflowStatus> out = new ArrayList<>();
      for (WorkflowRecord r : stateMachine.all()) {
        WorkflowStatus s = r.toStatus(clusterId);
        if (filter.test(s)) {
          out.add(s);
          if (out.size() >= filter.limit()) {
            break;
          }
        }
      }
      return out;
    });
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, String reason) {
    Objects.requireNonNull(workflowId, "workflowId");
    String why = reason == null || reason.isBlank() ? "terminated" : reason;
    return Bridge.uni(() -> propose(new WorkflowCommand.Terminate(workflowId, why, System.currentTimeMillis(),
        options.getHistoryRetention().keptAtEnd())))
        .map(outcome -> {
          if (outcome.rejection() == Rejection.UNKNOWN_WORKFLOW) {
            throw new WorkflowNotFoundException(workflowId);
          }
          return outcome.status();
        });
  }

  @Override
  public Uni<WorkflowStatus> signal(String workflowId, String name, String payloadJson, String signalId) {
    return signalsAndQueries.signal(workflowId, name, payloadJson, signalId);
  }

  @Override
  public Uni<String> query(String workflowId, String name) {
    return signalsAndQueries.query(workflowId, name);
  }

  @Override
  public Uni<HistoryPage> history(String workflowId, int pageSize, String pageToken) {
    return new WorkflowHistory(stateMachine, group).page(workflowId, pageSize, pageToken);
  }

  @Override
  public Uni<Void> close() {
    return Bridge.uni(this::closeNow);
  }

  /**
   * Stops this runtime now (also when the group stopped under it): local executions are cancelled and waiting
   * callers fail. Completes on the group's context.
   */
  Future<Void> closeNow() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      closed = true;
      if (dutyTimer >= 0) {
        vertx.cancelTimer(dutyTimer);
      }
      executions.close();
      if (timers != null) {
        timers.close();
      }
      meters.close();
      if (catchUp != null) {
        catchUp.close();
      }
      if (waiters != null) {
        waiters.failAll(new IllegalStateException("workflow runtime of cluster " + clusterId + " on node " + nodeId
            + " closed"));
      }
      done.complete();
    });
    return done.future();
  }
}
