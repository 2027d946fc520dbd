package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowStatus;
import java.util.List;

/**
 * What applying a workflow command did, handed to the proposer (never serialized).
 *
 * @param accepted whether the command changed the state
 * @param rejection why it did not (null when accepted)
 * @param status the workflow's status after the command (null for prune or an unknown id)
 * @param parts the outcome of each command of a {@link WorkflowCommand.Batch}, else null
 */
public record CommandOutcome(boolean accepted, Rejection rejection, WorkflowStatus status,
    List<CommandOutcome> parts) {

  /** Why a command was not applied. */
  public enum Rejection {
    UNKNOWN_WORKFLOW,
    NOT_RUNNING,
    NOT_OWNER,
    /** The journal holds more entries than the command expected: another proposal took that position. */
    POSITION_TAKEN,
    /** The journal holds fewer entries than the command expected: an earlier entry is not applied yet. */
    POSITION_AHEAD,
    /**
     * The entry before the command's position is not the one its producer saw: another run of the owner wrote it
     * (see {@link WorkflowCommand.Append#prev()}); the producing run must start over from the journal.
     */
    DIVERGED,
    /** A start reused an id of another type or version. */
    ID_CONFLICT,
    /** A start whose id exists already with the same type and version: the existing workflow stands. */
    ALREADY_STARTED,
    /** An entry consuming a signal that the inbox no longer holds (another entry consumed it). */
    SIGNAL_NOT_PENDING
  }

  static CommandOutcome batch(List<CommandOutcome> parts) {
    return new CommandOutcome(true, null, null, parts);
  }

  static CommandOutcome accepted(WorkflowStatus status) {
    return new CommandOutcome(true, null, status, null);
  }

  static CommandOutcome rejected(Rejection why, WorkflowStatus status) {
    return new CommandOutcome(false, why, status, null);
  }
}
