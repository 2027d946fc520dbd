package io.raftoral.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A {@link CheckpointStore} in the heap: what every store without one of its own provides (the in-memory log store
 * of tests, embedded nodes without a disk). Every write is readable at once. Thread-safe.
 */
public final class InHeapCheckpointStore implements CheckpointStore {

  /** Tickets of a store that commits at once: every one is readable. */
  private static final long ALL_COMMITTED = Long.MAX_VALUE;

  private final Map<Long, Map<String, NavigableMap<Long, byte[]>>> clusters = new HashMap<>();

  private Map<String, NavigableMap<Long, byte[]>> cluster(long clusterId) {
    return clusters.computeIfAbsent(clusterId, id -> new HashMap<>());
  }

  @Override
  public synchronized long put(long clusterId, String workflowId, long position, byte[] checkpoint) {
    cluster(clusterId).computeIfAbsent(workflowId, id -> new TreeMap<>()).put(position, checkpoint);
    return 0;
  }

  @Override
  public synchronized long putAll(long clusterId, List<Put> puts) {
    puts.forEach(p -> put(clusterId, p.workflowId(), p.position(), p.checkpoint()));
    return 0;
  }

  @Override
  public synchronized long deleteBefore(long clusterId, String workflowId, long position) {
    NavigableMap<Long, byte[]> entries = cluster(clusterId).get(workflowId);
    if (entries != null) {
      entries.headMap(position, false).clear();
    }
    return 0;
  }

  @Override
  public synchronized long deleteWorkflow(long clusterId, String workflowId) {
    cluster(clusterId).remove(workflowId);
    return 0;
  }

  @Override
  public synchronized long clear(long clusterId) {
    clusters.remove(clusterId);
    return 0;
  }

  @Override
  public long committedThrough() {
    return ALL_COMMITTED;
  }

  @Override
  public void awaitCommitted(long ticket) {
    // Written at once.
  }

  @Override
  public synchronized byte[] get(long clusterId, String workflowId, long position) {
    NavigableMap<Long, byte[]> entries = cluster(clusterId).get(workflowId);
    return entries == null ? null : entries.get(position);
  }

  @Override
  public synchronized List<Stored> read(long clusterId, String workflowId, long fromPosition, int max) {
    return read(cluster(clusterId).get(workflowId), fromPosition, max);
  }

  /**
   * A copy of the cluster's index (the entries' arrays are shared: an entry is never changed in place, only
   * replaced), so the view costs a map entry per checkpoint, and no delete waits for it.
   */
  @Override
  public synchronized Frozen freeze(long clusterId) {
    Map<String, NavigableMap<Long, byte[]>> copy = new HashMap<>();
    cluster(clusterId).forEach((id, entries) -> copy.put(id, new TreeMap<>(entries)));
    return new Frozen() {
      @Override
      public List<Stored> read(String workflowId, long fromPosition, int max) {
        return InHeapCheckpointStore.read(copy.get(workflowId), fromPosition, max);
      }

      @Override
      public void close() {
        // Nothing held back.
      }
    };
  }

  private static List<Stored> read(NavigableMap<Long, byte[]> entries, long fromPosition, int max) {
    List<Stored> out = new ArrayList<>();
    if (entries == null) {
      return out;
    }
    for (Map.Entry<Long, byte[]> e : entries.tailMap(fromPosition, true).entrySet()) {
      if (out.size() >= max) {
        break;
      }
      out.add(new Stored(e.getKey(), e.getValue()));
    }
    return out;
  }
}
