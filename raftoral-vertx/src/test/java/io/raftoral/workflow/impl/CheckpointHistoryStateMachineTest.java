package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.InHeapCheckpointStore;
import io.raftoral.storage.LaggingCheckpointStore;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.impl.WorkflowCommand.Append;
import io.raftoral.workflow.impl.WorkflowCommand.Finish;
import io.raftoral.workflow.impl.WorkflowCommand.Prune;
import io.raftoral.workflow.impl.WorkflowCommand.Start;
import io.raftoral.workflow.impl.WorkflowCommand.Terminate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Journals in the checkpoint store: the hot tail, each entry's time and owner, the history retention applied by
 * committed commands (identical on every replica), and snapshots streaming the history (old JSON ones still read).
 */
class CheckpointHistoryStateMachineTest {

  private static final long CLUSTER = 1;
  private static final long OWNER = 7;
  private static final long STARTED_AT = 1_000;
  private static final int LONG_JOURNAL = 3 * Journal.HOT_TAIL;

  /** Applies commands through the codec, as the log does, to every replica given. */
  private static final class Replicas {
    final List<WorkflowStateMachine> all = new ArrayList<>();
    long index;

    Replicas(CheckpointStore... stores) {
      for (CheckpointStore s : stores) {
        all.add(new WorkflowStateMachine(CLUSTER, s));
      }
    }

    List<CommandOutcome> apply(WorkflowCommand c) {
      index++;
      List<CommandOutcome> out = new ArrayList<>();
      for (WorkflowStateMachine sm : all) {
        out.add(sm.apply(index, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(c))));
      }
      return out;
    }

