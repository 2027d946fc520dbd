package io.raftoral.workflow.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.host.RaftHost;
import io.raftoral.raft.Membership;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowFailedException;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRun;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowTerminatedException;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow runtime of one execution cluster on one node: the replicated {@link WorkflowStateMachine}, this
 * member's {@link Execution}s, result waiters, and the leader's duties (owner failover, retention). Everything runs
 * on the group's event-loop context.
 */
public final class WorkflowRuntimeImpl implements WorkflowRuntime, WorkflowStateListener {

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowRuntimeImpl.class);

  private final long nodeId;
  private final long clusterId;
  private final WorkflowRegistry registry;
  private final WorkflowRuntimeOptions options;
  private final WorkflowStateMachine stateMachine;
  private final String eventAddress;
  private RaftGroup<WorkflowCommand, CommandOutcome> group;
  private Context context;
  private Vertx vertx;
  private boolean attached;
  private boolean closed;

  private final Map<String, Execution> executions = new HashMap<>();
  private final Map<String, List<Promise<WorkflowStatus>>> waiters = new HashMap<>();
  /** Notifications of applied commands, acted upon on a later turn (never inside apply). */
  private final List<Runnable> notifications = new ArrayList<>();
  private boolean drainScheduled;

  private long dutyTimer = -1;
  private long leaderSinceNanos = -1;
  private final Set<String> ownerChangesInFlight = new HashSet<>();
  private boolean pruneInFlight;

  private WorkflowRuntimeImpl(long nodeId, long clusterId, WorkflowRegistry registry, WorkflowRuntimeOptions options,
      WorkflowStateMachine stateMachine) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.registry = registry;
    this.options = options;
    this.stateMachine = stateMachine;
    this.eventAddress = WorkflowRuntime.eventAddress(nodeId, clusterId);
  }

  /** Starts the execution cluster's group on {@code host} and the runtime on it. */
  public static Future<WorkflowRuntime> start(RaftHost host, long clusterId, WorkflowRegistry registry,
      WorkflowRuntimeOptions options, RaftGroupOptions groupOptions, long[] members) {
    Objects.requireNonNull(host, "host");
    WorkflowStateMachine sm = new WorkflowStateMachine(clusterId);
    WorkflowRuntimeImpl rt = new WorkflowRuntimeImpl(host.nodeId(), clusterId, registry, options, sm);
    sm.listener(rt);
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
    // Executions are built from the state as it is now; notifications of the replay that led here are moot.
    notifications.clear();
    attached = true;
    for (WorkflowRecord r : new ArrayList<>(stateMachine.all())) {
      if (r.state == WorkflowState.RUNNING) {
        launch(r.id);
      }
    }
    long period = Math.max(10, Math.min(1_000, options.getOwnerTimeoutMillis() / 4));
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

  // ----------------------------------------------------------------------------------------------------------------
  // Executions
  // ----------------------------------------------------------------------------------------------------------------

  private void launch(String id) {
    if (closed || executions.containsKey(id)) {
      return;
    }
    Execution x = new Execution(this, id);
    executions.put(id, x);
    x.begin();
  }

  /** Throws {@code x} away and runs the workflow again from the start of its journal (on the next turn). */
  void restartExecution(Execution x) {
    x.cancel();
    if (executions.get(x.workflowId) == x) {
      executions.remove(x.workflowId);
      LOG.debug("workflow {} on node {}: execution restarts by replay", x.workflowId, nodeId);
      context.runOnContext(v -> {
        WorkflowRecord r = stateMachine.get(x.workflowId);
        if (r != null && r.state == WorkflowState.RUNNING) {
          launch(x.workflowId);
        }
      });
    }
  }

  /** Number of executions running on this member (for tests and metrics). */
  public int localExecutionCount() {
    return executions.size();
  }

  // ----------------------------------------------------------------------------------------------------------------
  // State machine notifications (called inside apply: only queue)
  // ----------------------------------------------------------------------------------------------------------------

  private void defer(Runnable r) {
    notifications.add(r);
    if (attached && !drainScheduled) {
      drainScheduled = true;
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled = false;
    List<Runnable> batch = new ArrayList<>(notifications);
    notifications.clear();
    for (Runnable r : batch) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("workflow runtime of cluster {} on node {}: notification failed", clusterId, nodeId, e);
      }
    }
  }

  @Override
  public void started(WorkflowRecord record) {
    String id = record.id;
    String type = record.type;
    int version = record.version;
    long owner = record.owner;
    defer(() -> {
      publish(EVENT_STARTED, id, Map.of("workflowType", type, "version", version, "owner", owner));
      WorkflowRecord r = stateMachine.get(id);
      if (r != null && r.state == WorkflowState.RUNNING) {
        launch(id);
      }
    });
  }

  @Override
  public void appended(WorkflowRecord record, int seq, JournalEntry entry) {
    String id = record.id;
    defer(() -> {
      Execution x = executions.get(id);
      if (x != null) {
        x.onAppended(seq, entry);
      }
      if (options.isPublishEvents()) {
        publish(EVENT_CHECKPOINT, id, Map.of("seq", seq, "key", entry.key(), "failed", entry.isFailure()));
      }
    });
  }

  @Override
  public void ownerChanged(WorkflowRecord record, long previousOwner) {
    String id = record.id;
    long owner = record.owner;
    defer(() -> {
      Execution x = executions.get(id);
      if (x != null) {
        x.onOwnershipChanged();
      }
      publish(EVENT_OWNER_CHANGED, id, Map.of("previousOwner", previousOwner, "owner", owner));
    });
  }

  @Override
  public void ended(WorkflowRecord record) {
    WorkflowStatus status = record.toStatus(clusterId);
    defer(() -> {
      Execution x = executions.remove(status.workflowId());
      if (x != null) {
        x.onEnded(status.state(), status.errorMessage());
      }
      List<Promise<WorkflowStatus>> ws = waiters.remove(status.workflowId());
      if (ws != null) {
        ws.forEach(p -> p.tryComplete(status));
      }
      String event = switch (status.state()) {
        case COMPLETED -> EVENT_COMPLETED;
        case FAILED -> EVENT_FAILED;
        default -> EVENT_TERMINATED;
      };
      Map<String, Object> fields = new HashMap<>();
      fields.put("checkpoints", status.checkpointCount());
      if (status.errorType() != null) {
        fields.put("errorType", status.errorType());
        fields.put("error", String.valueOf(status.errorMessage()));
      }
      publish(event, status.workflowId(), fields);
      if (group.isLeader()) {
        maybePrune();
      }
    });
  }

  @Override
  public void pruned(List<String> ids) {
    // Their waiters were answered when they ended.
  }

  @Override
  public void restored() {
    // Whatever was queued describes the state before the snapshot.
    notifications.clear();
    defer(() -> {
      executions.values().forEach(Execution::cancel);
      executions.clear();
      for (WorkflowRecord r : new ArrayList<>(stateMachine.all())) {
        if (r.state == WorkflowState.RUNNING) {
          launch(r.id);
        }
      }
      for (String id : new ArrayList<>(waiters.keySet())) {
        WorkflowRecord r = stateMachine.get(id);
        if (r == null || r.state.isTerminal()) {
          List<Promise<WorkflowStatus>> ws = waiters.remove(id);
          ws.forEach(p -> {
            if (r == null) {
              p.tryFail(new WorkflowNotFoundException(id));
            } else {
              p.tryComplete(r.toStatus(clusterId));
            }
          });
        }
      }
    });
  }

  void publish(String event, String workflowId, Map<String, ?> fields) {
    if (!options.isPublishEvents() || vertx == null) {
      return;
    }
    JsonObject json = new JsonObject().put("event", event).put("workflowId", workflowId).put("nodeId", nodeId)
        .put("clusterId", clusterId);
    fields.forEach(json::put);
    vertx.eventBus().publish(eventAddress, json);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Leader duties
  // ----------------------------------------------------------------------------------------------------------------

  private void leaderDuties() {
    if (closed) {
      return;
    }
    if (group.isStopped()) {
      close();
      return;
    }
    if (!group.isLeader()) {
      leaderSinceNanos = -1;
      return;
    }
    long now = System.nanoTime();
    if (leaderSinceNanos < 0) {
      leaderSinceNanos = now;
    }
    // A new leader has heard from nobody yet: give every owner one timeout before judging it.
    if ((now - leaderSinceNanos) / 1_000_000 >= options.getOwnerTimeoutMillis()) {
      reassignDeadOwners();
    }
    maybePrune();
  }

  private boolean isLive(long member, Membership membership) {
    return member == nodeId
        || (membership.contains(member) && group.millisSinceContact(member) <= options.getOwnerTimeoutMillis());
  }

  private void reassignDeadOwners() {
    Membership membership = group.membership();
    Map<Long, Integer> load = new HashMap<>();
    for (long v : membership.voters()) {
      if (isLive(v, membership)) {
        load.put(v, 0);
      }
    }
    if (load.isEmpty()) {
      return;
    }
    List<WorkflowRecord> orphans = new ArrayList<>();
    for (WorkflowRecord r : stateMachine.all()) {
      if (r.state != WorkflowState.RUNNING) {
        continue;
      }
      if (load.containsKey(r.owner)) {
        load.merge(r.owner, 1, Integer::sum);
      } else if (!isLive(r.owner, membership) && !ownerChangesInFlight.contains(r.id)) {
        orphans.add(r);
      }
    }
    for (WorkflowRecord r : orphans) {
      long target = load.entrySet().stream().min(Map.Entry.<Long, Integer>comparingByValue()
          .thenComparing(Map.Entry.comparingByKey())).orElseThrow().getKey();
      load.merge(target, 1, Integer::sum);
      String id = r.id;
      LOG.info("cluster {}: workflow {} moves from unresponsive owner {} to {}", clusterId, id, r.owner, target);
      ownerChangesInFlight.add(id);
      group.propose(new WorkflowCommand.ChangeOwner(id, r.owner, target))
          .onComplete(ar -> ownerChangesInFlight.remove(id));
    }
  }

  private void maybePrune() {
    if (pruneInFlight || closed) {
      return;
    }
    long cutoff = System.currentTimeMillis() - options.getRetainEndedMillis();
    int count = stateMachine.endedCount();
    if (count > options.getRetainEnded() || (count > 0 && stateMachine.oldestEndedAt() < cutoff)) {
      pruneInFlight = true;
      group.propose(new WorkflowCommand.Prune(options.getRetainEnded(), cutoff))
          .onComplete(ar -> pruneInFlight = false);
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Client operations
  // ----------------------------------------------------------------------------------------------------------------

  private <T> Uni<T> uni(Supplier<Future<T>> future) {
    return Uni.createFrom().completionStage(() -> future.get().toCompletionStage());
  }

  private Future<CommandOutcome> propose(WorkflowCommand command) {
    return group.propose(command).map(c -> c.result());
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
    WorkflowCommand.Start cmd = new WorkflowCommand.Start(id, def.name(), def.version(), inputJson, nodeId,
        System.currentTimeMillis());
    return uni(() -> propose(cmd)).map(outcome -> {
      if (outcome.rejection() == Rejection.ID_CONFLICT) {
        throw new WorkflowIdConflictException(id, outcome.status().workflowType(), outcome.status().version());
      }
      return new Run<>(id, Payloads.type(def.outputType()));
    });
  }

  @Override
  public <O> WorkflowRun<O> run(String workflowId, Class<O> outputType) {
    return new Run<>(Objects.requireNonNull(workflowId, "workflowId"),
        Payloads.type(Objects.requireNonNull(outputType, "outputType")));
  }

  @Override
  public Uni<WorkflowStatus> result(String workflowId) {
    Objects.requireNonNull(workflowId, "workflowId");
    return uni(() -> awaitEnd(workflowId, -1));
  }

  @Override
  public Uni<WorkflowStatus> result(String workflowId, Duration timeout) {
    Objects.requireNonNull(workflowId, "workflowId");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return uni(() -> awaitEnd(workflowId, timeout.toMillis()));
  }

  /** The ended status: read linearizably, or awaited from the state machine's notifications. */
  private Future<WorkflowStatus> awaitEnd(String id, long timeoutMillis) {
    Promise<WorkflowStatus> p = Promise.promise();
    group.read(() -> {
      WorkflowRecord r = stateMachine.get(id);
      if (r == null) {
        throw new WorkflowNotFoundException(id);
      }
      if (r.state.isTerminal()) {
        return r.toStatus(clusterId);
      }
      // On the group's context, before any later apply: the end cannot be missed.
      waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
      if (timeoutMillis > 0) {
        long timer = vertx.setTimer(timeoutMillis, t -> {
          List<Promise<WorkflowStatus>> ws = waiters.get(id);
          if (ws != null) {
            ws.remove(p);
            if (ws.isEmpty()) {
              waiters.remove(id);
            }
          }
          p.tryFail(new WorkflowWaitTimeoutException(id, Duration.ofMillis(timeoutMillis)));
        });
        p.future().onComplete(ar -> vertx.cancelTimer(timer));
      }
      return null;
    }).onComplete(ar -> {
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
    return uni(() -> group.read(() -> {
      WorkflowRecord r = stateMachine.get(workflowId);
      if (r == null) {
        throw new WorkflowNotFoundException(workflowId);
      }
      return r.toStatus(clusterId);
    }));
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    Objects.requireNonNull(filter, "filter");
    return uni(() -> group.read(() -> {
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
    }));
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, String reason) {
    Objects.requireNonNull(workflowId, "workflowId");
    String why = reason == null || reason.isBlank() ? "terminated" : reason;
    return uni(() -> propose(new WorkflowCommand.Terminate(workflowId, why, System.currentTimeMillis())))
        .map(outcome -> {
          if (outcome.rejection() == Rejection.UNKNOWN_WORKFLOW) {
            throw new WorkflowNotFoundException(workflowId);
          }
          return outcome.status();
        });
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      closed = true;
      if (dutyTimer >= 0) {
        vertx.cancelTimer(dutyTimer);
      }
      executions.values().forEach(Execution::cancel);
      executions.clear();
      IllegalStateException gone = new IllegalStateException("workflow runtime of cluster " + clusterId
          + " on node " + nodeId + " closed");
      waiters.values().forEach(ws -> ws.forEach(p -> p.tryFail(gone)));
      waiters.clear();
      done.complete();
    });
    return done.future();
  }

  /** A handle on one workflow. */
  private final class Run<O> implements WorkflowRun<O> {
    private final String id;
    private final JavaType outputType;

    Run(String id, JavaType outputType) {
      this.id = id;
      this.outputType = outputType;
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
      return WorkflowRuntimeImpl.this.result(id).map(this::outcome);
    }

    @Override
    public Uni<O> result(Duration timeout) {
      return WorkflowRuntimeImpl.this.result(id, timeout).map(this::outcome);
    }

    @Override
    public Uni<WorkflowStatus> status() {
      return WorkflowRuntimeImpl.this.status(id);
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
}
