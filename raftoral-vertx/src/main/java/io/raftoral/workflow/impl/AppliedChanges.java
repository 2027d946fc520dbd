package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link WorkflowRuntimeImpl} does about each applied command. The state machine reports from inside
 * {@code apply}, where no user code may run: each report is queued and acted upon on a later turn of the group's
 * context (executions told, waiters answered, events published). Nothing is drained before the runtime is attached
 * to its group: executions are then built from the state as it is, so the replay that led there is moot.
 */
final class AppliedChanges implements WorkflowStateListener {

  private static final Logger LOG = LoggerFactory.getLogger(AppliedChanges.class);

  private final WorkflowRuntimeImpl rt;
  private final List<Runnable> notifications = new ArrayList<>();
  private Context context;
  private boolean drainScheduled;

  AppliedChanges(WorkflowRuntimeImpl rt) {
    this.rt = rt;
  }

  /** The runtime is attached to its group: what was queued during the replay is dropped, later reports drain. */
  void attach(Context context) {
    notifications.clear();
    this.context = context;
  }

  private void defer(Runnable r) {
    notifications.add(r);
    if (context != null && !drainScheduled) {
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
        LOG.error("workflow runtime of cluster {} on node {}: notification failed", rt.clusterId(), rt.nodeId(), e);
      }
    }
  }

  /** Whether the runtime is attached: what is applied from then on counts in the meters (not the replay). */
  private boolean attached() {
    return context != null;
  }

  @Override
  public void started(WorkflowRecord record) {
    if (attached()) {
      rt.meters().started(record);
    }
    String id = record.id;
    String type = record.type;
    int version = record.version;
    long owner = record.owner;
    defer(() -> {
      rt.publish(WorkflowRuntime.EVENT_STARTED, id, Map.of("workflowType", type, "version", version, "owner", owner));
      WorkflowRecord r = rt.stateMachine().get(id);
      if (r != null && r.state == WorkflowState.RUNNING) {
        rt.executions().launch(id);
      }
    });
  }

  @Override
  public void appended(WorkflowRecord record, int seq, JournalEntry entry) {
    if (attached()) {
      rt.meters().checkpoint(record);
    }
    String id = record.id;
    defer(() -> {
      Execution x = rt.executions().get(id);
      if (x != null) {
        x.onAppended(seq, entry);
      }
      if (rt.events().enabled()) {
        rt.publish(WorkflowRuntime.EVENT_CHECKPOINT, id,
            Map.of("seq", seq, "key", entry.key(), "failed", entry.isFailure()));
      }
    });
  }

  @Override
  public void ownerChanged(WorkflowRecord record, long previousOwner) {
    if (attached()) {
      rt.meters().ownerChanged(record, previousOwner);
    }
    String id = record.id;
    long owner = record.owner;
    String type = record.type;
    defer(() -> {
      Execution x = rt.executions().get(id);
      if (x != null) {
        x.onOwnershipChanged();
      }
      rt.publish(WorkflowRuntime.EVENT_OWNER_CHANGED, id,
          Map.of("previousOwner", previousOwner, "owner", owner, "workflowType", type));
    });
  }

  @Override
  public void signalled(WorkflowRecord record, PendingSignal signal) {
    String id = record.id;
    defer(() -> {
      Execution x = rt.executions().get(id);
      if (x != null) {
        x.onSignalled();
      }
      if (rt.events().enabled()) {
        rt.publish(WorkflowRuntime.EVENT_SIGNALLED, id, Map.of("signal", signal.name(), "seq", signal.seq()));
      }
    });
  }

  @Override
  public void ended(WorkflowRecord record) {
    if (attached()) {
      rt.meters().ended(record);
    }
    WorkflowStatus status = record.toStatus(rt.clusterId());
    defer(() -> {
      Execution x = rt.executions().remove(status.workflowId());
      if (x != null) {
        x.onEnded(status.state(), status.errorMessage());
      }
      rt.waiters().ended(status);
      rt.events().ended(status);
      rt.retainEnded();
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
    rt.meters().recount(rt.stateMachine().all());
    defer(() -> {
      rt.catchUp().reset();
      rt.executions().cancelAll();
      rt.executions().launchRunning(rt.stateMachine());
      rt.waiters().restored(rt.stateMachine());
    });
  }
}
