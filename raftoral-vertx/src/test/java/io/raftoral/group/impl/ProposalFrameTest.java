package io.raftoral.group.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The proposal header's layout: what every replica decodes from the log, so it must never change by accident. */
class ProposalFrameTest {

  @Test
  void aFrameDecodesToWhatWasEncoded() {
    byte[] command = "put k v".getBytes(StandardCharsets.UTF_8);

    ProposalFrame frame = ProposalFrame.decode(ProposalFrame.encode(3, 0x1234_5678_9abcL, 42, command));

    assertThat(frame.proposer()).isEqualTo(3);
    assertThat(frame.session()).isEqualTo(0x1234_5678_9abcL);
    assertThat(frame.sequence()).isEqualTo(42);
    assertThat(frame.command()).isEqualTo(command);
  }

  @Test
  void theLayoutIsMagicProposerSessionSequenceThenCommandBigEndian() {
    byte[] data = ProposalFrame.encode(7, 8, 9, new byte[] {1, 2});

    assertThat(data).hasSize(25 + 2);
    ByteBuffer buf = ByteBuffer.wrap(data);
    assertThat(buf.get()).isEqualTo((byte) 'R');
    assertThat(buf.getLong()).isEqualTo(7);
    assertThat(buf.getLong()).isEqualTo(8);
    assertThat(buf.getLong()).isEqualTo(9);
    assertThat(buf.get()).isEqualTo((byte) 1);
    assertThat(buf.get()).isEqualTo((byte) 2);
  }

  @Test
  void anEmptyCommandStillMakesAFrame() {
    byte[] data = ProposalFrame.encode(1, 1, 1, new byte[0]);

    assertThat(ProposalFrame.isFrame(data)).isTrue();
    assertThat(ProposalFrame.decode(data).command()).isEmpty();
  }

  @Test
  void dataWithoutTheMagicOrTooShortIsNotAFrame() {
    byte[] good = ProposalFrame.encode(1, 1, 1, new byte[] {5});
    byte[] wrongMagic = good.clone();
    wrongMagic[0] = 'X';
    byte[] truncated = new byte[ProposalFrame.HEADER_BYTES - 1];
    truncated[0] = ProposalFrame.MAGIC;

    assertThat(ProposalFrame.isFrame(wrongMagic)).isFalse();
    assertThat(ProposalFrame.isFrame(truncated)).isFalse();
    assertThatThrownBy(() -> ProposalFrame.decode(wrongMagic)).isInstanceOf(IllegalArgumentException.class);
  }
}