    /** Starts {@code id} and appends {@code entries} entries with times 10_000 + position. */
    void run(String id, int entries) {
      apply(new Start(id, "t", 1, "\"in\"", OWNER, STARTED_AT));
      for (int i = 0; i < entries; i++) {
        WorkflowRecord r = all.get(0).get(id);
        assertThat(apply(new Append(id, OWNER, i, "k" + i, Integer.toString(i), null, null, r.journal.lastDigest(),
            10_000L + i))).allMatch(CommandOutcome::accepted);
      }
    }
  }

  @Test
  void writesTheStoreHasNotCommittedAreReadFromTheHotTailAndCommittedOnesFromTheStore() {
    LaggingCheckpointStore store = new LaggingCheckpointStore();
    Replicas replicas = new Replicas(store);
    replicas.run("w", LONG_JOURNAL);
    Journal journal = replicas.all.get(0).get("w").journal;
    // Nothing committed: the whole journal is still in the tail, and reads see it all.
    assertThat(journal).hasSize(LONG_JOURNAL);
    assertThat(journal.get(0)).isEqualTo(new JournalEntry("k0", "0", null, null));
    store.commitAll();
    replicas.run("other", 1); // an append lets the tail go down to its bound
    WorkflowRecord r = replicas.all.get(0).get("w");
    assertThat(replicas.apply(new Append("w", OWNER, LONG_JOURNAL, "last", "1", null, null, r.journal.lastDigest(),
        20_000L))).allMatch(CommandOutcome::accepted);
    assertThat(store.pendingWrites()).isEqualTo(2);
    // Early entries now come from the store, the last ones (not committed) from the tail.
    for (int i = 0; i < LONG_JOURNAL; i++) {
      assertThat(r.journal.get(i)).isEqualTo(new JournalEntry("k" + i, Integer.toString(i), null, null));
    }
    assertThat(r.journal.get(LONG_JOURNAL).key()).isEqualTo("last");
    assertThat(r.journal.page(0, LONG_JOURNAL + 1)).extracting(StoredEntry::position)
        .containsExactlyElementsOf(positions(0, LONG_JOURNAL + 1));
  }

  @Test
  void eachEntryKeepsTheProposingOwnersTimeAndNode() {
    Replicas replicas = new Replicas(new InHeapCheckpointStore());
    replicas.run("w", 1);
    replicas.apply(new Append("w", OWNER, 1, "old", "1", null, null)); // an older node's command: no time
    List<StoredEntry> page = replicas.all.get(0).get("w").journal.page(0, 10);
    assertThat(page).containsExactly(new StoredEntry(0, new JournalEntry("k0", "0", null, null), 10_000, OWNER),
        new StoredEntry(1, new JournalEntry("old", "1", null, null), 0, OWNER));
  }

  @Test
  void everyRetentionModeTrimsIdenticallyOnEveryReplica() {
    InHeapCheckpointStore heap = new InHeapCheckpointStore();
    LaggingCheckpointStore lagging = new LaggingCheckpointStore();
    Replicas replicas = new Replicas(heap, lagging, new InHeapCheckpointStore());
    int n = LONG_JOURNAL;
    replicas.run("last", n);
    replicas.run("all", n);
    replicas.run("none", n);
    replicas.run("older", n);
    replicas.run("terminated", n);
    replicas.apply(finish("last", n, 3_000, 5));
    replicas.apply(finish("all", n, 3_000, Integer.MAX_VALUE));
    replicas.apply(finish("none", n, 3_000, 0));
    replicas.apply(finish("older", n, 3_000, null));
    replicas.apply(new Terminate("terminated", "stop", 4_000, 2));
    lagging.commitAll();
    for (WorkflowStateMachine sm : replicas.all) {
      assertThat(sm.get("last").journal.page(0, n)).extracting(StoredEntry::position)
          .containsExactlyElementsOf(positions(n - 5, n));
      assertThat(sm.get("all").journal.page(0, n)).hasSize(n);
      assertThat(sm.get("none").journal.retained()).isZero();
      assertThat(sm.get("older").journal.retained()).isZero();
      assertThat(sm.get("terminated").journal.page(0, n)).extracting(StoredEntry::position)
          .containsExactly((long) n - 2, (long) n - 1);
      assertThat(sm.get("terminated").state).isEqualTo(WorkflowState.TERMINATED);
      assertThat(sm.get("last").checkpointCount).isEqualTo(n);
    }
    assertThat(heap.read(CLUSTER, "last", 0, n)).hasSize(5);
    assertThat(heap.read(CLUSTER, "none", 0, n)).isEmpty();
    // The duration: the leader's prune drops the history of what ended before its cutoff, not the records.
    assertThat(replicas.all.get(0).oldestHistoryEndedAt()).isEqualTo(3_000);
    replicas.apply(new Prune(100, 0, 3_500L));
    lagging.commitAll();
    for (WorkflowStateMachine sm : replicas.all) {
      assertThat(sm.get("last").journal.retained()).isZero();
      assertThat(sm.get("all").journal.retained()).isZero();
      assertThat(sm.get("terminated").journal.retained()).isEqualTo(2);
      assertThat(sm.endedCount()).isEqualTo(5);
      assertThat(sm.oldestHistoryEndedAt()).isEqualTo(4_000);
    }
    assertThat(heap.read(CLUSTER, "all", 0, n)).isEmpty();
    // Pruning a record drops what is left of its history.
    replicas.apply(new Prune(0, 0));
    lagging.commitAll();
    assertThat(heap.read(CLUSTER, "terminated", 0, n)).isEmpty();
    assertThat(lagging.read(CLUSTER, "terminated", 0, n)).isEmpty();
    assertThat(replicas.all.get(1).snapshot()).isEqualTo(replicas.all.get(0).snapshot());
  }

  @Test
  void aStreamedSnapshotCarriesTheHistoryAndARestoreRefillsTheStore() {
    InHeapCheckpointStore source = new InHeapCheckpointStore();
    Replicas replicas = new Replicas(source);
    replicas.run("running", LONG_JOURNAL);
    replicas.run("ended", LONG_JOURNAL);
    replicas.apply(finish("ended", LONG_JOURNAL, 3_000, 4));
    byte[] snap = replicas.all.get(0).snapshot();

    InHeapCheckpointStore target = new InHeapCheckpointStore();
    target.put(CLUSTER, "stale", 0, new byte[] {1}); // what the store held before: the restore clears it
    WorkflowStateMachine restored = new WorkflowStateMachine(CLUSTER, target);
    target.put(CLUSTER, "stale", 0, new byte[] {1});
    restored.restore(snap);
    assertThat(target.read(CLUSTER, "stale", 0, 1)).isEmpty();
    assertThat(target.read(CLUSTER, "running", 0, LONG_JOURNAL)).hasSize(LONG_JOURNAL);
    assertThat(restored.get("running").journal.page(0, LONG_JOURNAL))
        .isEqualTo(replicas.all.get(0).get("running").journal.page(0, LONG_JOURNAL));
    assertThat(restored.get("ended").journal.page(0, LONG_JOURNAL)).extracting(StoredEntry::position)
        .containsExactlyElementsOf(positions(LONG_JOURNAL - 4, LONG_JOURNAL));
    assertThat(restored.snapshot()).isEqualTo(snap);
    // The run fence still holds after the restore: the next entry must name the last one.
    WorkflowRecord r = restored.get("running");
    assertThat(restored.apply(1, new Append("running", OWNER, LONG_JOURNAL, "next", "1", null, null, 42L, 1L))
        .rejection()).isEqualTo(CommandOutcome.Rejection.DIVERGED);
    assertThat(restored.apply(2, new Append("running", OWNER, LONG_JOURNAL, "next", "1", null, null,
        r.journal.lastDigest(), 1L)).accepted()).isTrue();
  }

  @Test
  void aSnapshotInTheJsonFormatOfOlderNodesRestores() {
    String old = "{\"endSeq\":1,\"workflows\":["
        + "{\"id\":\"a\",\"type\":\"t\",\"version\":1,\"input\":\"\\\"in\\\"\",\"owner\":1,\"state\":\"RUNNING\","
        + "\"startedAt\":1000,\"endedAt\":0,\"journal\":[{\"key\":\"k\",\"value\":\"{\\\"x\\\":1}\",\"errorType\":null,"
        + "\"errorMessage\":null},{\"key\":\"f\",\"value\":null,\"errorType\":\"E\",\"errorMessage\":\"boom\"}],"
        + "\"checkpointCount\":2,\"result\":null,\"errorType\":null,\"errorMessage\":null,\"endSeq\":0,"
        + "\"signals\":[],\"signalCount\":0,\"signalIds\":[],\"finalQueries\":null},"
        + "{\"id\":\"b\",\"type\":\"t\",\"version\":1,\"input\":\"\\\"in\\\"\",\"owner\":2,\"state\":\"COMPLETED\","
        + "\"startedAt\":1000,\"endedAt\":2000,\"journal\":[],\"checkpointCount\":3,\"result\":\"\\\"ok\\\"\","
        + "\"errorType\":null,\"errorMessage\":null,\"endSeq\":1,\"signals\":[],\"signalCount\":0,\"signalIds\":[],"
        + "\"finalQueries\":null}],\"registrations\":{\"1\":[\"t@1\"]}}";
    InHeapCheckpointStore store = new InHeapCheckpointStore();
    WorkflowStateMachine sm = new WorkflowStateMachine(CLUSTER, store);
    sm.restore(old.getBytes(StandardCharsets.UTF_8));

    assertThat(sm.get("a").journal).containsExactly(new JournalEntry("k", "{\"x\":1}", null, null),
        new JournalEntry("f", null, "E", "boom"));
    assertThat(sm.get("a").journal.page(0, 10)).extracting(StoredEntry::at).containsExactly(0L, 0L);
    assertThat(store.read(CLUSTER, "a", 0, 10)).hasSize(2);
    assertThat(sm.get("b").state).isEqualTo(WorkflowState.COMPLETED);
    assertThat(sm.get("b").journal.retained()).isZero();
    assertThat(sm.get("b").checkpointCount).isEqualTo(3);
    assertThat(sm.runningCount()).isEqualTo(1);
    assertThat(sm.endedCount()).isEqualTo(1);
    assertThat(sm.registrations().runs(1, "t", 1)).isTrue();
    // Continues with the fence of the restored entries, and its next snapshot is in the streamed format.
    long sawF = new JournalEntry("f", null, "E", "boom").digest();
    assertThat(sm.apply(1, new Append("a", 1, 2, "g", "2", null, null, sawF, 5_000L)).accepted()).isTrue();
    byte[] streamed = sm.snapshot();
    assertThat(streamed[0]).isEqualTo((byte) 'R');
    WorkflowStateMachine again = new WorkflowStateMachine(CLUSTER);
    again.restore(streamed);
    assertThat(again.get("a").journal).hasSize(3);
    assertThat(again.snapshot()).isEqualTo(streamed);
  }

  private static Finish finish(String id, int seq, long at, Integer keepHistory) {
    return new Finish(id, OWNER, seq, "\"done\"", null, null, at, null, null, keepHistory);
  }

  private static List<Long> positions(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long p = from; p < to; p++) {
      out.add(p);
    }
    return out;
  }
}
