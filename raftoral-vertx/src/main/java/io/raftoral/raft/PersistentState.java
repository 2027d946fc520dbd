package io.raftoral.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a server had durably stored, from which a {@link RaftNode} is (re)started.
 *
 * @param hardState the last persisted hard state
 * @param snapshot the last persisted snapshot ({@link Snapshot#EMPTY} before the first compaction)
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

  /**
   * State of a founding server of a brand-new cluster. As in etcd, the initial configuration is written as
   * committed configuration entries of term 1 (each member added as a learner, voters then promoted, in ascending id
   * order), so every founding server starts with the same log, and a server added later learns the whole
   * configuration history from the log like any other entry. The result depends only on {@code initial}.
   */
  public static PersistentState bootstrap(Membership initial) {
    if (initial.voters().isEmpty()) {
      throw new IllegalArgumentException("a new cluster needs at least one voter");
    }
    List<Entry> entries = new ArrayList<>();
    for (long id : initial.members()) {
      entries.add(new Entry(entries.size() + 1, 1, EntryType.CONFIG_CHANGE, ConfigChange.addLearner(id).encode()));
    }
    for (long id : initial.voters()) {
      entries.add(new Entry(entries.size() + 1, 1, EntryType.CONFIG_CHANGE, ConfigChange.promote(id).encode()));
    }
    return new PersistentState(new HardState(1, RaftNode.NONE, entries.size()), Snapshot.EMPTY, entries);
  }

  /**
   * State of a server that will be added to an existing cluster: nothing at all. It stays a passive follower until
   * a leader replicates the log (or a snapshot) to it, from which it learns the configuration.
   */
  public static PersistentState joining() {
    return new PersistentState(HardState.EMPTY, Snapshot.EMPTY, List.of());
  }
}
