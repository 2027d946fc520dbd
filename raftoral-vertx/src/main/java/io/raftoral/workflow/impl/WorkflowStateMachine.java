package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.StateMachine;
import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.InHeapCheckpointStore;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The replicated state of one execution cluster: every workflow instance with its journal while it runs, and the
 * ended ones until they are pruned (with what the history retention keeps of their journals). Deterministic:
 * timestamps come from the commands, never from a clock. Journals live in the node's {@link CheckpointStore}
 * (see {@link Journal}); snapshots stream them ({@link WorkflowSnapshotFormat}).
 *
 * <p>Called on the group's context only.
 */
public final class WorkflowStateMachine implements StateMachine<WorkflowCommand, CommandOutcome> {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * Commands as JSON, but a step's {@link WorkflowCommand.Append} in its binary form ({@link AppendCodec}: every
   * replica decodes one per step, and decoding JSON took a tenth of the event loops' time under load); undecodable
   * bytes are an {@link IllegalArgumentException}.
   */
  public static final CommandCodec<WorkflowCommand> CODEC = new CommandCodec<>() {
    @Override
    public byte[] encode(WorkflowCommand command) {
      if (command instanceof WorkflowCommand.Append a) {
        return AppendCodec.encode(a);
      }
      try {
        return MAPPER.writeValueAsBytes(command);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot encode " + command + ": " + e.getOriginalMessage(), e);
      }
    }

    @Override
    public WorkflowCommand decode(byte[] bytes) {
      if (AppendCodec.isBinary(bytes)) {
        return AppendCodec.decode(bytes);
      }
      try {
        return MAPPER.readValue(bytes, WorkflowCommand.class);
      } catch (IOException e) {
        throw new IllegalArgumentException("not a workflow command: " + e.getMessage(), e);
      }
    }
  };

  private final long clusterId;
  private final CheckpointStore checkpoints;
  private final WorkflowSnapshotFormat snapshots;
  private final Map<String, WorkflowRecord> workflows = new LinkedHashMap<>();
  /** Ended workflows that still hold history, by end time (for the duration retention), then end order. */
  private final TreeSet<WorkflowRecord> historyByEnd = new TreeSet<>(
      Comparator.<WorkflowRecord>comparingLong(r -> r.endedAt).thenComparingLong(r -> r.endSeq));
  /** Journals of ended workflows whose tails still hold writes the store had not committed yet. */
  private final ArrayDeque<Journal> unsettled = new ArrayDeque<>();
  /**
   * Ended workflows by end order ({@link WorkflowRecord#endSeq}), oldest first: records end in that order, so a
   * queue keeps it without a tree entry and a boxed key per ended record.
   */
  private final ArrayDeque<WorkflowRecord> ended = new ArrayDeque<>();
  private long endSeq;
  /**
   * The running records, in start order: the leader's owner failover looks at them every duty period, and a scan of
   * every record (thousands of ended ones kept for their results) took milliseconds of the group's event loop.
   */
  private final Map<String, WorkflowRecord> running = new LinkedHashMap<>();
  /**
   * One instance of each workflow type's name: every decoded start carries its own copy, and ended records stay in
   * the heap by the thousand. Bounded, in case a cluster sees many names (none is refused for it).
   */
  private final Map<String, String> typeNames = new HashMap<>();
  private static final int MAX_TYPE_NAMES = 1_024;
  private final MemberRegistrations registrations = new MemberRegistrations();
  private WorkflowStateListener listener = WorkflowStateListener.NONE;

  /** A state machine whose journals stay in the heap. */
  public WorkflowStateMachine(long clusterId) {
    this(clusterId, new InHeapCheckpointStore());
  }

  /**
   * A state machine keeping journals in {@code checkpoints}. It starts empty, so it clears what the store holds of
   * the cluster (a restore or the log's replay writes it again).
   */
  public WorkflowStateMachine(long clusterId, CheckpointStore checkpoints) {
    this.clusterId = clusterId;
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    this.snapshots = new WorkflowSnapshotFormat(MAPPER, checkpoints, clusterId);
    checkpoints.clear(clusterId);
  }

