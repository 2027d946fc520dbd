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
 */
public record StoreWrite(Snapshot snapshot, List<Entry> entries, HardState hardState) {

  public StoreWrite {
    entries = List.copyOf(entries);
  }

  /** The write a {@link Ready} requires. */
  public static StoreWrite of(Ready ready) {
    return new StoreWrite(ready.snapshot(), ready.entries(), ready.hardState());
  }

  public boolean isEmpty() {
    return snapshot == null && entries.isEmpty() && hardState == null;
  }
}
