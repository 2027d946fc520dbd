package io.raftoral.storage;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The snapshot data an {@link InMemoryLogStore} keeps, in the heap: per group, the complete snapshots (the one its
 * stored Raft snapshot names and the newest others the log recorded, {@link #KEPT_PER_GROUP} at most, so that a peer
 * can finish fetching the previous one; the newest not recorded yet, {@link #UNRECORDED_PER_GROUP} at most, such as
 * one fetched from the leader and not installed yet) and the one partial transfer being received (kept across an
 * interrupted transfer and a simulated crash, so that the fetch resumes). Thread-safe.
 */
final class InMemorySnapshots {

  /** Complete snapshots the log recorded kept per group: the current one and the previous one. */
  static final int KEPT_PER_GROUP = 2;
  /**
   * Complete snapshots the log has not recorded yet kept per group, the newest: one fetched from the leader waits for
   * the write that records it while the member goes on taking snapshots of its own, and must outlive them.
   */
  static final int UNRECORDED_PER_GROUP = 2;

  private final Map<Long, LinkedHashMap<String, byte[]>> kept = new HashMap<>();
  /** Per group, the kept snapshots the log has not recorded (yet), oldest first. */
  private final Map<Long, LinkedHashSet<String>> unrecorded = new HashMap<>();
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
    if (!id.equals(currentId)) {
      LinkedHashSet<String> pending = unrecorded.computeIfAbsent(clusterId, g -> new LinkedHashSet<>());
      pending.remove(id);
      pending.add(id);
    }
    Partial p = partials.get(clusterId);
    if (p != null && p.ref.id().equals(id)) {
      partials.remove(clusterId);
    }
    retain(clusterId, currentId);
  }

  /**
   * Drops the oldest kept snapshots beyond {@link #KEPT_PER_GROUP} among those the log recorded and beyond
   * {@link #UNRECORDED_PER_GROUP} among the others, never {@code currentId} (the one the log records now).
   */
  synchronized void retain(long clusterId, String currentId) {
    LinkedHashMap<String, byte[]> group = kept.get(clusterId);
    if (group == null) {
      return;
    }
    LinkedHashSet<String> pending = unrecorded.computeIfAbsent(clusterId, g -> new LinkedHashSet<>());
    pending.remove(currentId);
    pending.retainAll(group.keySet());
    int recorded = group.size() - pending.size();
    int waiting = pending.size();
    Iterator<String> oldestFirst = group.keySet().iterator();
    while ((recorded > KEPT_PER_GROUP || waiting > UNRECORDED_PER_GROUP) && oldestFirst.hasNext()) {
      String id = oldestFirst.next();
      if (id.equals(currentId)) {
        continue;
      }
      if (pending.contains(id)) {
        if (waiting > UNRECORDED_PER_GROUP) {
          oldestFirst.remove();
          pending.remove(id);
          waiting--;
        }
      } else if (recorded > KEPT_PER_GROUP) {
        oldestFirst.remove();
        recorded--;
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
    unrecorded.remove(clusterId);
    partials.remove(clusterId);
  }
}
