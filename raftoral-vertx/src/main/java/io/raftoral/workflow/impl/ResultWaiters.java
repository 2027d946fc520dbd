package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The callers waiting for workflows of one execution cluster to end, by workflow id. A waiter is added on the group's
 * context before any later apply, so the end it waits for cannot slip by; it is answered when the workflow ends,
 * when its timeout fires, or when the runtime closes. Used on the group's context only.
 */
final class ResultWaiters {

  /** Passed as the timeout to wait without a limit. */
  static final long NO_TIMEOUT = -1;

  private final Vertx vertx;
  private final long clusterId;
  private final Map<String, List<Promise<WorkflowStatus>>> waiters = new HashMap<>();

  ResultWaiters(Vertx vertx, long clusterId) {
    this.vertx = vertx;
    this.clusterId = clusterId;
  }

  /**
   * Waits for workflow {@code id} to end; the future fails with {@link WorkflowWaitTimeoutException} after
   * {@code timeoutMillis} unless that is {@link #NO_TIMEOUT}.
   */
  Future<WorkflowStatus> add(String id, long timeoutMillis) {
    Promise<WorkflowStatus> p = Promise.promise();
    waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
    if (timeoutMillis > 0) {
      long timer = vertx.setTimer(timeoutMillis, t -> {
        remove(id, p);
        p.tryFail(new WorkflowWaitTimeoutException(id, Duration.ofMillis(timeoutMillis)));
      });
      p.future().onComplete(ar -> vertx.cancelTimer(timer));
    }
    return p.future();
  }

  private void remove(String id, Promise<WorkflowStatus> p) {
    List<Promise<WorkflowStatus>> ws = waiters.get(id);
    if (ws != null) {
      ws.remove(p);
      if (ws.isEmpty()) {
        waiters.remove(id);
      }
    }
  }

  /** The workflow ended with {@code status}: its waiters are answered. */
  void ended(WorkflowStatus status) {
    List<Promise<WorkflowStatus>> ws = waiters.remove(status.workflowId());
    if (ws != null) {
      ws.forEach(p -> p.tryComplete(status));
    }
  }

  /**
   * The state was replaced by a snapshot: waiters of workflows that ended meanwhile get their status, those of
   * workflows the snapshot no longer holds (pruned) fail with {@link WorkflowNotFoundException}.
   */
  void restored(WorkflowStateMachine state) {
    for (String id : new ArrayList<>(waiters.keySet())) {
      WorkflowRecord r = state.get(id);
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
  }

  /** Fails every waiter with {@code cause} (the runtime closes). */
  void failAll(Throwable cause) {
    waiters.values().forEach(ws -> ws.forEach(p -> p.tryFail(cause)));
    waiters.clear();
  }
}
