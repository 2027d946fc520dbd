package io.raftoral.workflow.impl;

import java.util.List;

/**
 * Told by {@link WorkflowStateMachine} what each applied command changed, on the group's context, from inside
 * {@code apply}: implementations must only take note and act later (no user code here).
 */
public interface WorkflowStateListener {

  void started(WorkflowRecord record);

  void appended(WorkflowRecord record, int seq, JournalEntry entry);

  void ownerChanged(WorkflowRecord record, long previousOwner);

  /** A signal was added to the workflow's inbox. */
  default void signalled(WorkflowRecord record, PendingSignal signal) {
  }

  /** The workflow ended (completed, failed or terminated). */
  void ended(WorkflowRecord record);

  void pruned(List<String> ids);

  /** The whole state was replaced by a snapshot. */
  void restored();

  WorkflowStateListener NONE = new WorkflowStateListener() {
    @Override
    public void started(WorkflowRecord record) {
    }

    @Override
    public void appended(WorkflowRecord record, int seq, JournalEntry entry) {
    }

    @Override
    public void ownerChanged(WorkflowRecord record, long previousOwner) {
    }

    @Override
    public void ended(WorkflowRecord record) {
    }

    @Override
    public void pruned(List<String> ids) {
    }

    @Override
    public void restored() {
    }
  };
}
