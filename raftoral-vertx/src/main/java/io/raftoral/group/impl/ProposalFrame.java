package io.raftoral.group.impl;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The header a group puts in front of every command it proposes, so that whichever node proposed a command
 * recognizes it when applying it (and completes its caller with its own state machine's result), and so that
 * replicas skip a re-sent duplicate ({@link ProposalSessions}).
 *
 * <p>Layout, big-endian: {@code magic (1 byte) | proposer node (8) | proposer session (8) | sequence (8) | command}.
 *
 * @param proposer the node that proposed the command
 * @param session the proposer's session (one per group incarnation on that node)
 * @param sequence the proposal's number within the session
 * @param command the encoded command
 */
record ProposalFrame(long proposer, long session, long sequence, byte[] command) {

  /** First byte of every frame ('R'): an entry without it is not a Raftoral command. */
  static final byte MAGIC = 'R';
  static final int MAGIC_OFFSET = 0;
  static final int PROPOSER_OFFSET = MAGIC_OFFSET + Byte.BYTES;
  static final int SESSION_OFFSET = PROPOSER_OFFSET + Long.BYTES;
  static final int SEQUENCE_OFFSET = SESSION_OFFSET + Long.BYTES;
  /** Size of the header; the command follows it. */
  static final int HEADER_BYTES = SEQUENCE_OFFSET + Long.BYTES;

  /** The entry data for {@code command} proposed by {@code proposer} as {@code (session, sequence)}. */
  static byte[] encode(long proposer, long session, long sequence, byte[] command) {
    return ByteBuffer.allocate(HEADER_BYTES + command.length)
        .put(MAGIC_OFFSET, MAGIC)
        .putLong(PROPOSER_OFFSET, proposer)
        .putLong(SESSION_OFFSET, session)
        .putLong(SEQUENCE_OFFSET, sequence)
        .put(HEADER_BYTES, command)
        .array();
  }

  /** Whether {@code data} starts with a proposal header. */
  static boolean isFrame(byte[] data) {
    return data.length >= HEADER_BYTES && data[MAGIC_OFFSET] == MAGIC;
  }

  /**
   * Reads the frame in {@code data}.
   *
   * @throws IllegalArgumentException when {@code data} is not a frame ({@link #isFrame})
   */
  static ProposalFrame decode(byte[] data) {
    if (!isFrame(data)) {
      throw new IllegalArgumentException("not a Raftoral proposal (" + data.length + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.wrap(data);
    return new ProposalFrame(buf.getLong(PROPOSER_OFFSET), buf.getLong(SESSION_OFFSET), buf.getLong(SEQUENCE_OFFSET),
        Arrays.copyOfRange(data, HEADER_BYTES, data.length));
  }
}
