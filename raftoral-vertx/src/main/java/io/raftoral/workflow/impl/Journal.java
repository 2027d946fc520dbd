package io.raftoral.workflow.impl;

import io.raftoral.storage.CheckpointStore;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * One workflow's journal: its entries live in the node's {@link CheckpointStore} (out of the heap with LMDB), and
 * only a "hot tail" stays here: the last {@value #HOT_TAIL} entries, and any later entry the store has not committed
 * yet (the store makes a write readable only once committed, so the tail holds everything that is not). The last
 * entry's digest (the run fence) is always at hand.
 *
 * <p>A list of the journal's entries by position, read-only as a list: {@link #append} adds. Positions before
 * {@link #first()} were trimmed by the history retention and read as null. Touched on the group's context only.
 */
final class Journal extends AbstractList<JournalEntry> {

  /** Entries kept in the heap past what the store committed: the owner's and replicas' reads near the end. */
  static final int HOT_TAIL = 32;
  /** Entries read from the store at once when a run replays from further back. */
  private static final int READ_WINDOW = 64;

  /** The ticket of a write known to be committed. */
  private static final long COMMITTED_BEFORE_USE = Long.MIN_VALUE;

  private final CheckpointStore store;
  private final long clusterId;
  private final String workflowId;
  private int first;
  private int size;
  /**
   * Entries at positions {@code size - tail.size()} to {@code size - 1}, with the ticket of their write. An ended
   * workflow's journal settles to the immutable empty list: ended records stay in the heap by the thousand.
   */
  private List<Hot> tail = new ArrayList<>();
  /** The entries of the last read from the store, from position {@link #windowStart}; empty when none. */
  private List<StoredEntry> window = List.of();
  private int windowStart;

  private record Hot(StoredEntry stored, long ticket) {}

  Journal(CheckpointStore store, long clusterId, String workflowId) {
    this.store = store;
    this.clusterId = clusterId;
    this.workflowId = workflowId;
  }

  @Override
  public int size() {
    return size;
  }

  /** The first position still held (earlier ones were trimmed); {@link #size()} when none is. */
  int first() {
    return first;
  }

  /** Entries still held: from {@link #first()} to the end. */
  int retained() {
    return size - first;
  }

  @Override
  public JournalEntry get(int position) {
    StoredEntry s = stored(position);
    return s == null ? null : s.entry();
  }

  /** The entry at {@code position} with its time and owner, or null when trimmed. */
  StoredEntry stored(int position) {
    if (position < 0 || position >= size) {
      throw new IndexOutOfBoundsException("position " + position + " of a journal of " + size);
    }
    if (position < first) {
      return null;
    }
    int tailStart = size - tail.size();
    if (position >= tailStart) {
      return tail.get(position - tailStart).stored();
    }
    int w = position - windowStart;
    if (w < 0 || w >= window.size()) {
      window = fromStore(position, Math.min(READ_WINDOW, tailStart - position));
      windowStart = position;
      w = 0;
      if (window.isEmpty()) {
        throw new IllegalStateException("checkpoint #" + position + " of workflow " + workflowId
            + " is missing from the checkpoint store");
      }
    }
    return window.get(w);
  }

  /** The digest of the last entry (what the next entry's producer must have seen), or null when empty. */
  Long lastDigest() {
    return tail.isEmpty() ? null : tail.get(tail.size() - 1).stored().entry().digest();
  }

  /** Adds the next entry, written through to the store. */
  void append(JournalEntry e, long at, long ownerNode) {
    long ticket = store.put(clusterId, workflowId, size, CheckpointCodec.encode(e, at, ownerNode));
    mutableTail().add(new Hot(new StoredEntry(size, e, at, ownerNode), ticket));
    size++;
    settle(HOT_TAIL);
  }

  /**
   * Drops from the tail what the store committed beyond the last {@code keep} entries.
   *
   * @return whether the tail now holds no more than {@code keep} entries
   */
  boolean settle(int keep) {
    long committed = store.committedThrough();
    int drop = 0;
    while (tail.size() - drop > keep && tail.get(drop).ticket() <= committed) {
      drop++;
    }
    if (drop == tail.size()) {
      tail = List.of();
    } else {
      tail.subList(0, drop).clear();
    }
    return tail.size() <= keep;
  }

  private List<Hot> mutableTail() {
    if (!(tail instanceof ArrayList)) {
      tail = new ArrayList<>();
    }
    return tail;
  }

  /** Keeps only the last {@code keep} entries (the workflow ended; the history retention says how many). */
  void keepLast(int keep) {
    if (keep <= 0) {
      drop();
    } else if (retained() > keep) {
      trimBefore(size - keep);
    }
  }

  private void trimBefore(int position) {
    first = position;
    int tailStart = size - tail.size();
    if (position > tailStart) {
      tail.subList(0, position - tailStart).clear();
    }
    window = List.of();
    store.deleteBefore(clusterId, workflowId, position);
  }

  /** Forgets every entry (the record is pruned, or the retention keeps no history). */
  void drop() {
    first = size;
    tail = List.of();
    window = List.of();
    store.deleteWorkflow(clusterId, workflowId);
  }

  /**
   * Up to {@code max} entries from {@code from} on (from {@link #first()} when earlier), in position order: from the
   * store, then from the tail.
   */
  List<StoredEntry> page(int from, int max) {
    int start = Math.max(from, first);
    int end = (int) Math.min(size, (long) start + max);
    List<StoredEntry> out = new ArrayList<>(Math.max(0, end - start));
    int tailStart = size - tail.size();
    int position = start;
    while (position < Math.min(end, tailStart)) {
      List<StoredEntry> read = fromStore(position, Math.min(end, tailStart) - position);
      if (read.isEmpty()) {
        throw new IllegalStateException("checkpoint #" + position + " of workflow " + workflowId
            + " is missing from the checkpoint store");
      }
      out.addAll(read);
      position = (int) read.get(read.size() - 1).position() + 1;
    }
    for (; position < end; position++) {
      out.add(tail.get(position - tailStart).stored());
    }
    return out;
  }

  private List<StoredEntry> fromStore(int from, int max) {
    List<StoredEntry> out = new ArrayList<>(max);
    for (CheckpointStore.Stored s : store.read(clusterId, workflowId, from, max)) {
      out.add(CheckpointCodec.decode(s.position(), s.checkpoint()));
    }
    return out;
  }

  /**
   * Sets the journal a snapshot restores: {@code size} entries of which those from {@code first} on are held (the
   * restore writes them to the store itself and hands the last ones to {@link #restoreTail}).
   */
  void restoreBounds(int first, int size) {
    this.first = first;
    this.size = size;
    tail = List.of();
    window = List.of();
  }

  /**
   * A restored entry near the end, kept in the tail; in order, up to the last. Committed: the restore waits for the
   * store to commit its writes before it returns.
   */
  void restoreTail(StoredEntry e) {
    mutableTail().add(new Hot(e, COMMITTED_BEFORE_USE));
    if (tail.size() > HOT_TAIL) {
      tail.remove(0);
    }
  }
}
