package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.workflow.HistoryRetention;
import io.raftoral.workflow.WorkflowRuntimeOptions;

/**
 * The leader's retention of ended workflows for one execution cluster: once more are kept than
 * {@link WorkflowRuntimeOptions#getRetainEnded()}, or the oldest is older than
 * {@link WorkflowRuntimeOptions#getRetainEndedMillis()}, or (with {@link HistoryRetention#keepFor}) an ended
 * workflow holds history older than the retention's duration, one Prune command is proposed (never two at once):
 * committed, it prunes identically on every member. Called on the group's context.
 */
final class Retention {

  private final int retainEnded;
  private final long retainEndedMillis;
  private final HistoryRetention historyRetention;
  private final WorkflowStateMachine stateMachine;
  private final RaftGroup<WorkflowCommand, CommandOutcome> group;
  private boolean pruneInFlight;

  Retention(WorkflowRuntimeOptions options, WorkflowStateMachine stateMachine,
      RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.retainEnded = options.getRetainEnded();
    this.retainEndedMillis = options.getRetainEndedMillis();
    this.historyRetention = options.getHistoryRetention();
    this.stateMachine = stateMachine;
    this.group = group;
  }

  /** Proposes a Prune when this member leads and the ended workflows (or their histories) exceed what is retained. */
  void maybePrune() {
    if (pruneInFlight || !group.isLeader()) {
      return;
    }
    long now = System.currentTimeMillis();
    long cutoff = now - retainEndedMillis;
    int count = stateMachine.endedCount();
    boolean records = count > retainEnded || (count > 0 && stateMachine.oldestEndedAt() < cutoff);
    Long historyCutoff = null;
    if (historyRetention.mode() == HistoryRetention.Mode.DURATION) {
      long oldestHistory = stateMachine.oldestHistoryEndedAt();
      long limit = now - historyRetention.duration().toMillis();
      if (oldestHistory != 0 && oldestHistory < limit) {
        historyCutoff = limit;
      }
    }
    if (records || historyCutoff != null) {
      pruneInFlight = true;
      Bridge.future(group.propose(new WorkflowCommand.Prune(retainEnded, cutoff, historyCutoff)), group.context())
          .onComplete(ar -> pruneInFlight = false);
    }
  }
}