  public void listener(WorkflowStateListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  public long clusterId() {
    return clusterId;
  }

  public WorkflowRecord get(String id) {
    return workflows.get(id);
  }

  public Collection<WorkflowRecord> all() {
    return workflows.values();
  }

  public int endedCount() {
    return ended.size();
  }

  public int runningCount() {
    return running.size();
  }

  /** The running workflows (a view: copy it before applying commands while iterating). */
  public Collection<WorkflowRecord> running() {
    return Collections.unmodifiableCollection(running.values());
  }

  /** The workflows each member announced it runs. */
  MemberRegistrations registrations() {
    return registrations;
  }

  /** End time (epoch ms) of the ended workflow that ended first among those holding history, or 0 when none. */
  public long oldestHistoryEndedAt() {
    return historyByEnd.isEmpty() ? 0 : historyByEnd.first().endedAt;
  }

  /** End time (epoch ms) of the oldest ended workflow still kept, or 0. */
  public long oldestEndedAt() {
    return ended.isEmpty() ? 0 : ended.peekFirst().endedAt;
  }

  @Override
  public CommandOutcome apply(long index, WorkflowCommand command) {
    settleEnded();
    if (command instanceof WorkflowCommand.Start c) {
      return start(c);
    } else if (command instanceof WorkflowCommand.Append c) {
      return append(c);
    } else if (command instanceof WorkflowCommand.Finish c) {
      return finish(c);
    } else if (command instanceof WorkflowCommand.Signal c) {
      return signal(c);
    } else if (command instanceof WorkflowCommand.Terminate c) {
      return terminate(c);
    } else if (command instanceof WorkflowCommand.ChangeOwner c) {
      return changeOwner(c);
    } else if (command instanceof WorkflowCommand.Prune c) {
      return prune(c);
    } else if (command instanceof WorkflowCommand.Registrations c) {
      registrations.announce(c.node(), c.workflows());
      return CommandOutcome.accepted(null);
    } else if (command instanceof WorkflowCommand.Batch c) {
      List<CommandOutcome> parts = new ArrayList<>(c.commands().size());
      for (WorkflowCommand part : c.commands()) {
        if (part instanceof WorkflowCommand.Batch) {
          throw new IllegalArgumentException("a batch cannot hold a batch");
        }
        parts.add(apply(index, part));
      }
      return CommandOutcome.batch(parts);
    }
    throw new IllegalArgumentException("unknown command " + command);
  }

  private CommandOutcome start(WorkflowCommand.Start c) {
    WorkflowRecord existing = workflows.get(c.id());
    if (existing != null) {
      boolean same = existing.type.equals(c.type()) && existing.version == c.version();
      return CommandOutcome.rejected(same ? Rejection.ALREADY_STARTED : Rejection.ID_CONFLICT, status(existing));
    }
    WorkflowRecord r = new WorkflowRecord();
    r.id = c.id();
    r.type = typeName(c.type());
    r.version = c.version();
    r.input = c.input();
    r.owner = c.owner();
    r.startedAt = c.at();
    r.traceparent = c.traceparent();
    r.journal = new Journal(checkpoints, clusterId, r.id);
    workflows.put(r.id, r);
    running.put(r.id, r);
    listener.started(r);
    return CommandOutcome.accepted(status(r));
  }

  /** The running record {@code id} owned by {@code owner} with {@code seq} journal entries, or why not. */
  private Rejection check(WorkflowRecord r, long owner, int seq) {
    if (r == null) {
      return Rejection.UNKNOWN_WORKFLOW;
    }
    if (r.state != WorkflowState.RUNNING) {
      return Rejection.NOT_RUNNING;
    }
    if (r.owner != owner) {
      return Rejection.NOT_OWNER;
    }
    if (seq < r.journal.size()) {
      return Rejection.POSITION_TAKEN;
    }
    return seq > r.journal.size() ? Rejection.POSITION_AHEAD : null;
  }

  /** {@link #check(WorkflowRecord, long, int)}, then the run fence: {@code prev} names journal entry seq-1. */
  private Rejection check(WorkflowRecord r, long owner, int seq, Long prev) {
    Rejection why = check(r, owner, seq);
    if (why == null && prev != null && seq > 0 && !prev.equals(r.journal.lastDigest())) {
      return Rejection.DIVERGED;
    }
    return why;
  }

  private CommandOutcome append(WorkflowCommand.Append c) {
    WorkflowRecord r = workflows.get(c.id());
    Rejection why = check(r, c.owner(), c.seq(), c.prev());
    if (why != null) {
      return CommandOutcome.rejected(why, null);
    }
    JournalEntry e = new JournalEntry(c.key(), c.value(), c.errorType(), c.errorMessage());
    if (SignalInbox.consumes(e) && !SignalInbox.consume(r, e)) {
      return CommandOutcome.rejected(Rejection.SIGNAL_NOT_PENDING, null);
    }
    r.journal.append(e, c.at() == null ? 0 : c.at(), c.owner());
    r.checkpointCount = r.journal.size();
    listener.appended(r, c.seq(), e);
    return CommandOutcome.accepted(null);
  }

  private CommandOutcome finish(WorkflowCommand.Finish c) {
    WorkflowRecord r = workflows.get(c.id());
    Rejection why = check(r, c.owner(), c.seq(), c.prev());
    if (why != null) {
      return CommandOutcome.rejected(why, r == null ? null : status(r));
    }
    r.finalQueries = c.queries();
    if (c.errorType() == null) {
      r.state = WorkflowState.COMPLETED;
      r.result = c.result();
    } else {
      r.state = WorkflowState.FAILED;
      r.errorType = c.errorType();
      r.errorMessage = c.errorMessage();
    }
    end(r, c.at(), c.keepHistory());
    return CommandOutcome.accepted(status(r));
  }

  private CommandOutcome signal(WorkflowCommand.Signal c) {
    WorkflowRecord r = workflows.get(c.id());
    if (r == null) {
      return CommandOutcome.rejected(Rejection.UNKNOWN_WORKFLOW, null);
    }
    if (r.state != WorkflowState.RUNNING) {
      return CommandOutcome.rejected(Rejection.NOT_RUNNING, status(r));
    }
    if (SignalInbox.isDuplicate(r, c)) {
      return CommandOutcome.accepted(status(r)); // a retried send: delivered once already
    }
    listener.signalled(r, SignalInbox.deliver(r, c));
    return CommandOutcome.accepted(status(r));
  }

  private CommandOutcome terminate(WorkflowCommand.Terminate c) {
    WorkflowRecord r = workflows.get(c.id());
    if (r == null) {
      return CommandOutcome.rejected(Rejection.UNKNOWN_WORKFLOW, null);
    }
    if (r.state != WorkflowState.RUNNING) {
      return CommandOutcome.rejected(Rejection.NOT_RUNNING, status(r));
    }
    r.state = WorkflowState.TERMINATED;
    r.errorType = "terminated";
    r.errorMessage = c.reason();
    end(r, c.at(), c.keepHistory());
    return CommandOutcome.accepted(status(r));
  }

  /** Ends {@code r}, keeping its last {@code keepHistory} checkpoints (none when null: an older proposer). */
  private void end(WorkflowRecord r, long at, Integer keepHistory) {
    // The start time is the proposer's clock, the end time possibly another node's: never end before the start.
    r.endedAt = Math.max(at, r.startedAt);
    r.endSeq = ++endSeq;
    r.journal.keepLast(keepHistory == null ? 0 : keepHistory);
    if (r.journal.retained() > 0) {
      historyByEnd.add(r);
    }
    if (!r.journal.settle(0)) {
      unsettled.add(r.journal);
    }
    // Nothing consumes them any more (and a signal to an ended workflow is refused, retried or not).
    r.signals = List.of();
    r.signalIds = null;
    ended.addLast(r);
    running.remove(r.id);
    listener.ended(r);
  }

  private String typeName(String name) {
    String known = typeNames.get(name);
    if (known != null) {
      return known;
    }
    if (typeNames.size() < MAX_TYPE_NAMES) {
      typeNames.put(name, name);
    }
    return name;
  }

  private CommandOutcome changeOwner(WorkflowCommand.ChangeOwner c) {
    WorkflowRecord r = workflows.get(c.id());
    if (r == null) {
      return CommandOutcome.rejected(Rejection.UNKNOWN_WORKFLOW, null);
    }
    if (r.state != WorkflowState.RUNNING) {
      return CommandOutcome.rejected(Rejection.NOT_RUNNING, status(r));
    }
    if (r.owner != c.from()) {
      return CommandOutcome.rejected(Rejection.NOT_OWNER, status(r));
    }
    r.owner = c.to();
    listener.ownerChanged(r, c.from());
    return CommandOutcome.accepted(status(r));
  }

  private CommandOutcome prune(WorkflowCommand.Prune c) {
    List<String> gone = new ArrayList<>();
    while (!ended.isEmpty()) {
      WorkflowRecord r = ended.peekFirst();
      if (ended.size() <= c.keep() && r.endedAt >= c.cutoff()) {
        break;
      }
      ended.pollFirst();
      workflows.remove(r.id);
      historyByEnd.remove(r);
      r.journal.drop();
      gone.add(r.id);
    }
    if (c.historyCutoff() != null) {
      while (!historyByEnd.isEmpty() && historyByEnd.first().endedAt < c.historyCutoff()) {
        historyByEnd.pollFirst().journal.drop();
      }
    }
    if (!gone.isEmpty()) {
      listener.pruned(gone);
    }
    return CommandOutcome.accepted(null);
  }

  private WorkflowStatus status(WorkflowRecord r) {
    return r.toStatus(clusterId);
  }

  /** Lets the tails of ended workflows' journals go once the store committed what they held. */
  private void settleEnded() {
    while (!unsettled.isEmpty() && unsettled.peekFirst().settle(0)) {
      unsettled.pollFirst();
    }
  }

  /** Streams the records, then each journal from the checkpoint store (see {@link WorkflowSnapshotFormat}). */
  @Override
  public void snapshot(OutputStream out) throws IOException {
    snapshots.write(out, endSeq, registrations.toSnapshot(), new ArrayList<>(workflows.values()));
  }

  /**
   * Freezes the state when the checkpoint store can: the records are encoded now, the journals are streamed later by
   * the group's worker from the store's frozen view (see {@link WorkflowSnapshotFormat#freeze}).
   */
  @Override
  public FrozenSnapshot freeze() {
    CheckpointStore.Frozen frozen = checkpoints.freeze(clusterId);
    if (frozen == null) {
      return null;
    }
    try {
      return snapshots.freeze(endSeq, registrations.toSnapshot(), new ArrayList<>(workflows.values()), frozen);
    } catch (IOException | RuntimeException e) {
      frozen.close();
      throw new IllegalStateException("freezing the workflow state of cluster " + clusterId + " failed: " + e, e);
    }
  }

  /** Reads either snapshot format (streamed, or the JSON of older nodes) and refills the checkpoint store. */
  @Override
  public void restore(InputStream in) throws IOException {
    workflows.clear();
    ended.clear();
    historyByEnd.clear();
    unsettled.clear();
    running.clear();
    WorkflowSnapshotFormat.Restored s;
    try {
      s = snapshots.read(in, id -> new Journal(checkpoints, clusterId, id));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("workflow snapshot of cluster " + clusterId + " is unreadable: " + e, e);
    }
    endSeq = s.endSeq();
    registrations.restore(s.registrations());
    List<WorkflowRecord> endedRecords = new ArrayList<>();
    for (WorkflowRecord r : s.records()) {
      if (r.signals == null || r.signals.isEmpty()) {
        r.signals = List.of();
      }
      if (r.signalIds != null && r.signalIds.isEmpty()) {
        r.signalIds = null; // older snapshots wrote every record's empty set
      }
      r.type = typeName(r.type);
      workflows.put(r.id, r);
      if (r.state == WorkflowState.RUNNING) {
        running.put(r.id, r);
      } else {
        endedRecords.add(r);
        if (r.journal.retained() > 0) {
          historyByEnd.add(r);
        }
      }
    }
    endedRecords.sort(Comparator.comparingLong(r -> r.endSeq));
    ended.addAll(endedRecords);
    listener.restored();
  }
}
