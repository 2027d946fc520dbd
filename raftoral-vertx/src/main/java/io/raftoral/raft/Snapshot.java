package io.raftoral.raft;

import java.util.Objects;

/**
 * A state-machine snapshot replacing the log prefix up to {@code index} (§7).
 *
 * @param index the last entry the snapshot covers
 * @param term the term of that entry
 * @param membership the configuration in effect at {@code index}
 * @param data the serialized state machine; never null
 */
public record Snapshot(long index, long term, Membership membership, byte[] data) {

  private static final byte[] NO_DATA = new byte[0];

  /** No snapshot yet: index 0, term 0, no members. */
  public static final Snapshot EMPTY = new Snapshot(0, 0, Membership.EMPTY, NO_DATA);

  public Snapshot {
    Objects.requireNonNull(membership, "membership");
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("negative index or term");
    }
    data = data == null ? NO_DATA : data;
  }

  @Override
  public String toString() {
    return "Snapshot{" + index + "@" + term + ", " + membership + ", " + data.length + "B}";
  }
}
