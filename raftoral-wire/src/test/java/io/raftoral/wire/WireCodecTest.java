package io.raftoral.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.Snapshot;
import io.raftoral.transport.RaftBatch;
import io.raftoral.wire.v1.RaftEnvelope;
import io.raftoral.wire.v1.RaftMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The wire schema: every field of every core type survives a round trip, and untrusted bytes (garbage, truncated or
 * mutated frames, out-of-range values) only ever end in a {@link MalformedFrameException}.
 */
class WireCodecTest {

  private static final long SEED = Long.getLong("raftoral.wire.seed", 20_261_122L);

  /** A message with every field set to a distinct, non-default value. */
  private static Message everyField(MessageType type) {
    Snapshot snapshot = new Snapshot(40, 6, new Membership(Set.of(1L, 2L, 3L), Set.of(4L, 5L)),
        "state".getBytes(StandardCharsets.UTF_8));
    return Message.builder(type, 2, 3)
        .term(7)
        .logTerm(6)
        .index(41)
        .entries(List.of(
            Entry.normal(42, 7, "a".getBytes(StandardCharsets.UTF_8)),
            Entry.normal(43, 7, new byte[0]),
            new Entry(44, 7, EntryType.CONFIG_CHANGE, new ConfigChange(ConfigChange.Type.ADD_LEARNER, 9,
                "host:1".getBytes(StandardCharsets.UTF_8)).encode())))
        .commit(40)
        .reject(true)
        .rejectHint(39)
        .snapshot(snapshot)
        .context(new byte[] {1, 2, 3})
        .build();
  }

  private static void assertSameMessage(Message actual, Message expected) {
    assertThat(actual.type()).isEqualTo(expected.type());
    assertThat(actual.from()).isEqualTo(expected.from());
    assertThat(actual.to()).isEqualTo(expected.to());
    assertThat(actual.term()).isEqualTo(expected.term());
    assertThat(actual.logTerm()).isEqualTo(expected.logTerm());
    assertThat(actual.index()).isEqualTo(expected.index());
    assertThat(actual.entries()).isEqualTo(expected.entries()); // Entry.equals compares data bytes
    assertThat(actual.commit()).isEqualTo(expected.commit());
    assertThat(actual.reject()).isEqualTo(expected.reject());
    assertThat(actual.rejectHint()).isEqualTo(expected.rejectHint());
    assertThat(actual.context()).isEqualTo(expected.context());
    if (expected.snapshot() == null) {
      assertThat(actual.snapshot()).isNull();
    } else {
      assertThat(actual.snapshot().index()).isEqualTo(expected.snapshot().index());
      assertThat(actual.snapshot().term()).isEqualTo(expected.snapshot().term());
      assertThat(actual.snapshot().membership()).isEqualTo(expected.snapshot().membership());
      assertThat(actual.snapshot().data()).isEqualTo(expected.snapshot().data());
    }
  }

