package io.raftoral.lmdb;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.StoreWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * What one group has stored in the {@link RaftLogFiles}: its snapshot, its hard state and its entries after the
 * snapshot, as replaying the group's records gives them. The same rules as the LMDB tables' ({@link LmdbTables}): a
 * received snapshot replaces the whole log, entries replace any stored from the first one's index on (and must not
 * leave a gap), a compaction drops the entries up to a newer snapshot's index.
 *
 * <p>The entries are the {@link Entry} objects the group wrote (the Raft core holds the same ones), so keeping them
 * here costs a reference each. Confined to the log's writer thread.
 */
final class RaftLogGroup {

  private Snapshot snapshot = Snapshot.EMPTY;
  private HardState hardState;
  private final ArrayList<Entry> entries = new ArrayList<>();
  /** The oldest log segment this group's records are needed from (its last full state, or its first record). */
  long firstSegment;

  RaftLogGroup(long firstSegment) {
    this.firstSegment = firstSegment;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The stored hard state, or null if none was written. */
  HardState hardState() {
    return hardState;
  }

  List<Entry> entries() {
    return entries;
  }

  /**
   * Applies {@code w}.
   *
   * @throws IllegalArgumentException when its entries would leave a gap after the stored ones (nothing changed then)
   */
  void apply(StoreWrite w) {
    if (!w.entries().isEmpty()) {
      long first = w.entries().get(0).index();
      long base = w.snapshot() != null ? w.snapshot().index() : snapshot.index();
      long stored = w.snapshot() != null ? base : lastIndex();
      long lastAfterTruncation = Math.max(base, Math.min(stored, first - 1));
      if (first != lastAfterTruncation + 1) {
        throw new IllegalArgumentException("write of entry " + first + " leaves a gap after " + lastAfterTruncation);
      }
    }
    if (w.snapshot() != null) {
      entries.clear();
      snapshot = w.snapshot();
    }
    if (!w.entries().isEmpty()) {
      truncateFrom(w.entries().get(0).index());
      entries.addAll(w.entries());
    }
    if (w.hardState() != null) {
      hardState = w.hardState();
    }
  }

  /** Records snapshot {@code s} taken by the state machine and drops the entries it covers; older ones are ignored. */
  void compact(Snapshot s) {
    if (s.index() <= snapshot.index()) {
      return;
    }
    int drop = 0;
    while (drop < entries.size() && entries.get(drop).index() <= s.index()) {
      drop++;
    }
    entries.subList(0, drop).clear();
    if (!entries.isEmpty() && entries.get(0).index() != s.index() + 1) {
      entries.clear(); // the log did not reach the snapshot: nothing after it is contiguous with it
    }
    snapshot = s;
  }

  /** Replaces everything with a full state (a record that supersedes the group's earlier ones). */
  void replace(Snapshot s, HardState h, List<Entry> es) {
    snapshot = s;
    hardState = h;
    entries.clear();
    entries.addAll(es);
  }

  private void truncateFrom(long index) {
    int keep = entries.size();
    while (keep > 0 && entries.get(keep - 1).index() >= index) {
      keep--;
    }
    entries.subList(keep, entries.size()).clear();
  }

  private long lastIndex() {
    return entries.isEmpty() ? snapshot.index() : entries.get(entries.size() - 1).index();
  }

  /** Whether the group stored nothing. */
  boolean isEmpty() {
    return hardState == null && snapshot.index() == 0 && snapshot.data().length == 0 && entries.isEmpty();
  }

  /** What a restarted group loads, or null when the group stored nothing. */
  PersistentState toPersistentState() {
    if (isEmpty()) {
      return null;
    }
    return new PersistentState(hardState == null ? HardState.EMPTY : hardState, snapshot, entries);
  }
}
