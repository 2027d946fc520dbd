package io.raftoral.storage;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Snapshot;
import java.util.List;

/**
 * One durable write of one group, as a {@link Ready} demands it: a snapshot received from the leader (replacing the
 * whole log), entries (replacing any stored entries from the first one's index on), and the hard state. A store
 * applies each write atomically and in submission order per group.
 *
 * @param snapshot snapshot to install first, or null
 * @param entries entries to append, possibly empty
 * @param hardState hard state to store last, or null
 * @param sync whether the write must reach the disk (fsync) before its future completes; a write without sync
 *     (only a new commit index) may be lost by a power cut, and a later synced write makes it durable too
 */
public record StoreWrite(Snapshot snapshot, List<Entry> entries, HardState hardState, boolean sync) {

  public StoreWrite {
    entries = List.copyOf(entries);
  }

  /** A synced write. */
  public StoreWrite(Snapshot snapshot, List<Entry> entries, HardState hardState) {
    this(snapshot, entries, hardState, true);
  }

  /** The write a {@link Ready} requires. */
  public static StoreWrite of(Ready ready) {
    return new StoreWrite(ready.snapshot(), ready.entries(), ready.hardState(), ready.mustSync());
  }

  public boolean isEmpty() {
    return snapshot == null && entries.isEmpty() && hardState == null;
  }
}
