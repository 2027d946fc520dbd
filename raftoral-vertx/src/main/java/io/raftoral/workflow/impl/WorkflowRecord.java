package io.raftoral.workflow.impl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The replicated state of one workflow instance (mutable; owned by {@link WorkflowStateMachine}, touched only on
 * the group's context). When the workflow ends, its journal keeps what the history retention says (and its length
 * stays in {@link #checkpointCount}).
 */
public final class WorkflowRecord {

  public String id;
  public String type;
  public int version;
  public String input;
  public long owner;
  public WorkflowState state = WorkflowState.RUNNING;
  public long startedAt;
  public long endedAt;
  /** Its checkpoints, in the node's checkpoint store; snapshots stream them apart from the record. */
  @JsonIgnore
  public Journal journal;
  public int checkpointCount;
  public String result;
  public String errorType;
  public String errorMessage;
  /** Order in which ended workflows ended (for pruning); 0 while running. */
  public long endSeq;
  /**
   * Signals committed and not consumed yet, in commit order (see {@link SignalInbox}); emptied at the end. An
   * immutable empty list until the first signal: most workflows get none, and ended records stay in the heap.
   */
  public List<PendingSignal> signals = List.of();
  /** Signals ever committed to this workflow: the next one is numbered with it. */
  public long signalCount;
  /**
   * The ids of the last signals sent with one, oldest first (see {@link SignalInbox#isDuplicate}); null until the
   * first (and again once ended), absent from snapshots then.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public LinkedHashSet<String> signalIds;
  /** The answers (JSON text) of its query handlers when it ended, by query name; null if none. */
  public Map<String, String> finalQueries;
  /** The W3C trace context of the start request (see {@link WorkflowCommand.Start}); absent from snapshots if null. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public String traceparent;
  /** This record's JSON once it ended (nothing changes an ended record), kept so snapshots encode it once. */
  @JsonIgnore
  byte[] endedJson;

  public WorkflowStatus toStatus(long clusterId) {
    return new WorkflowStatus(id, clusterId, type, version, state, owner, Instant.ofEpochMilli(startedAt),
        endedAt == 0 ? null : Instant.ofEpochMilli(endedAt), checkpointCount, input, result, errorType, errorMessage);
  }
}
