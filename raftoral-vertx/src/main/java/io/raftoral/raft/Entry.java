package io.raftoral.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry (§5.3). Two entries with the same index and term are the same entry (Log Matching Property).
 *
 * @param index position in the log, starting at 1 (0 only in a proposal forwarded to the leader, not yet placed)
 * @param term the leader term in which the entry was created (0 in a forwarded proposal)
 * @param type what the payload is
 * @param data the payload; never {@code null}, possibly empty. Treated as immutable.
 */
public record Entry(long index, long term, EntryType type, byte[] data) {

  private static final byte[] EMPTY = new byte[0];

  public Entry {
    Objects.requireNonNull(type, "type");
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("index and term must be >= 0, were " + index + " and " + term);
    }
    data = data == null ? EMPTY : data;
  }

  /** A normal entry. */
  public static Entry normal(long index, long term, byte[] data) {
    return new Entry(index, term, EntryType.NORMAL, data);
  }

  /** Approximate size in bytes, used for flow control and message size limits. */
  public int sizeBytes() {
    return data.length + 24;
  }

  /** The configuration change this entry carries; only for {@link EntryType#CONFIG_CHANGE} entries. */
  public ConfigChange configChange() {
    if (type != EntryType.CONFIG_CHANGE) {
      throw new IllegalStateException("entry " + index + " is not a configuration change");
    }
    return ConfigChange.decode(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && e.index == index
        && e.term == term
        && e.type == type
        && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, term, type, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "Entry{" + index + "@" + term + (type == EntryType.CONFIG_CHANGE ? " " + configChange() : " " + data.length + "B") + "}";
  }
}
