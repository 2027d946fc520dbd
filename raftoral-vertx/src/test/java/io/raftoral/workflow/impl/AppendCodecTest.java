package io.raftoral.workflow.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.workflow.impl.WorkflowCommand.Append;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppendCodecTest {

  private static final List<Append> APPENDS = List.of(
      new Append("wf-1", 2, 7, "step-3", "{\"n\":41}", null, null, -1234567890123L, 1_767_000_000_000L),
      new Append("wf-ü-数", 0, 0, null, null, "java.io.IOException", "disk gone: ü", null, null),
      new Append("", Long.MAX_VALUE, Integer.MAX_VALUE, "", "", "", "", 0L, null));

  @Test
  void aStepsAppendRoundTripsThroughTheCommandCodecInBinary() {
    for (Append a : APPENDS) {
      byte[] bytes = WorkflowStateMachine.CODEC.encode(a);
      assertThat(bytes[0]).isEqualTo(AppendCodec.FORMAT);
      assertThat(WorkflowStateMachine.CODEC.decode(bytes)).isEqualTo(a);
    }
  }

  @Test
  void anAppendWrittenAsJsonByAnOlderNodeStillDecodes() {
    String json = "{\"c\":\"append\",\"id\":\"wf-1\",\"owner\":2,\"seq\":7,\"key\":\"k\",\"value\":\"1\","
        + "\"errorType\":null,\"errorMessage\":null,\"prev\":5}";
    assertThat(WorkflowStateMachine.CODEC.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Append("wf-1", 2, 7, "k", "1", null, null, 5L, null));
  }

  @Test
  void otherCommandsStayJson() {
    byte[] bytes = WorkflowStateMachine.CODEC.encode(new WorkflowCommand.Start("w", "t", 1, "0", 1, 2));
    assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{").contains("\"c\":\"start\"");
  }

  @Test
  void everyTruncationAndTrailingGarbageIsAClearError() {
    byte[] full = AppendCodec.encode(APPENDS.get(0));
    for (int n = 1; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> WorkflowStateMachine.CODEC.decode(cut)).as("cut at %d", n)
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] longer = Arrays.copyOf(full, full.length + 1);
    assertThatThrownBy(() -> WorkflowStateMachine.CODEC.decode(longer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after the append");
  }

  @Test
  void aLengthPastTheEndOrABadPresenceByteIsAClearError() {
    byte[] bytes = AppendCodec.encode(APPENDS.get(0));
    byte[] hugeLength = bytes.clone();
    hugeLength[1] = 0x7f; // the id's length
    assertThatThrownBy(() -> AppendCodec.decode(hugeLength)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes where");
    byte[] badPresence = bytes.clone();
    badPresence[bytes.length - 9 - 9] = 7; // the fence's presence byte (the fence and the time are both present)
    assertThatThrownBy(() -> AppendCodec.decode(badPresence)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("presence byte");
  }
}
