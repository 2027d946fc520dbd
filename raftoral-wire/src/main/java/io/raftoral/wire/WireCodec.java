package io.raftoral.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.Snapshot;
import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.wire.v1.RaftMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Converts between the core Raft types ({@link RaftBatch}, {@link RaftEnvelope}, {@link Message}, {@link Entry},
 * {@link Snapshot}, {@link Membership}, {@link HardState}) and the versioned protobuf wire schema
 * {@code raftoral.v1} ({@code raft.proto}), which both network transports carry.
 *
 * <p>Encoding never fails for values the core types admit. Decoding treats its input as untrusted: anything that is
 * not a valid frame of {@link #SCHEMA_VERSION} ends in a {@link MalformedFrameException} with a clear message, and
 * nothing else ever escapes (no parser, enum, range or constructor exception). Enum values are mapped explicitly,
 * so reordering a Java enum never changes the wire.
 *
 * <p>Stateless and thread-safe. Byte arrays of entries, snapshots and contexts are shared, not copied, on encode
 * (the core treats them as immutable); decode copies them out of the frame.
 */
public final class WireCodec {

  /** The schema version this node writes and the only one it accepts. */
  public static final int SCHEMA_VERSION = 1;

  private WireCodec() {}

  // ------------------------------------------------------------------------------------------------ encode

  /** The protobuf form of {@code batch}, stamped with {@link #SCHEMA_VERSION}. */
  public static io.raftoral.wire.v1.RaftBatch toProto(RaftBatch batch) {
    io.raftoral.wire.v1.RaftBatch.Builder b = io.raftoral.wire.v1.RaftBatch.newBuilder()
        .setSchemaVersion(SCHEMA_VERSION)
        .setFromNode(batch.fromNode())
        .setToNode(batch.toNode());
    for (RaftEnvelope env : batch.envelopes()) {
      b.addEnvelopes(io.raftoral.wire.v1.RaftEnvelope.newBuilder()
          .setClusterId(env.clusterId())
          .setMessage(toProto(env.message())));
    }
    return b.build();
  }

  /** The serialized frame of {@code batch}. */
  public static byte[] encode(RaftBatch batch) {
    return toProto(batch).toByteArray();
  }

  public static RaftMessage toProto(Message m) {
    RaftMessage.Builder b = RaftMessage.newBuilder()
        .setType(toProto(m.type()))
        .setFrom(m.from())
        .setTo(m.to())
        .setTerm(m.term())
        .setLogTerm(m.logTerm())
        .setIndex(m.index())
        .setCommit(m.commit())
        .setReject(m.reject())
        .setRejectHint(m.rejectHint())
        .setContext(wrap(m.context()));
    for (Entry e : m.entries()) {
      b.addEntries(toProto(e));
    }
    if (m.snapshot() != null) {
      b.setSnapshot(toProto(m.snapshot()));
    }
    return b.build();
  }

  public static io.raftoral.wire.v1.Entry toProto(Entry e) {
    return io.raftoral.wire.v1.Entry.newBuilder()
        .setIndex(e.index())
        .setTerm(e.term())
        .setType(toProto(e.type()))
        .setData(wrap(e.data()))
        .build();
  }

  public static io.raftoral.wire.v1.Snapshot toProto(Snapshot s) {
    return io.raftoral.wire.v1.Snapshot.newBuilder()
        .setIndex(s.index())
        .setTerm(s.term())
        .setMembership(toProto(s.membership()))
        .setData(wrap(s.data()))
        .build();
  }

  public static io.raftoral.wire.v1.Membership toProto(Membership m) {
    return io.raftoral.wire.v1.Membership.newBuilder()
        .addAllVoters(m.voters())
        .addAllLearners(m.learners())
        .build();
  }

  public static io.raftoral.wire.v1.HardState toProto(HardState h) {
    return io.raftoral.wire.v1.HardState.newBuilder()
        .setTerm(h.term())
        .setVote(h.vote())
        .setCommit(h.commit())
        .build();
  }

  static io.raftoral.wire.v1.MessageType toProto(MessageType t) {
    return switch (t) {
      case PRE_VOTE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_PRE_VOTE;
      case PRE_VOTE_RESPONSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_PRE_VOTE_RESPONSE;
      case VOTE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_VOTE;
      case VOTE_RESPONSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_VOTE_RESPONSE;
      case APPEND -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_APPEND;
      case APPEND_RESPONSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_APPEND_RESPONSE;
      case HEARTBEAT -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_HEARTBEAT;
      case HEARTBEAT_RESPONSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_HEARTBEAT_RESPONSE;
      case SNAPSHOT -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_SNAPSHOT;
      case TIMEOUT_NOW -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_TIMEOUT_NOW;
      case PROPOSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_PROPOSE;
      case READ_INDEX -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_READ_INDEX;
      case READ_INDEX_RESPONSE -> io.raftoral.wire.v1.MessageType.MESSAGE_TYPE_READ_INDEX_RESPONSE;
    };
  }

  static io.raftoral.wire.v1.EntryType toProto(EntryType t) {
    return switch (t) {
      case NORMAL -> io.raftoral.wire.v1.EntryType.ENTRY_TYPE_NORMAL;
      case CONFIG_CHANGE -> io.raftoral.wire.v1.EntryType.ENTRY_TYPE_CONFIG_CHANGE;
    };
  }

  private static ByteString wrap(byte[] bytes) {
    // The core never mutates these arrays once built, so sharing them avoids a copy per entry.
    return bytes.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes);
  }

  // ------------------------------------------------------------------------------------------------ decode

  /**
   * Decodes one frame received from the network.
   *
   * @throws MalformedFrameException when {@code frame} is not a valid {@code RaftBatch} of {@link #SCHEMA_VERSION}
   */
  public static RaftBatch decode(byte[] frame) throws MalformedFrameException {
    if (frame == null) {
      throw new MalformedFrameException("empty frame");
    }
    return decode(frame, 0, frame.length);
  }

  /** Decodes the frame in {@code frame[offset, offset + length)}; see {@link #decode(byte[])}. */
  public static RaftBatch decode(byte[] frame, int offset, int length) throws MalformedFrameException {
    io.raftoral.wire.v1.RaftBatch proto;
    try {
      CodedInputStream in = CodedInputStream.newInstance(frame, offset, length);
      proto = io.raftoral.wire.v1.RaftBatch.parseFrom(in);
      // parseFrom(CodedInputStream) stops at an end-group tag without complaint; a frame must be one whole message.
      if (!in.isAtEnd()) {
        throw new MalformedFrameException("not a raftoral.v1.RaftBatch: trailing bytes after the message");
      }
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException("not a raftoral.v1.RaftBatch protobuf: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new MalformedFrameException("not a raftoral.v1.RaftBatch protobuf: " + e, e);
    }
    return fromProto(proto);
  }

  /**
   * Validates and converts a decoded protobuf batch.
   *
   * @throws MalformedFrameException when it is not a valid batch of {@link #SCHEMA_VERSION}
   */
  public static RaftBatch fromProto(io.raftoral.wire.v1.RaftBatch p) throws MalformedFrameException {
    if (p.getSchemaVersion() != SCHEMA_VERSION) {
      throw new MalformedFrameException("unsupported schema version " + Integer.toUnsignedString(p.getSchemaVersion())
          + " (this node speaks raftoral.v1 schema version " + SCHEMA_VERSION + ")");
    }
    long from = positive(p.getFromNode(), "batch from_node");
    long to = positive(p.getToNode(), "batch to_node");
    List<RaftEnvelope> envelopes = new ArrayList<>(p.getEnvelopesCount());
    for (int i = 0; i < p.getEnvelopesCount(); i++) {
      io.raftoral.wire.v1.RaftEnvelope env = p.getEnvelopes(i);
      String where = "envelope " + i;
      long clusterId = nonNegative(env.getClusterId(), where + " cluster_id");
      if (!env.hasMessage()) {
        throw new MalformedFrameException(where + ": no message");
      }
      envelopes.add(new RaftEnvelope(clusterId, fromProto(env.getMessage(), where)));
    }
    try {
      return new RaftBatch(from, to, envelopes);
    } catch (RuntimeException e) {
      throw new MalformedFrameException("invalid batch: " + e.getMessage(), e);
    }
  }

  /** Validates and converts a decoded protobuf message; {@code where} prefixes error messages. */
  public static Message fromProto(RaftMessage p, String where)
      throws MalformedFrameException {
    MessageType type = fromProto(p.getType(), p.getTypeValue(), where);
    long from = positive(p.getFrom(), where + " from");
    long to = positive(p.getTo(), where + " to");
    List<Entry> entries = new ArrayList<>(p.getEntriesCount());
    for (int i = 0; i < p.getEntriesCount(); i++) {
      entries.add(fromProto(p.getEntries(i), where + " entry " + i));
    }
    Snapshot snapshot = p.hasSnapshot() ? fromProto(p.getSnapshot(), where + " snapshot") : null;
    if (type == MessageType.SNAPSHOT && snapshot == null) {
      throw new MalformedFrameException(where + ": a SNAPSHOT message without a snapshot");
    }
    try {
      return Message.builder(type, from, to)
          .term(nonNegative(p.getTerm(), where + " term"))
          .logTerm(nonNegative(p.getLogTerm(), where + " log_term"))
          .index(nonNegative(p.getIndex(), where + " index"))
          .commit(nonNegative(p.getCommit(), where + " commit"))
          .reject(p.getReject())
          .rejectHint(nonNegative(p.getRejectHint(), where + " reject_hint"))
          .entries(entries)
          .snapshot(snapshot)
          .context(p.getContext().toByteArray())
          .build();
    } catch (RuntimeException e) {
      throw new MalformedFrameException(where + ": invalid message: " + e.getMessage(), e);
    }
  }

  public static Entry fromProto(io.raftoral.wire.v1.Entry p, String where) throws MalformedFrameException {
    EntryType type = switch (p.getType()) {
      case ENTRY_TYPE_NORMAL -> EntryType.NORMAL;
      case ENTRY_TYPE_CONFIG_CHANGE -> EntryType.CONFIG_CHANGE;
      default -> throw new MalformedFrameException(where + ": unknown entry type " + p.getTypeValue());
    };
    long index = nonNegative(p.getIndex(), where + " index");
    long term = nonNegative(p.getTerm(), where + " term");
    byte[] data = p.getData().toByteArray();
    if (type == EntryType.CONFIG_CHANGE) {
      // Checked here so that a bad payload is refused at the edge instead of failing inside a group's log.
      try {
        ConfigChange.decode(data);
      } catch (RuntimeException e) {
        throw new MalformedFrameException(where + ": configuration change payload: " + e.getMessage(), e);
      }
    }
    try {
      return new Entry(index, term, type, data);
    } catch (RuntimeException e) {
      throw new MalformedFrameException(where + ": invalid entry: " + e.getMessage(), e);
    }
  }

  public static Snapshot fromProto(io.raftoral.wire.v1.Snapshot p, String where) throws MalformedFrameException {
    long index = nonNegative(p.getIndex(), where + " index");
    long term = nonNegative(p.getTerm(), where + " term");
    Membership membership = fromProto(p.getMembership(), where + " membership");
    try {
      return new Snapshot(index, term, membership, p.getData().toByteArray());
    } catch (RuntimeException e) {
      throw new MalformedFrameException(where + ": invalid snapshot: " + e.getMessage(), e);
    }
  }

  public static Membership fromProto(io.raftoral.wire.v1.Membership p, String where)
      throws MalformedFrameException {
    Set<Long> voters = ids(p.getVotersList(), where + " voters");
    Set<Long> learners = ids(p.getLearnersList(), where + " learners");
    try {
      return new Membership(voters, learners);
    } catch (RuntimeException e) {
      throw new MalformedFrameException(where + ": " + e.getMessage(), e);
    }
  }

  public static HardState fromProto(io.raftoral.wire.v1.HardState p) throws MalformedFrameException {
    return new HardState(nonNegative(p.getTerm(), "hard state term"), nonNegative(p.getVote(), "hard state vote"),
        nonNegative(p.getCommit(), "hard state commit"));
  }

  private static Set<Long> ids(List<Long> ids, String where) throws MalformedFrameException {
    Set<Long> out = new HashSet<>();
    for (long id : ids) {
      if (!out.add(positive(id, where))) {
        throw new MalformedFrameException(where + ": node " + id + " listed twice");
      }
    }
    return out;
  }

  private static MessageType fromProto(io.raftoral.wire.v1.MessageType t, int raw, String where)
      throws MalformedFrameException {
    return switch (t) {
      case MESSAGE_TYPE_PRE_VOTE -> MessageType.PRE_VOTE;
      case MESSAGE_TYPE_PRE_VOTE_RESPONSE -> MessageType.PRE_VOTE_RESPONSE;
      case MESSAGE_TYPE_VOTE -> MessageType.VOTE;
      case MESSAGE_TYPE_VOTE_RESPONSE -> MessageType.VOTE_RESPONSE;
      case MESSAGE_TYPE_APPEND -> MessageType.APPEND;
      case MESSAGE_TYPE_APPEND_RESPONSE -> MessageType.APPEND_RESPONSE;
      case MESSAGE_TYPE_HEARTBEAT -> MessageType.HEARTBEAT;
      case MESSAGE_TYPE_HEARTBEAT_RESPONSE -> MessageType.HEARTBEAT_RESPONSE;
      case MESSAGE_TYPE_SNAPSHOT -> MessageType.SNAPSHOT;
      case MESSAGE_TYPE_TIMEOUT_NOW -> MessageType.TIMEOUT_NOW;
      case MESSAGE_TYPE_PROPOSE -> MessageType.PROPOSE;
      case MESSAGE_TYPE_READ_INDEX -> MessageType.READ_INDEX;
      case MESSAGE_TYPE_READ_INDEX_RESPONSE -> MessageType.READ_INDEX_RESPONSE;
      case MESSAGE_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new MalformedFrameException(where + ": unknown message type " + raw);
    };
  }

  /** uint64 values at or above 2^63 arrive as negative Java longs: out of range for every id, index and term. */
  private static long nonNegative(long v, String what) throws MalformedFrameException {
    if (v < 0) {
      throw new MalformedFrameException(what + " out of range: " + Long.toUnsignedString(v));
    }
    return v;
  }

  private static long positive(long v, String what) throws MalformedFrameException {
    if (v <= 0) {
      throw new MalformedFrameException(what + " must be a node id > 0, was " + Long.toUnsignedString(v));
    }
    return v;
  }
}
