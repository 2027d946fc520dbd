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

  private static final byte[] EMPTY = new byte[0];

  public Snapshot {
    Objects.requireNonNull(membership, "membership");
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("negative index or term");
    }
    data = data == null ? EMPTY : data;
  }

  /** The empty snapshot a brand-new cluster starts from: index 0 and the initial configuration. */
  public static Snapshot bootstrap(Membership initial) {
    return new Snapshot(0, 0, initial, EMPTY);
  }

  @Override
  public String toString() {
    return "Snapshot{" + index + "@" + term + ", " + membership + ", " + data.length + "B}";
  }
}
