package io.raftoral.raft.sim;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What one simulated server has durably written. A {@link Ready} is written atomically (as one LMDB transaction
 * would be) when its simulated write completes; a crash before that loses it.
 */
public final class SimDisk {

  HardState hardState = HardState.EMPTY;
  Snapshot snapshot;
  final List<Entry> entries = new ArrayList<>();

  SimDisk(PersistentState initial) {
    this.hardState = initial.hardState();
    this.snapshot = initial.snapshot();
    this.entries.addAll(initial.entries());
  }

  void write(Ready ready) {
    if (ready.snapshot() != null) {
      snapshot = ready.snapshot();
      entries.clear();
    }
    if (!ready.entries().isEmpty()) {
      long first = ready.entries().get(0).index();
      truncateFrom(first);
      if (lastIndex() + 1 != first) {
        throw new IllegalStateException("gap in persisted log: last " + lastIndex() + ", next " + first);
      }
      entries.addAll(ready.entries());
    }
    if (ready.hardState() != null) {
      hardState = ready.hardState();
    }
  }

  void compact(Snapshot s) {
    entries.removeIf(e -> e.index() <= s.index());
    snapshot = s;
  }

  long lastIndex() {
    return snapshot.index() + entries.size();
  }

  long term(long index) {
    if (index == snapshot.index()) {
      return snapshot.term();
    }
    if (index < snapshot.index() || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - snapshot.index() - 1)).term();
  }

  private void truncateFrom(long index) {
    entries.removeIf(e -> e.index() >= index);
  }

  PersistentState load() {
    HardState hs = hardState;
    if (hs.commit() > lastIndex()) {
      throw new IllegalStateException("persisted commit " + hs.commit() + " beyond persisted log " + lastIndex());
    }
    if (hs.commit() < snapshot.index()) {
      hs = new HardState(hs.term(), hs.vote(), snapshot.index());
    }
    return new PersistentState(hs, snapshot, entries);
  }
}
