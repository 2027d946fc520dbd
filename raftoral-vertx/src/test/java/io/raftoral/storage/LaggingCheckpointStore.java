package io.raftoral.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CheckpointStore} whose writes become readable only when the test says so ({@link #commitAll()}), like an
 * LMDB writer that has not committed yet: what a journal wrote must still be readable through its hot tail.
 */
public final class LaggingCheckpointStore implements CheckpointStore {

  private final InHeapCheckpointStore committed = new InHeapCheckpointStore();
  private final List<Runnable> pending = new ArrayList<>();
  private long lastTicket;
  private long committedTicket;

  private synchronized long later(Runnable write) {
    pending.add(write);
    return ++lastTicket;
  }

  /** Makes every write so far readable. */
  public synchronized void commitAll() {
    pending.forEach(Runnable::run);
    pending.clear();
    committedTicket = lastTicket;
  }

  /** Writes not readable yet. */
  public synchronized int pendingWrites() {
    return pending.size();
  }

  @Override
  public long put(long clusterId, String workflowId, long position, byte[] checkpoint) {
    return later(() -> committed.put(clusterId, workflowId, position, checkpoint));
  }

  @Override
  public long putAll(long clusterId, List<Put> puts) {
    List<Put> copy = List.copyOf(puts);
    return later(() -> committed.putAll(clusterId, copy));
  }

  @Override
  public long deleteBefore(long clusterId, String workflowId, long position) {
    return later(() -> committed.deleteBefore(clusterId, workflowId, position));
  }

  @Override
  public long deleteWorkflow(long clusterId, String workflowId) {
    return later(() -> committed.deleteWorkflow(clusterId, workflowId));
  }

  @Override
  public long clear(long clusterId) {
    return later(() -> committed.clear(clusterId));
  }

  @Override
  public synchronized long committedThrough() {
    return committedTicket;
  }

  @Override
  public void awaitCommitted(long ticket) {
    commitAll();
  }

  @Override
  public byte[] get(long clusterId, String workflowId, long position) {
    return committed.get(clusterId, workflowId, position);
  }

  @Override
  public List<Stored> read(long clusterId, String workflowId, long fromPosition, int max) {
    return committed.read(clusterId, workflowId, fromPosition, max);
  }
}
