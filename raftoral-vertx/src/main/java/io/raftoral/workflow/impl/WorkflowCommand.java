package io.raftoral.workflow.impl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The commands of the workflow state machine. Every command that a stale owner could send carries the owner it was
 * produced by and the journal position it expects, so the state machine accepts it only when both still hold: an
 * owner's pipelined or retried proposals can never interleave with another owner's.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "c")
@JsonSubTypes({
    @JsonSubTypes.Type(value = WorkflowCommand.Start.class, name = "start"),
    @JsonSubTypes.Type(value = WorkflowCommand.Append.class, name = "append"),
    @JsonSubTypes.Type(value = WorkflowCommand.Finish.class, name = "finish"),
    @JsonSubTypes.Type(value = WorkflowCommand.Terminate.class, name = "terminate"),
    @JsonSubTypes.Type(value = WorkflowCommand.ChangeOwner.class, name = "owner"),
    @JsonSubTypes.Type(value = WorkflowCommand.Prune.class, name = "prune"),
    @JsonSubTypes.Type(value = WorkflowCommand.Batch.class, name = "batch"),
    @JsonSubTypes.Type(value = WorkflowCommand.Registrations.class, name = "registrations")})
public sealed interface WorkflowCommand {

  /** Starts workflow {@code id} owned by {@code owner}; {@code at} is the proposer's clock (epoch ms). */
  record Start(String id, String type, int version, String input, long owner, long at) implements WorkflowCommand {}

  /**
   * Appends journal entry {@code seq} (value JSON, or a failure when {@code errorType} is set) if {@code owner}
   * still owns the workflow and the journal holds exactly {@code seq} entries.
   */
  record Append(String id, long owner, int seq, String key, String value, String errorType, String errorMessage)
      implements WorkflowCommand {}

  /**
   * Ends the workflow with a result (or a failure when {@code errorType} is set) if {@code owner} still owns it
   * and the journal holds exactly {@code seq} entries.
   */
  record Finish(String id, long owner, int seq, String result, String errorType, String errorMessage, long at)
      implements WorkflowCommand {}

  /** Terminates a running workflow. */
  record Terminate(String id, String reason, long at) implements WorkflowCommand {}

  /** Moves ownership from {@code from} (if it still owns the workflow) to {@code to}. */
  record ChangeOwner(String id, long from, long to) implements WorkflowCommand {}

  /**
   * Forgets ended workflows: the oldest beyond the {@code keep} most recently ended ones, and those that ended
   * before {@code cutoff} (epoch ms).
   */
  record Prune(int keep, long cutoff) implements WorkflowCommand {}

  /**
   * Several commands applied in order as one log entry (an owner's entries produced in one turn): one proposal
   * instead of one per checkpoint. Each part is accepted or rejected on its own.
   */
  record Batch(List<WorkflowCommand> commands) implements WorkflowCommand {}

  /**
   * Member {@code node} runs the workflows {@code workflows} ({@code "name@version"}, see
   * {@link io.raftoral.workflow.WorkflowRegistry#keys()}): the owner failover moves a workflow only to a member that
   * announced its (name, version). Replaces what the member announced before.
   */
  record Registrations(long node, List<String> workflows) implements WorkflowCommand {
    public Registrations {
      workflows = List.copyOf(workflows);
    }
  }
}
