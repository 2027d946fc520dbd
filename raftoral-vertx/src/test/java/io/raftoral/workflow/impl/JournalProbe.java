package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowRuntime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;

/** Test access to a member's replicated journal of a running workflow (read on the member's context). */
public final class JournalProbe {

  private JournalProbe() {
  }

  /**
   * A copy of the journal of workflow {@code workflowId} as member {@code rt} holds it: once ended, what the history
   * retention kept of it.
   */
  public static Future<List<JournalEntry>> journal(WorkflowRuntime rt, String workflowId) {
    WorkflowRuntimeImpl impl = (WorkflowRuntimeImpl) rt;
    Promise<List<JournalEntry>> p = Promise.promise();
    impl.context().runOnContext(v -> {
      WorkflowRecord r = impl.stateMachine().get(workflowId);
      p.complete(r == null ? List.of() : List.copyOf(r.journal.subList(r.journal.first(), r.journal.size())));
    });
    return p.future();
  }
}
