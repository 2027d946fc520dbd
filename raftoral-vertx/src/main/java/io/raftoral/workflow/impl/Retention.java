package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.workflow.WorkflowRuntimeOptions;

/**
 * The leader's retention of ended workflows for one execution cluster: once more are kept than
 * {@link WorkflowRuntimeOptions#getRetainEnded()}, or the oldest is older than
 * {@link WorkflowRuntimeOptions#getRetainEndedMillis()}, one Prune command is proposed (never two at once). Called
 * on the group's context.
 */
final class Retention {

  private final int retainEnded;
  private final long retainEndedMillis;
  private final WorkflowStateMachine stateMachine;
  private final RaftGroup<WorkflowCommand, CommandOutcome> group;
  private boolean pruneInFlight;

  Retention(WorkflowRuntimeOptions options, WorkflowStateMachine stateMachine,
      RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.retainEnded = options.getRetainEnded();
    this.retainEndedMillis = options.getRetainEndedMillis();
    this.stateMachine = stateMachine;
    this.group = group;
  }

  /** Proposes a Prune when this member leads and the ended workflows exceed what is retained. */
  void maybePrune() {
    if (pruneInFlight || !group.isLeader()) {
      return;
    }
    long cutoff = System.currentTimeMillis() - retainEndedMillis;
    int count = stateMachine.endedCount();
    if (count > retainEnded || (count > 0 && stateMachine.oldestEndedAt() < cutoff)) {
      pruneInFlight = true;
      Bridge.future(group.propose(new WorkflowCommand.Prune(retainEnded, cutoff)), group.context())
          .onComplete(ar -> pruneInFlight = false);
    }
  }
}
