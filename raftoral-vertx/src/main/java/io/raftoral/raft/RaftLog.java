package io.raftoral.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory log of one server: a snapshot prefix, the entries after it, and the configuration history those
 * entries imply. It tracks what has been handed out for persistence (stable), committed and applied.
 *
 * <p>The whole uncompacted log is held in memory; callers bound it by compacting after snapshots.
 */
final class RaftLog {

  /** The value of {@code persistingIndex} while no Ready with entries is outstanding. */
  private static final long NOT_PERSISTING = -1;

  private long snapshotIndex;
  private long snapshotTerm;
  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();
  /** Configuration after each config entry still in the log, keyed by the entry's index. */
  private final TreeMap<Long, Membership> configs = new TreeMap<>();

  private long committed;
  /** Committed entries up to here have been handed to the application (in a Ready not yet advanced, or before). */
  private long applying;
  /** Entries up to here are known to be durable. */
  private long stableIndex;
  /** Entries up to here are being persisted (handed out in the outstanding Ready), or {@link #NOT_PERSISTING}. */
  private long persistingIndex = NOT_PERSISTING;
  /** A snapshot received from the leader that the application has not been handed yet. */
  private Snapshot unstableSnapshot;

  RaftLog(PersistentState state) {
    this.snapshot = state.snapshot();
    this.snapshotIndex = snapshot.index();
    this.snapshotTerm = snapshot.term();
    for (Entry e : state.entries()) {
      appendOne(e);
    }
    this.stableIndex = lastIndex();
    this.committed = Math.max(state.hardState().commit(), snapshotIndex);
    this.applying = snapshotIndex;
  }

  /** The highest index known to be committed. */
  long committed() {
    return committed;
  }

  /** The highest committed index handed to the application (in a Ready not yet advanced, or before). */
  long applying() {
    return applying;
  }

  /** The highest index known to be durable on this server. */
  long stableIndex() {
    return stableIndex;
  }

  /** A snapshot received from the leader that has not been handed to the application yet, or null. */
  Snapshot unstableSnapshot() {
    return unstableSnapshot;
  }

  /**
   * A Ready hands out the unstable entries and snapshot for persistence (etcd raft's {@code acceptUnstable}): the
   * snapshot is no longer pending, and the entries up to the last index are being persisted.
   */
  void acceptUnstable() {
    unstableSnapshot = null;
    persistingIndex = lastIndex();
  }

  /** A Ready hands out the committed entries up to {@code index} to be applied (etcd raft's {@code acceptApplying}). */
  void acceptApplying(long index) {
    applying = index;
  }

  /**
   * The Ready that accepted the unstable entries was carried out: they are durable now (etcd raft's
   * {@code stableTo}). Entries truncated meanwhile were removed from the accepted range by {@link #maybeAppend}.
   */
  void stableToAccepted() {
    if (persistingIndex != NOT_PERSISTING) {
      stableIndex = Math.max(stableIndex, persistingIndex);
      persistingIndex = NOT_PERSISTING;
    }
  }

  long firstIndex() {
    return snapshotIndex + 1;
  }

  long lastIndex() {
    return snapshotIndex + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshotTerm : entries.get(entries.size() - 1).term();
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The term of entry {@code index}, or -1 when it is compacted away or beyond the end of the log. */
  long term(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    if (index < snapshotIndex || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - snapshotIndex - 1)).term();
  }

  boolean matchTerm(long index, long term) {
    long t = term(index);
    return t >= 0 && t == term;
  }

  Entry entry(long index) {
    return entries.get((int) (index - snapshotIndex - 1));
  }

