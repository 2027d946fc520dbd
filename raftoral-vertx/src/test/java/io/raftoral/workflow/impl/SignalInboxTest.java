package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.raftoral.workflow.impl.WorkflowCommand.Append;
import io.raftoral.workflow.impl.WorkflowCommand.Finish;
import io.raftoral.workflow.impl.WorkflowCommand.Signal;
import io.raftoral.workflow.impl.WorkflowCommand.Start;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replicated signal inbox: numbered in commit order, consumed once, kept in snapshots, dropped at the end. */
class SignalInboxTest {

  private final WorkflowStateMachine sm = new WorkflowStateMachine(1);
  private long index;

  private CommandOutcome apply(WorkflowCommand c) {
    // Through the codec, as in the log.
    return sm.apply(++index, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(c)));
  }

  private static Append consume(int seq, String name, long signal, String payload) {
    return new Append("w", 1, seq, WorkflowContext.SIGNAL_KEY_PREFIX + name, Payloads.encode(
        new SignalDelivery(signal, payload)), null, null);
  }

  @Test
  void signalsAreNumberedInCommitOrderAndConsumedOnce() {
    apply(new Start("w", "t", 1, "1", 1, 1_000));
    assertThat(apply(new Signal("w", "go", "\"a\"")).accepted()).isTrue();
    assertThat(apply(new Signal("w", "other", "1")).accepted()).isTrue();
    assertThat(apply(new Signal("w", "go", "\"b\"")).accepted()).isTrue();
    assertThat(sm.get("w").signals).extracting(PendingSignal::seq).containsExactly(0L, 1L, 2L);

    assertThat(apply(consume(0, "go", 0, "\"a\"")).accepted()).isTrue();
    assertThat(apply(consume(1, "go", 0, "\"a\"")).rejection()).as("consumed already")
        .isEqualTo(Rejection.SIGNAL_NOT_PENDING);
    assertThat(apply(consume(1, "go", 1, "1")).rejection()).as("another name")
        .isEqualTo(Rejection.SIGNAL_NOT_PENDING);
    assertThat(apply(consume(1, "go", SignalDelivery.TIMED_OUT, null)).accepted()).as("a timeout consumes nothing")
        .isTrue();
    assertThat(sm.get("w").signals).extracting(PendingSignal::name).containsExactly("other", "go");
    assertThat(sm.get("w").journal).hasSize(2);
  }

  @Test
  void aRetriedSendWithTheSameIdIsDeliveredOnceEvenAcrossASnapshot() {
    apply(new Start("w", "t", 1, "1", 1, 1_000));
    assertThat(apply(new Signal("w", "go", "\"a\"", "send-1")).accepted()).isTrue();
    assertThat(apply(new Signal("w", "go", "\"a\"", "send-1")).accepted()).as("the retry is answered as a success")
        .isTrue();
    assertThat(apply(new Signal("w", "go", "\"b\"", "send-2")).accepted()).isTrue();
    assertThat(sm.get("w").signals).extracting(PendingSignal::payload).containsExactly("\"a\"", "\"b\"");

    WorkflowStateMachine restored = new WorkflowStateMachine(1);
    restored.restore(sm.snapshot());
    assertThat(restored.get("w").signalIds).containsExactly("send-1", "send-2");
    restored.apply(++index, new Signal("w", "go", "\"b\"", "send-2"));
    assertThat(restored.get("w").signals).hasSize(2);
  }

  @Test
  void onlyTheNewestSignalIdsAreRemembered() {
    apply(new Start("w", "t", 1, "1", 1, 1_000));
    for (int i = 0; i <= SignalInbox.REMEMBERED_SIGNAL_IDS; i++) {
      apply(new Signal("w", "go", "1", "id-" + i));
    }
    assertThat(sm.get("w").signalIds).hasSize(SignalInbox.REMEMBERED_SIGNAL_IDS).doesNotContain("id-0")
        .contains("id-" + SignalInbox.REMEMBERED_SIGNAL_IDS);
  }

  @Test
  void theInboxIsInSnapshotsAndDroppedWhenTheWorkflowEnds() {
    apply(new Start("w", "t", 1, "1", 1, 1_000));
    apply(new Signal("w", "go", "\"a\""));
    WorkflowStateMachine restored = new WorkflowStateMachine(1);
    restored.restore(sm.snapshot());
    assertThat(restored.get("w").signals).containsExactly(new PendingSignal(0, "go", "\"a\""));
    assertThat(restored.get("w").signalCount).isEqualTo(1);

    assertThat(apply(new Finish("w", 1, 0, "1", null, null, 2_000, null, Map.of("state", "\"done\""))).accepted())
        .isTrue();
    assertThat(sm.get("w").signals).isEmpty();
    assertThat(sm.get("w").finalQueries).containsEntry("state", "\"done\"");
    assertThat(apply(new Signal("w", "go", "1")).rejection()).isEqualTo(Rejection.NOT_RUNNING);
    assertThat(apply(new Signal("nobody", "go", "1")).rejection()).isEqualTo(Rejection.UNKNOWN_WORKFLOW);

    restored.restore(sm.snapshot());
    assertThat(restored.get("w").finalQueries).containsEntry("state", "\"done\"");
  }

  @Test
  void anEndWithoutQueriesEncodesAsBefore() {
    String json = new String(WorkflowStateMachine.CODEC.encode(new Finish("w", 1, 0, "1", null, null, 2_000)));
    assertThat(json).doesNotContain("queries");
  }
}
