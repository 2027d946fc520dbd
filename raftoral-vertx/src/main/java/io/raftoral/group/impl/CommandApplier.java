package io.raftoral.group.impl;

import io.raftoral.group.CommandCodec;
import io.raftoral.group.StateMachine;
import io.raftoral.raft.Entry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed commands to the user's {@link StateMachine}: unframes them ({@link ProposalFrame}), skips the
 * duplicates of re-sent proposals ({@link ProposalSessions}), decodes and applies them, and hands the outcome to the
 * proposer's waiting caller when this node proposed them. Also takes and restores snapshots, with the session table
 * in front of the user's image.
 *
 * <p>Confined to the group's event-loop context.
 */
final class CommandApplier<C, R> {

  private static final Logger LOG = LoggerFactory.getLogger(CommandApplier.class);

  private final long groupId;
  private final long nodeId;
  private final StateMachine<C, R> stateMachine;
  private final CommandCodec<C> codec;
  private final ProposalSessions sessions = new ProposalSessions();

  CommandApplier(long groupId, long nodeId, StateMachine<C, R> stateMachine, CommandCodec<C> codec) {
    this.groupId = groupId;
    this.nodeId = nodeId;
    this.stateMachine = stateMachine;
    this.codec = codec;
  }

  /**
   * Applies the command in {@code e} and returns the notification of its caller when this node proposed it and the
   * caller still waits (to be run once the group's status reflects the entry), else null.
   */
  Runnable apply(Entry e, ProposalRequests<R> proposals) {
    if (!ProposalFrame.isFrame(e.data())) {
      LOG.debug("group {} on node {}: entry {} not applied: {}", groupId, nodeId, e.index(),
          "not a Raftoral command");
      return null;
    }
    ProposalFrame frame = ProposalFrame.decode(e.data());
    if (!sessions.markApplied(frame.session(), frame.sequence(), e.index())) {
      return null; // a re-sent proposal that was applied already
    }
    R result = null;
    RuntimeException failure = null;
    try {
      result = stateMachine.apply(e.index(), codec.decode(frame.command()));
    } catch (RuntimeException ex) {
      // An undecodable command or a deterministic failure of the state machine: it happens identically on every
      // replica; report it to the proposer and keep going.
      failure = ex;
      LOG.debug("group {} on node {}: entry {} not applied: {}", groupId, nodeId, e.index(), ex.toString());
    }
    return proposals.onApplied(frame, e.index(), result, failure);
  }

  /** Restores the state machine (and the session table) from the data of a group snapshot taken at {@code index}. */
  void restore(byte[] snapshotData, long index) {
    stateMachine.restore(sessions.unwrap(snapshotData, index));
  }

  /** The group snapshot's data of the state applied so far. */
  byte[] snapshot() {
    return sessions.wrap(stateMachine.snapshot());
  }

  /** Streams the group snapshot of the state applied so far: the session table, then the user's image. */
  void snapshot(OutputStream out) throws IOException {
    sessions.writeTable(out);
    stateMachine.snapshot(out);
    out.flush();
  }

  /**
   * Freezes the group snapshot of the state applied so far, to be streamed by a worker (the session table is copied
   * now), or returns null when the state machine does not freeze ({@link StateMachine#freeze()}).
   */
  StateMachine.FrozenSnapshot freeze() throws IOException {
    StateMachine.FrozenSnapshot image = stateMachine.freeze();
    if (image == null) {
      return null; // streamed on the context by snapshot(OutputStream), table included
    }
    byte[] tableBytes;
    try {
      ByteArrayOutputStream table = new ByteArrayOutputStream();
      sessions.writeTable(table);
      tableBytes = table.toByteArray();
    } catch (IOException | RuntimeException e) {
      image.close();
      throw e;
    }
    return new StateMachine.FrozenSnapshot() {
      @Override
      public void write(OutputStream out) throws IOException {
        out.write(tableBytes);
        image.write(out);
        out.flush();
      }

      @Override
      public void close() {
        image.close();
      }
    };
  }

  /** Restores the state machine (and the session table) from a group snapshot streamed from {@code in}. */
  void restore(InputStream in, long index) throws IOException {
    stateMachine.restore(sessions.readTable(in, index));
  }
}