  /** Entries {@code [from, to]}, at most {@code maxBytes} of them (always at least one if the range is not empty). */
  List<Entry> slice(long from, long to, long maxBytes) {
    if (from <= snapshotIndex) {
      throw new IllegalArgumentException("entry " + from + " is compacted (first index " + firstIndex() + ")");
    }
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = from; i <= Math.min(to, lastIndex()); i++) {
      Entry e = entry(i);
      bytes += e.sizeBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** Membership in effect: that of the last configuration entry in the log, else that of the snapshot. */
  Membership membership() {
    Map.Entry<Long, Membership> last = configs.lastEntry();
    return last == null ? snapshot.membership() : last.getValue();
  }

  /** Membership in effect after entry {@code index} (which must not be compacted). */
  Membership membershipAt(long index) {
    Map.Entry<Long, Membership> at = configs.floorEntry(index);
    return at == null ? snapshot.membership() : at.getValue();
  }

  /** Index of the last configuration entry, or the snapshot index when there is none in the log. */
  long lastConfigIndex() {
    Map.Entry<Long, Membership> last = configs.lastEntry();
    return last == null ? snapshotIndex : last.getKey();
  }

  /** The largest index {@code <= index} whose term is {@code <= term} (fast backtracking). */
  long findConflictByTerm(long index, long term) {
    long i = Math.min(index, lastIndex());
    while (i > snapshotIndex) {
      if (term(i) <= term) {
        return i;
      }
      i--;
    }
    return i;
  }

  /** Appends entries that continue the log exactly (the leader's own proposals). */
  void append(List<Entry> newEntries) {
    for (Entry e : newEntries) {
      if (e.index() != lastIndex() + 1) {
        throw new IllegalStateException("non-contiguous append of " + e.index() + " after " + lastIndex());
      }
      appendOne(e);
    }
  }

  private void appendOne(Entry e) {
    Membership before = membership();
    entries.add(e);
    if (e.type() == EntryType.CONFIG_CHANGE) {
      Membership after;
      try {
        after = before.apply(e.configChange());
      } catch (IllegalArgumentException ex) {
        // A leader only appends changes that fit; an unfit one can only come from a stale or corrupt log.
        // It changes nothing, exactly as it changes nothing on every other server.
        after = before;
      }
      configs.put(e.index(), after);
    }
  }

  /**
   * Follower side of AppendEntries (§5.3): if the log has an entry at {@code prevIndex} with {@code prevTerm},
   * deletes conflicting entries, appends the new ones and returns the index of the last new entry; else returns -1.
   */
  long maybeAppend(long prevIndex, long prevTerm, List<Entry> newEntries) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return -1;
    }
    long lastNew = prevIndex + newEntries.size();
    for (int k = 0; k < newEntries.size(); k++) {
      Entry e = newEntries.get(k);
      if (e.index() <= snapshotIndex) {
        continue;
      }
      if (matchTerm(e.index(), e.term())) {
        continue;
      }
      if (e.index() <= committed) {
        throw new IllegalStateException("entry " + e.index() + " conflicts with committed entry (commit " + committed + ")");
      }
      truncateFrom(e.index());
      append(newEntries.subList(k, newEntries.size()));
      break;
    }
    return lastNew;
  }

  private void truncateFrom(long index) {
    if (index > lastIndex()) {
      return;
    }
    int keep = (int) (index - snapshotIndex - 1);
    entries.subList(keep, entries.size()).clear();
    configs.tailMap(index, true).clear();
    stableIndex = Math.min(stableIndex, index - 1);
    if (persistingIndex != NOT_PERSISTING) {
      persistingIndex = Math.min(persistingIndex, index - 1);
    }
  }

  void commitTo(long index) {
    if (index > committed) {
      if (index > lastIndex()) {
        throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
      }
      committed = index;
    }
  }

  /** Replaces the whole log by a snapshot received from the leader (§7). */
  void restore(Snapshot s) {
    entries.clear();
    configs.clear();
    snapshot = s;
    snapshotIndex = s.index();
    snapshotTerm = s.term();
    committed = s.index();
    applying = s.index();
    stableIndex = s.index();
    if (persistingIndex != NOT_PERSISTING) {
      persistingIndex = Math.min(persistingIndex, s.index());
    }
    unstableSnapshot = s;
  }

  /**
   * Discards entries up to {@code index}, which the application has applied and captured in {@code data}. Returns
   * null when a snapshot at or beyond {@code index} already replaced the log (for example one just received from
   * the leader and not yet handed to the application).
   */
  Snapshot compact(long index, byte[] data) {
    if (index <= snapshotIndex) {
      return null;
    }
    if (index > applying || index > stableIndex) {
      throw new IllegalArgumentException("cannot compact to " + index + ": applied " + applying + ", durable " + stableIndex);
    }
    Snapshot s = new Snapshot(index, term(index), membershipAt(index), data);
    int drop = (int) (index - snapshotIndex);
    entries.subList(0, drop).clear();
    configs.headMap(index, true).clear();
    snapshot = s;
    snapshotIndex = index;
    snapshotTerm = s.term();
    return s;
  }

  boolean hasUnstable() {
    return lastIndex() > stableIndex;
  }

  List<Entry> unstableEntries() {
    if (lastIndex() <= stableIndex) {
      return List.of();
    }
    return new ArrayList<>(entries.subList((int) (stableIndex - snapshotIndex), entries.size()));
  }

  /** The entries after those already handed out, up to {@code limit} (the commit index under the standard rules). */
  List<Entry> nextCommitted(long limit) {
    long hi = Math.min(limit, lastIndex());
    if (hi <= applying) {
      return List.of();
    }
    return new ArrayList<>(entries.subList((int) (applying - snapshotIndex), (int) (hi - snapshotIndex)));
  }
}