  @Test
  void everyFieldOfEveryMessageTypeSurvivesARoundTrip() throws Exception {
    List<io.raftoral.transport.RaftEnvelope> envelopes = new ArrayList<>();
    long cluster = 0;
    for (MessageType type : MessageType.values()) {
      envelopes.add(new io.raftoral.transport.RaftEnvelope(cluster++, everyField(type)));
    }
    // Defaults too: no entries, no snapshot, empty context, zeros.
    envelopes.add(new io.raftoral.transport.RaftEnvelope(Long.MAX_VALUE,
        Message.builder(MessageType.HEARTBEAT, 2, 3).build()));
    RaftBatch batch = new RaftBatch(2, 3, envelopes);

    RaftBatch decoded = WireCodec.decode(WireCodec.encode(batch));

    assertThat(decoded.fromNode()).isEqualTo(2);
    assertThat(decoded.toNode()).isEqualTo(3);
    assertThat(decoded.envelopes()).hasSameSizeAs(envelopes);
    for (int i = 0; i < envelopes.size(); i++) {
      assertThat(decoded.envelopes().get(i).clusterId()).isEqualTo(envelopes.get(i).clusterId());
      assertSameMessage(decoded.envelopes().get(i).message(), envelopes.get(i).message());
    }
    assertThat(decoded.envelopes().get(2).message().entries().get(2).configChange())
        .isEqualTo(new ConfigChange(ConfigChange.Type.ADD_LEARNER, 9, "host:1".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void everyMessageAndEntryTypeHasItsOwnWireValue() {
    Set<Integer> messageValues = new HashSet<>();
    for (MessageType t : MessageType.values()) {
      assertThat(messageValues.add(WireCodec.toProto(t).getNumber())).as(t.name()).isTrue();
      assertThat(WireCodec.toProto(t).getNumber()).isPositive();
    }
    for (EntryType t : EntryType.values()) {
      assertThat(WireCodec.toProto(t).getNumber()).as(t.name()).isPositive();
    }
  }

  @Test
  void hardStateRoundTrips() throws Exception {
    HardState h = new HardState(12, 3, 99);
    assertThat(WireCodec.fromProto(io.raftoral.wire.v1.HardState.parseFrom(WireCodec.toProto(h).toByteArray())))
        .isEqualTo(h);
    assertThatThrownBy(() -> WireCodec.fromProto(io.raftoral.wire.v1.HardState.newBuilder().setTerm(-1).build()))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("term out of range");
  }

  private static io.raftoral.wire.v1.RaftBatch.Builder valid() {
    return WireCodec.toProto(new RaftBatch(2, 3, List.of(new io.raftoral.transport.RaftEnvelope(5,
        everyField(MessageType.APPEND))))).toBuilder();
  }

  private static void assertRefused(io.raftoral.wire.v1.RaftBatch.Builder frame, String reason) {
    assertThatThrownBy(() -> WireCodec.decode(frame.build().toByteArray()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void invalidValuesAreRefusedWithAClearReason() {
    assertRefused(valid().setSchemaVersion(2), "unsupported schema version 2");
    assertRefused(valid().setSchemaVersion(0), "unsupported schema version 0");
    assertRefused(valid().setFromNode(0), "from_node must be a node id > 0");
    assertRefused(valid().setToNode(-1), "to_node must be a node id > 0, was 18446744073709551615");
    assertRefused(valid().setEnvelopes(0, valid().getEnvelopes(0).toBuilder().setClusterId(-5)),
        "envelope 0 cluster_id out of range");
    assertRefused(valid().setEnvelopes(0, RaftEnvelope.newBuilder().setClusterId(1)), "envelope 0: no message");
    RaftMessage m = valid().getEnvelopes(0).getMessage();
    assertRefused(withMessage(m.toBuilder().setTypeValue(99)), "unknown message type 99");
    assertRefused(withMessage(m.toBuilder().setType(io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_UNSPECIFIED)),
        "unknown message type 0");
    assertRefused(withMessage(m.toBuilder().setTerm(-1)), "term out of range");
    assertRefused(withMessage(m.toBuilder().setCommit(Long.MIN_VALUE)), "commit out of range");
    assertRefused(withMessage(m.toBuilder().setTo(0)), "to must be a node id > 0");
    assertRefused(withMessage(m.toBuilder().setEntries(1, m.getEntries(1).toBuilder().setIndex(-3))),
        "entry 1 index out of range");
    assertRefused(withMessage(m.toBuilder().setEntries(0, m.getEntries(0).toBuilder().setTypeValue(7))),
        "unknown entry type 7");
    assertRefused(withMessage(m.toBuilder().setEntries(0, m.getEntries(0).toBuilder()
            .setType(io.raftoral.wire.v1.EntryType.ENTRY_TYPE_CONFIG_CHANGE).setData(ByteString.copyFromUtf8("x")))),
        "configuration change payload");
    assertRefused(withMessage(m.toBuilder().setSnapshot(m.getSnapshot().toBuilder().setMembership(
            io.raftoral.wire.v1.Membership.newBuilder().addVoters(1).addLearners(1)))),
        "is both voter and learner");
    assertRefused(withMessage(m.toBuilder().setSnapshot(m.getSnapshot().toBuilder().setMembership(
            io.raftoral.wire.v1.Membership.newBuilder().addVoters(1).addVoters(1)))),
        "listed twice");
    assertRefused(withMessage(m.toBuilder().setSnapshot(m.getSnapshot().toBuilder().setMembership(
            io.raftoral.wire.v1.Membership.newBuilder().addVoters(0)))),
        "voters must be a node id > 0");
    assertRefused(withMessage(m.toBuilder().setType(io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_SNAPSHOT)
        .clearSnapshot()), "SNAPSHOT message without a snapshot");
  }

  private static io.raftoral.wire.v1.RaftBatch.Builder withMessage(RaftMessage.Builder m) {
    return valid().setEnvelopes(0, RaftEnvelope.newBuilder().setClusterId(5).setMessage(m));
  }

  @Test
  void nonProtobufBytesAreRefused() {
    assertThatThrownBy(() -> WireCodec.decode("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("not a raftoral.v1.RaftBatch");
    assertThatThrownBy(() -> WireCodec.decode(new byte[0]))
        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unsupported schema version 0");
    assertThatThrownBy(() -> WireCodec.decode(null)).isInstanceOf(MalformedFrameException.class);
    byte[] frame = WireCodec.encode(new RaftBatch(2, 3, List.of()));
    byte[] truncated = Arrays.copyOf(valid().build().toByteArray(), 20);
    assertThatThrownBy(() -> WireCodec.decode(truncated)).isInstanceOf(MalformedFrameException.class);
    byte[] withEndGroup = Arrays.copyOf(frame, frame.length + 1);
    withEndGroup[frame.length] = 0x0C; // end-group tag of field 1
    assertThatThrownBy(() -> WireCodec.decode(withEndGroup)).isInstanceOf(MalformedFrameException.class);
  }

  /**
   * Random bytes, and valid frames with random bytes flipped, inserted or cut: each either decodes into valid core
   * types or is refused with {@link MalformedFrameException}; no other exception, ever. Seeded
   * ({@code -Draftoral.wire.seed=N}).
   */
  @Test
  void randomAndMutatedBytesOnlyEverProduceTheClearError() {
    Random random = new Random(SEED);
    byte[] template = valid().build().toByteArray();
    int refused = 0;
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      switch (i % 4) {
        case 0 -> {
          input = new byte[random.nextInt(200)];
          random.nextBytes(input);
        }
        case 1 -> {
          input = template.clone();
          for (int k = 1 + random.nextInt(4); k > 0; k--) {
            input[random.nextInt(input.length)] = (byte) random.nextInt(256);
          }
        }
        case 2 -> input = Arrays.copyOf(template, random.nextInt(template.length + 1));
        default -> {
          int at = random.nextInt(template.length);
          byte[] junk = new byte[1 + random.nextInt(8)];
          random.nextBytes(junk);
          input = new byte[template.length + junk.length];
          System.arraycopy(template, 0, input, 0, at);
          System.arraycopy(junk, 0, input, at, junk.length);
          System.arraycopy(template, at, input, at + junk.length, template.length - at);
        }
      }
      try {
        RaftBatch b = WireCodec.decode(input);
        assertThat(b.fromNode()).isPositive();
        accepted++;
      } catch (MalformedFrameException e) {
        assertThat(e.getMessage()).isNotBlank();
        refused++;
      } catch (Throwable t) {
        throw new AssertionError("input " + i + " (seed " + SEED + ") escaped with " + t, t);
      }
    }
    assertThat(refused).isPositive();
    assertThat(accepted + refused).isEqualTo(20_000);
  }
}
