package io.raftoral.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One single-server membership change (thesis §4.1). Servers join as learners first, are promoted to voters once
 * they have caught up, and are removed in one step.
 *
 * @param type what to do
 * @param nodeId the server concerned
 * @param context opaque application data carried with the change (for example the server's address); never null
 */
public record ConfigChange(Type type, long nodeId, byte[] context) {

  /** The kinds of change. */
  public enum Type {
    /** Add a non-voting member that receives the log (thesis §4.2.1). */
    ADD_LEARNER,
    /** Turn a learner into a voter. */
    PROMOTE,
    /** Remove a voter or learner. */
    REMOVE
  }

  private static final byte[] EMPTY = new byte[0];

  public ConfigChange {
    Objects.requireNonNull(type, "type");
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    context = context == null ? EMPTY : context;
  }

  public static ConfigChange addLearner(long nodeId) {
    return new ConfigChange(Type.ADD_LEARNER, nodeId, EMPTY);
  }

  public static ConfigChange promote(long nodeId) {
    return new ConfigChange(Type.PROMOTE, nodeId, EMPTY);
  }

  public static ConfigChange remove(long nodeId) {
    return new ConfigChange(Type.REMOVE, nodeId, EMPTY);
  }

  /** Binary form stored in a {@link EntryType#CONFIG_CHANGE} entry. */
  public byte[] encode() {
    return ByteBuffer.allocate(9 + context.length).put((byte) type.ordinal()).putLong(nodeId).put(context).array();
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @throws IllegalArgumentException when the bytes are not a configuration change
   */
  public static ConfigChange decode(byte[] bytes) {
    if (bytes == null || bytes.length < 9 || bytes[0] < 0 || bytes[0] >= Type.values().length) {
      throw new IllegalArgumentException("not an encoded configuration change");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    Type type = Type.values()[buf.get()];
    long nodeId = buf.getLong();
    byte[] ctx = Arrays.copyOfRange(bytes, 9, bytes.length);
    return new ConfigChange(type, nodeId, ctx);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigChange c && c.type == type && c.nodeId == nodeId && Arrays.equals(c.context, context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, nodeId, Arrays.hashCode(context));
  }

  @Override
  public String toString() {
    return type + "(" + nodeId + ")";
  }
}
