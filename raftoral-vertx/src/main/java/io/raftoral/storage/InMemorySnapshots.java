package io.raftoral.storage;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The snapshot data an {@link InMemoryLogStore} keeps, in the heap: per group, the complete snapshots (the one its
 * stored Raft snapshot names and the newest others, {@link #KEPT_PER_GROUP} at most, so that a peer can finish
 * fetching the previous one) and the one partial transfer being received (kept across an interrupted transfer and a
 * simulated crash, so that the fetch resumes). Thread-safe.
 */
final class InMemorySnapshots {

  /** Complete snapshots kept per group: the current one and the previous one. */
  static final int KEPT_PER_GROUP = 2;

  private final Map<Long, LinkedHashMap<String, byte[]>> kept = new HashMap<>();
  private final Map<Long, Partial> partials = new HashMap<>();

  /** A snapshot being received: its verified bytes so far. */
  static final class Partial {
    final SnapshotRef ref;
    final ByteArrayOutputStream data = new ByteArrayOutputStream();

    Partial(SnapshotRef ref) {
      this.ref = ref;
    }
  }

  /** Keeps complete snapshot {@code id} of group {@code clusterId}; drops the oldest beyond the bound. */
  synchronized void keep(long clusterId, String id, byte[] data, String currentId) {
    LinkedHashMap<String, byte[]> group = kept.computeIfAbsent(clusterId, g -> new LinkedHashMap<>());
    group.remove(id);
    group.put(id, data);
    Partial p = partials.get(clusterId);
    if (p != null && p.ref.id().equals(id)) {
      partials.remove(clusterId);
    }
    retain(clusterId, currentId);
  }

  /** Drops the oldest kept snapshots beyond {@link #KEPT_PER_GROUP}, never {@code currentId} (the stored one). */
  synchronized void retain(long clusterId, String currentId) {
    LinkedHashMap<String, byte[]> group = kept.get(clusterId);
    if (group == null) {
      return;
    }
    Iterator<String> oldestFirst = group.keySet().iterator();
    while (group.size() > KEPT_PER_GROUP && oldestFirst.hasNext()) {
      if (!oldestFirst.next().equals(currentId)) {
        oldestFirst.remove();
      }
    }
  }

  /** The data of kept snapshot {@code id}, or null. */
  synchronized byte[] get(long clusterId, String id) {
    LinkedHashMap<String, byte[]> group = kept.get(clusterId);
    return group == null ? null : group.get(id);
  }

  /** The partial transfer of {@code ref}: the one held (a resumed transfer) or a new one replacing any other. */
  synchronized Partial partial(long clusterId, SnapshotRef ref) {
    Partial p = partials.get(clusterId);
    if (p == null || !p.ref.equals(ref)) {
      p = new Partial(ref);
      partials.put(clusterId, p);
    }
    return p;
  }

  /** Forgets the partial transfer {@code p} (its data did not match its digest). */
  synchronized void discard(long clusterId, Partial p) {
    partials.remove(clusterId, p);
  }

  /** Forgets everything of group {@code clusterId}. */
  synchronized void deleteGroup(long clusterId) {
    kept.remove(clusterId);
    partials.remove(clusterId);
  }
}
