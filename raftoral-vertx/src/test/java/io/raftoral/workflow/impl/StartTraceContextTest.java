package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.workflow.impl.WorkflowCommand.Start;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The Start command's optional W3C trace context (README "Traces"): absent, the command and the snapshots keep the
 * shape they had before traces existed (old logs and nodes read them as before); present, it is replicated with the
 * workflow, so whichever member owns the run continues the start request's trace.
 */
class StartTraceContextTest {

  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  /** A Start command as written before traces existed. */
  private static final String UNTRACED_START =
      "{\"c\":\"start\",\"id\":\"w\",\"type\":\"t\",\"version\":1,\"input\":\"1\",\"owner\":2,\"at\":5}";

  private static String encode(WorkflowCommand c) {
    return new String(WorkflowStateMachine.CODEC.encode(c), StandardCharsets.UTF_8);
  }

  @Test
  void anUntracedStartIsWrittenAsBeforeTracesExisted() {
    assertThat(encode(new Start("w", "t", 1, "1", 2, 5))).isEqualTo(UNTRACED_START);
    assertThat(WorkflowStateMachine.CODEC.decode(UNTRACED_START.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Start("w", "t", 1, "1", 2, 5, null));
  }

  @Test
  void aStartsTraceContextIsReplicatedWithTheWorkflowAndItsSnapshots() {
    WorkflowStateMachine sm = new WorkflowStateMachine(1);
    Start traced = new Start("w", "t", 1, "1", 2, 5, TRACEPARENT);
    sm.apply(1, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(traced)));
    sm.apply(2, new Start("u", "t", 1, "1", 2, 5));
    assertThat(sm.get("w").traceparent).isEqualTo(TRACEPARENT);
    assertThat(sm.get("u").traceparent).isNull();

    byte[] snapshot = sm.snapshot();
    assertThat(new String(snapshot, StandardCharsets.UTF_8)).containsOnlyOnce("traceparent");
    WorkflowStateMachine restored = new WorkflowStateMachine(1);
    restored.restore(snapshot);
    assertThat(restored.get("w").traceparent).isEqualTo(TRACEPARENT);
    assertThat(restored.get("u").traceparent).isNull();
  }
}
