package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's {@link Execution}s of the running workflows of one execution cluster, by workflow id. Used on the
 * group's context only.
 */
final class LocalExecutions {

  private static final Logger LOG = LoggerFactory.getLogger(LocalExecutions.class);

  private final WorkflowRuntimeImpl rt;
  private final Map<String, Execution> executions = new HashMap<>();
  private boolean closed;

  LocalExecutions(WorkflowRuntimeImpl rt) {
    this.rt = rt;
  }

  Execution get(String workflowId) {
    return executions.get(workflowId);
  }

  Execution remove(String workflowId) {
    return executions.remove(workflowId);
  }

  int size() {
    return executions.size();
  }

  /** Runs workflow {@code id} here unless it runs already (or this member has stopped). */
  void launch(String id) {
    if (closed || executions.containsKey(id)) {
      return;
    }
    Execution x = new Execution(rt, id);
    executions.put(id, x);
    x.begin();
  }

  /** Launches every workflow the state shows running (after a start on stored state, or a snapshot). */
  void launchRunning(WorkflowStateMachine state) {
    for (WorkflowRecord r : new ArrayList<>(state.running())) {
      launch(r.id);
    }
  }

  /** Throws {@code x} away and runs the workflow again from the start of its journal (on the next turn). */
  void restart(Execution x) {
    x.cancel();
    if (executions.get(x.workflowId) == x) {
      executions.remove(x.workflowId);
      LOG.debug("workflow {} on node {}: execution restarts by replay", x.workflowId, rt.nodeId());
      rt.context().runOnContext(v -> {
        WorkflowRecord r = rt.stateMachine().get(x.workflowId);
        if (r != null && r.state == WorkflowState.RUNNING) {
          launch(x.workflowId);
        }
      });
    }
  }

  /** Cancels every execution (they are rebuilt from a restored snapshot, or the runtime closes). */
  void cancelAll() {
    executions.values().forEach(Execution::cancel);
    executions.clear();
  }

  /** Cancels every execution and launches none any more. */
  void close() {
    closed = true;
    cancelAll();
  }
}
