package io.raftoral.raft;

import java.util.List;
import java.util.Objects;

/**
 * What a server had durably stored, from which a {@link RaftNode} is (re)started.
 *
 * @param hardState the last persisted hard state
 * @param snapshot the last persisted snapshot (for a new cluster, {@link Snapshot#bootstrap(Membership)}; for a
 *     server waiting to be added, a bootstrap snapshot of {@link Membership#EMPTY})
 * @param entries the persisted entries after the snapshot, contiguous from {@code snapshot.index() + 1}
 */
public record PersistentState(HardState hardState, Snapshot snapshot, List<Entry> entries) {

  public PersistentState {
    Objects.requireNonNull(hardState, "hardState");
    Objects.requireNonNull(snapshot, "snapshot");
    entries = List.copyOf(entries);
    long expected = snapshot.index() + 1;
    for (Entry e : entries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException("entries must be contiguous from " + (snapshot.index() + 1)
            + ", found index " + e.index() + " where " + expected + " was expected");
      }
      expected++;
    }
    if (hardState.commit() > expected - 1) {
      throw new IllegalArgumentException("commit index " + hardState.commit() + " beyond last index " + (expected - 1));
    }
  }

  /** State of a server of a brand-new cluster. */
  public static PersistentState bootstrap(Membership initial) {
    return new PersistentState(HardState.EMPTY, Snapshot.bootstrap(initial), List.of());
  }
}
