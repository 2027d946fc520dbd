package io.raftoral.workflow.impl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

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
    @JsonSubTypes.Type(value = WorkflowCommand.Registrations.class, name = "registrations"),
    @JsonSubTypes.Type(value = WorkflowCommand.Signal.class, name = "signal")})
public sealed interface WorkflowCommand {

  /**
   * Starts workflow {@code id} owned by {@code owner}; {@code at} is the proposer's clock (epoch ms).
   * {@code traceparent} is the W3C trace context of the request that started it (the owner's run span continues
   * it), null when tracing is off; left out of the JSON then, so untraced commands keep their shape.
   */
  record Start(String id, String type, int version, String input, long owner, long at,
      @JsonInclude(JsonInclude.Include.NON_NULL) String traceparent) implements WorkflowCommand {

    /** A start without a trace context (commands written before traces existed read back like this). */
    public Start(String id, String type, int version, String input, long owner, long at) {
      this(id, type, version, input, owner, at, null);
    }
  }

  /**
   * Appends journal entry {@code seq} (value JSON, or a failure when {@code errorType} is set) if {@code owner}
   * still owns the workflow, the journal holds exactly {@code seq} entries, and {@code prev} (when given) is the
   * {@link JournalEntry#digest() digest} of journal entry {@code seq - 1}: the entry its producer's run saw there.
   * This fences runs: after an owner restarts, an entry of its earlier run can still commit at position n; the new
   * run's entry n+1, derived from what the new run had at n, is then refused rather than mixed into the journal.
   * {@code at} is the proposing owner's clock (epoch ms), kept with the entry in the checkpoint history so every
   * replica stores the same time; null in commands of older nodes.
   */
  record Append(String id, long owner, int seq, String key, String value, String errorType, String errorMessage,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long prev,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long at) implements WorkflowCommand {

    /** An append without a fence (commands written before fences existed read back like this). */
    public Append(String id, long owner, int seq, String key, String value, String errorType, String errorMessage) {
      this(id, owner, seq, key, value, errorType, errorMessage, null, null);
    }

    /** An append without a time (commands written before checkpoint history existed read back like this). */
    public Append(String id, long owner, int seq, String key, String value, String errorType, String errorMessage,
        Long prev) {
      this(id, owner, seq, key, value, errorType, errorMessage, prev, null);
    }
  }

  /**
   * Ends the workflow with a result (or a failure when {@code errorType} is set) if {@code owner} still owns it,
   * the journal holds exactly {@code seq} entries and {@code prev} matches entry {@code seq - 1} (see
   * {@link Append#prev()}).
   */
  record Finish(String id, long owner, int seq, String result, String errorType, String errorMessage, long at,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long prev,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> queries,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer keepHistory) implements WorkflowCommand {

    /**
     * @param queries the answers (JSON text) of the workflow's query handlers at its end, kept with the ended
     *     workflow so queries still answer from its last state; null when it registered none
     * @param keepHistory how many of its last checkpoints the ended workflow keeps (the proposing owner's
     *     {@link io.raftoral.workflow.HistoryRetention#keptAtEnd()}, carried so every replica trims alike); null
     *     (commands of older nodes, which kept no history) keeps none
     */
    public Finish {
    }

    /** An end with query answers, keeping no history (commands written before checkpoint history existed). */
    public Finish(String id, long owner, int seq, String result, String errorType, String errorMessage, long at,
        Long prev, Map<String, String> queries) {
      this(id, owner, seq, result, errorType, errorMessage, at, prev, queries, null);
    }

    /** An end without a fence (see {@link Append#prev()}) and without query answers. */
    public Finish(String id, long owner, int seq, String result, String errorType, String errorMessage, long at) {
      this(id, owner, seq, result, errorType, errorMessage, at, null, null, null);
    }
  }

  /**
   * Adds signal {@code name} with {@code payload} (JSON text) to a running workflow's inbox, from any client (never
   * bound to an owner): the inbox keeps it, numbered in commit order, until the workflow consumes it.
   */
  record Signal(String id, String name, String payload,
      @JsonInclude(JsonInclude.Include.NON_NULL) String signalId) implements WorkflowCommand {

    /**
     * @param signalId makes the send idempotent: a signal whose id the workflow was already sent is not added again
     *     (null: no id)
     */
    public Signal {
    }

    /** A signal without an id. */
    public Signal(String id, String name, String payload) {
      this(id, name, payload, null);
    }
  }

  /**
   * Terminates a running workflow; it keeps its last {@code keepHistory} checkpoints (see
   * {@link Finish#keepHistory()}).
   */
  record Terminate(String id, String reason, long at,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer keepHistory) implements WorkflowCommand {

    /** A termination keeping no history (commands written before checkpoint history existed). */
    public Terminate(String id, String reason, long at) {
      this(id, reason, at, null);
    }
  }

  /** Moves ownership from {@code from} (if it still owns the workflow) to {@code to}. */
  record ChangeOwner(String id, long from, long to) implements WorkflowCommand {}

  /**
   * Forgets ended workflows: the oldest beyond the {@code keep} most recently ended ones, and those that ended
   * before {@code cutoff} (epoch ms). With {@code historyCutoff}, also forgets the checkpoint history of the ended
   * workflows kept that ended before it (the leader's {@link io.raftoral.workflow.HistoryRetention#keepFor}).
   */
  record Prune(int keep, long cutoff,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long historyCutoff) implements WorkflowCommand {

    /** A prune of records only. */
    public Prune(int keep, long cutoff) {
      this(keep, cutoff, null);
    }
  }

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
