package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.raftoral.workflow.impl.WorkflowCommand.Append;
import io.raftoral.workflow.impl.WorkflowCommand.Batch;
import io.raftoral.workflow.impl.WorkflowCommand.ChangeOwner;
import io.raftoral.workflow.impl.WorkflowCommand.Finish;
import io.raftoral.workflow.impl.WorkflowCommand.Prune;
import io.raftoral.workflow.impl.WorkflowCommand.Start;
import io.raftoral.workflow.impl.WorkflowCommand.Terminate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replicated workflow state: which commands are accepted, and snapshots. */
class WorkflowStateMachineTest {

  private final WorkflowStateMachine sm = new WorkflowStateMachine(1);
  private long index;

  private CommandOutcome apply(WorkflowCommand c) {
    // Through the codec, as in the log.
    return sm.apply(++index, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(c)));
  }

  private void started(String id, long owner) {
    assertThat(apply(new Start(id, "t", 1, "\"in\"", owner, 1_000)).accepted()).isTrue();
  }

  @Test
  void appendsAreAcceptedOnlyFromTheOwnerAtTheNextPosition() {
    started("w", 1);
    assertThat(apply(new Append("w", 1, 0, "a", "1", null, null)).accepted()).isTrue();
    assertThat(apply(new Append("w", 1, 0, "a", "1", null, null)).rejection()).isEqualTo(Rejection.POSITION_TAKEN);
    assertThat(apply(new Append("w", 1, 2, "c", "3", null, null)).rejection()).isEqualTo(Rejection.POSITION_AHEAD);
    assertThat(apply(new Append("w", 2, 1, "b", "2", null, null)).rejection()).isEqualTo(Rejection.NOT_OWNER);
    assertThat(apply(new Append("x", 1, 0, "a", "1", null, null)).rejection())
        .isEqualTo(Rejection.UNKNOWN_WORKFLOW);
    assertThat(sm.get("w").journal).containsExactly(new JournalEntry("a", "1", null, null));
  }

  @Test
  void aRunCannotContinueAJournalEntryAnotherRunWrote() {
    started("w", 1);
    // The owner restarts: its earlier run's entry 0 ("old") commits although the new run produced "new" there...
    assertThat(apply(new Append("w", 1, 0, "a", "\"old\"", null, null, null)).accepted()).isTrue();
    assertThat(apply(new Append("w", 1, 0, "a", "\"new\"", null, null, null)).rejection())
        .isEqualTo(Rejection.POSITION_TAKEN);
    // ...and the new run's entry 1, derived from "new", names what it saw at 0: refused, not mixed in.
    long sawNew = JournalEntry.digest("a", "\"new\"", null, null);
    assertThat(apply(new Append("w", 1, 1, "b", "\"from new\"", null, null, sawNew)).rejection())
        .isEqualTo(Rejection.DIVERGED);
    assertThat(apply(new Finish("w", 1, 1, "\"from new\"", null, null, 2_000, sawNew, null)).rejection())
        .isEqualTo(Rejection.DIVERGED);
    // The replayed run saw "old" at 0 and continues from it.
    long sawOld = new JournalEntry("a", "\"old\"", null, null).digest();
    assertThat(apply(new Append("w", 1, 1, "b", "\"from old\"", null, null, sawOld)).accepted()).isTrue();
    assertThat(sm.get("w").journal).extracting(JournalEntry::value).containsExactly("\"old\"", "\"from old\"");
  }

  @Test
  void digestsTellFieldsApart() {
    assertThat(JournalEntry.digest("ab", null, null, null)).isNotEqualTo(JournalEntry.digest("a", "b", null, null));
    assertThat(JournalEntry.digest("a", "", null, null)).isNotEqualTo(JournalEntry.digest("a", null, null, null));
    assertThat(JournalEntry.digest("a", null, "E", "m")).isNotEqualTo(JournalEntry.digest("a", null, "Em", null));
  }

  @Test
  void anOwnerChangeFencesTheOldOwner() {
    started("w", 1);
    assertThat(apply(new ChangeOwner("w", 2, 3)).rejection()).as("from must be the owner").isEqualTo(
        Rejection.NOT_OWNER);
    assertThat(apply(new ChangeOwner("w", 1, 2)).accepted()).isTrue();
    assertThat(apply(new Append("w", 1, 0, "a", "1", null, null)).rejection()).isEqualTo(Rejection.NOT_OWNER);
    assertThat(apply(new Finish("w", 1, 0, "1", null, null, 2_000)).rejection()).isEqualTo(Rejection.NOT_OWNER);
    assertThat(apply(new Append("w", 2, 0, "a", "1", null, null)).accepted()).isTrue();
  }

  @Test
  void finishNeedsTheWholeJournalAndEndsTheWorkflowOnce() {
    started("w", 1);
    apply(new Append("w", 1, 0, "a", "1", null, null));
    assertThat(apply(new Finish("w", 1, 0, "9", null, null, 2_000)).rejection()).isEqualTo(Rejection.POSITION_TAKEN);
    CommandOutcome done = apply(new Finish("w", 1, 1, "9", null, null, 2_000));
    assertThat(done.accepted()).isTrue();
    assertThat(done.status().state()).isEqualTo(WorkflowState.COMPLETED);
    assertThat(done.status().resultJson()).isEqualTo("9");
    assertThat(done.status().checkpointCount()).isEqualTo(1);
    assertThat(apply(new Terminate("w", "late", 3_000)).rejection()).isEqualTo(Rejection.NOT_RUNNING);
    assertThat(sm.runningCount()).isZero();
    assertThat(sm.running()).isEmpty();
    assertThat(sm.endedCount()).isEqualTo(1);
  }

  @Test
  void theRunningViewHoldsTheRunningWorkflowsInStartOrder() {
    started("a", 1);
    started("b", 1);
    started("c", 1);
    apply(new Terminate("b", "stop", 2_000));
    apply(new Finish("c", 1, 0, "1", null, null, 2_000));
    started("d", 1);
    assertThat(sm.running()).extracting(r -> r.id).containsExactly("a", "d");
    assertThat(sm.runningCount()).isEqualTo(2);
    assertThat(sm.all()).hasSize(4);
  }

  @Test
  void aFailureIsRecordedWithItsTypeAndMessage() {
    started("w", 1);
    CommandOutcome failed = apply(new Finish("w", 1, 0, null, "java.io.IOException", "disk on fire", 2_000));
    assertThat(failed.status().state()).isEqualTo(WorkflowState.FAILED);
    assertThat(failed.status().errorType()).isEqualTo("java.io.IOException");
    assertThat(failed.status().errorMessage()).isEqualTo("disk on fire");
  }

  @Test
  void aRepeatedStartKeepsTheFirstAndAnotherTypeConflicts() {
    started("w", 1);
    assertThat(apply(new Start("w", "t", 1, "\"other\"", 2, 5)).rejection()).isEqualTo(Rejection.ALREADY_STARTED);
    assertThat(apply(new Start("w", "t", 2, "\"other\"", 2, 5)).rejection()).isEqualTo(Rejection.ID_CONFLICT);
    assertThat(sm.get("w").input).isEqualTo("\"in\"");
    assertThat(sm.get("w").owner).isEqualTo(1);
  }

  @Test
  void pruneKeepsTheMostRecentlyEndedAndDropsTheOld() {
    for (int i = 0; i < 10; i++) {
      started("w" + i, 1);
      apply(new Finish("w" + i, 1, 0, "0", null, null, 10_000 + i));
    }
    started("running", 1);
    apply(new Prune(4, 0));
    assertThat(sm.all()).extracting(r -> r.id).containsExactly("w6", "w7", "w8", "w9", "running");
    apply(new Prune(100, 10_008));
    assertThat(sm.all()).extracting(r -> r.id).containsExactly("w8", "w9", "running");
  }

  @Test
  void aBatchAppliesEachPartOnItsOwn() {
    started("w", 1);
    CommandOutcome out = apply(new Batch(List.of(new Append("w", 1, 0, "a", "1", null, null),
        new Append("w", 1, 5, "z", "1", null, null), new Append("w", 1, 1, "b", "2", null, null),
        new Finish("w", 1, 2, "3", null, null, 2_000))));
    assertThat(out.parts()).extracting(CommandOutcome::accepted).containsExactly(true, false, true, true);
    assertThat(sm.get("w").state).isEqualTo(WorkflowState.COMPLETED);
  }

  @Test
  void aSnapshotRestoresRunningAndEndedWorkflowsWithTheirJournals() {
    started("a", 1);
    apply(new Append("a", 1, 0, "k", "{\"x\":1}", null, null));
    apply(new Append("a", 1, 1, "f", null, "E", "boom"));
    started("b", 2);
    apply(new Finish("b", 2, 0, "\"ok\"", null, null, 2_000));
    byte[] snap = sm.snapshot();

    WorkflowStateMachine other = new WorkflowStateMachine(1);
    other.restore(snap);
    assertThat(other.snapshot()).isEqualTo(snap);
    assertThat(other.get("a").journal).containsExactly(new JournalEntry("k", "{\"x\":1}", null, null),
        new JournalEntry("f", null, "E", "boom"));
    assertThat(other.get("a").toStatus(1)).isEqualTo(sm.get("a").toStatus(1));
    assertThat(other.get("b").toStatus(1)).isEqualTo(sm.get("b").toStatus(1));
    assertThat(other.runningCount()).isEqualTo(1);
    assertThat(other.running()).extracting(r -> r.id).containsExactly("a");
    assertThat(other.endedCount()).isEqualTo(1);
    // The end order survives too: pruning after a restore drops the same workflows.
    other.apply(1, new Prune(0, 0));
    assertThat(other.all()).extracting(r -> r.id).containsExactly("a");
  }

  @Test
  void undecodableBytesAreAClearError() {
    assertThatThrownBy(() -> WorkflowStateMachine.CODEC.decode("{\"c\":\"launch-missiles\"}".getBytes(
        StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a workflow command");
    assertThatThrownBy(() -> WorkflowStateMachine.CODEC.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNestedBatchIsRefused() {
    assertThatThrownBy(() -> sm.apply(1, new Batch(List.of(new Batch(List.of())))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
