package io.raftoral.storage;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LogStore} in memory that behaves like a durable one: a write is only enqueued; a flusher running on its
 * own event-loop context later makes every pending write of every group durable at once (one "fsync" per flush,
 * like the group commit of a real store) and then completes the futures. {@link #crash()} discards what was not
 * flushed yet, as power loss would; what was flushed survives and a new group instance can {@link #load} it.
 */
public final class InMemoryLogStore implements LogStore {

  private final Context flushContext;
  private final ConcurrentLinkedQueue<PendingOp> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final Map<Long, GroupData> durable = new HashMap<>();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private volatile boolean crashed;
  private volatile boolean held;
  private volatile boolean streamingSnapshots = true;
  private NodeIdentity identity;
  private final InMemorySnapshots snapshots = new InMemorySnapshots();
  private final int snapshotChunkBytes;

  public InMemoryLogStore(Vertx vertx) {
    this(vertx, SnapshotRef.DEFAULT_CHUNK_SIZE);
  }

  /** A store whose snapshots made through {@link #createSnapshot(long)} have chunks of {@code snapshotChunkBytes}. */
  public InMemoryLogStore(Vertx vertx, int snapshotChunkBytes) {
    if (snapshotChunkBytes <= 0) {
      throw new IllegalArgumentException("snapshotChunkBytes must be positive: " + snapshotChunkBytes);
    }
    this.flushContext = vertx.getOrCreateContext();
    this.snapshotChunkBytes = snapshotChunkBytes;
  }

  private static final class GroupData {
    HardState hardState = HardState.EMPTY;
    Snapshot snapshot = Snapshot.EMPTY;
    final List<Entry> entries = new ArrayList<>();

    long lastIndex() {
      return snapshot.index() + entries.size();
    }
  }

  /** One queued operation; {@code effect} (keeping a snapshot's data) runs when flushed. */
  private record PendingOp(long clusterId, StoreWrite write, Snapshot compaction, boolean delete,
      Promise<Void> promise, Runnable effect) {

    PendingOp(long clusterId, StoreWrite write, Snapshot compaction, boolean delete, Promise<Void> promise) {
      this(clusterId, write, compaction, delete, promise, null);
    }
  }

  @Override
  public synchronized Future<Set<Long>> groups() {
    return Future.succeededFuture(new TreeSet<>(durable.keySet()));
  }

  @Override
  public synchronized Future<PersistentState> load(long clusterId) {
    GroupData g = durable.get(clusterId);
    if (g == null) {
      return Future.succeededFuture(null);
    }
    return Future.succeededFuture(new PersistentState(g.hardState, g.snapshot, new ArrayList<>(g.entries)));
  }

  @Override
  public Future<Void> write(long clusterId, StoreWrite write) {
    return enqueue(new PendingOp(clusterId, write, null, false, Promise.promise()));
  }

  @Override
  public Future<Void> saveSnapshot(long clusterId, Snapshot snapshot) {
    return enqueue(new PendingOp(clusterId, null, snapshot, false, Promise.promise()));
  }

  @Override
  public SnapshotSink createSnapshot(long clusterId) {
    return createSnapshot(clusterId, snapshotChunkBytes);
  }

  @Override
  public SnapshotSink createSnapshot(long clusterId, int chunkSize) {
    if (!streamingSnapshots) {
      throw new UnsupportedOperationException(location() + " keeps snapshots inline (as told)");
    }
    return new InMemorySnapshotSink(chunkSize, (ref, data) -> keepSnapshot(clusterId, ref.id(), data));
  }

  @Override
  public SnapshotReceiver receiveSnapshot(long clusterId, SnapshotRef ref) {
    return new InMemorySnapshotReceiver(clusterId, ref, snapshots, snapshots.partial(clusterId, ref),
        data -> keepSnapshot(clusterId, ref.id(), data));
  }

  @Override
  public Future<Buffer> readSnapshot(long clusterId, String snapshotId, long offset, int maxBytes) {
    byte[] data = snapshots.get(clusterId, snapshotId);
    if (data == null) {
      return Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId));
    }
    int from = (int) Math.min(Math.max(0, offset), data.length);
    int length = Math.min(maxBytes, data.length - from);
    return Future.succeededFuture(Buffer.buffer(length).appendBytes(data, from, length));
  }

  @Override
  public Future<Long> snapshotSize(long clusterId, String snapshotId) {
    byte[] data = snapshots.get(clusterId, snapshotId);
    return data == null ? Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId))
        : Future.succeededFuture((long) data.length);
  }

  @Override
  public InputStream openSnapshot(long clusterId, String snapshotId) {
    byte[] data = snapshots.get(clusterId, snapshotId);
    if (data == null) {
      throw new SnapshotNotFoundException(clusterId, snapshotId);
    }
    return new ByteArrayInputStream(data);
  }

  private Future<Void> keepSnapshot(long clusterId, String id, byte[] data) {
    return enqueue(new PendingOp(clusterId, null, null, false, Promise.promise(),
        () -> snapshots.keep(clusterId, id, data, currentSnapshotId(clusterId))));
  }

  /** The id of the snapshot data the stored Raft snapshot of {@code clusterId} names, or null (inline, none). */
  private String currentSnapshotId(long clusterId) {
    GroupData g = durable.get(clusterId);
    return g == null || !SnapshotRef.isRef(g.snapshot.data()) ? null : SnapshotRef.decode(g.snapshot.data()).id();
  }

  @Override
  public Future<Void> deleteGroup(long clusterId) {
    return enqueue(new PendingOp(clusterId, null, null, true, Promise.promise()));
  }

  @Override
  public synchronized Future<NodeIdentity> identity() {
    return Future.succeededFuture(identity);
  }

  @Override
  public synchronized Future<Void> saveIdentity(NodeIdentity id) {
    if (identity != null && !identity.equals(id)) {
      return Future.failedFuture(new StorageException("in-memory store belongs to " + identity + ", not " + id));
    }
    identity = id;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return enqueue(null);
  }

  /**
   * Simulates power loss (or a dead disk): every write not flushed yet is lost and its future fails, and writes fail
   * until {@link #recover()}.
   */
  public void crash() {
    crashed = true;
    IllegalStateException lost = new IllegalStateException("store crashed before the write was flushed");
    PendingOp op;
    while ((op = pending.poll()) != null) {
      op.promise.tryFail(lost);
    }
  }

  /** Brings the store back after {@link #crash()}, with what had been flushed. */
  public void recover() {
    pending.clear();
    held = false;
    crashed = false;
  }

  /**
   * Holds (true) or resumes (false) flushing: while held, writes stay pending, as on a stalled disk. For tests.
   */
  public void holdFlushes(boolean hold) {
    held = hold;
    if (!hold && !pending.isEmpty() && flushScheduled.compareAndSet(false, true)) {
      flushContext.runOnContext(v -> flush());
    }
  }

  /**
   * Whether this store takes streamed snapshots (the default) or, like a store of an older version, refuses them so
   * that groups keep their snapshots inline in the Raft snapshot. For tests.
   */
  public InMemoryLogStore streamSnapshots(boolean streaming) {
    streamingSnapshots = streaming;
    return this;
  }

  /** How many flushes ("fsyncs") ran. */
  public long flushCount() {
    return flushes.get();
  }

  /** How many writes were made durable. */
  public long writeCount() {
    return writes.get();
  }

  private Future<Void> enqueue(PendingOp op) {
    if (crashed) {
      return Future.failedFuture(new IllegalStateException("store crashed"));
    }
    Promise<Void> promise = op == null ? Promise.promise() : op.promise;
    pending.add(op == null ? new PendingOp(0, null, null, false, promise) : op);
    if (flushScheduled.compareAndSet(false, true)) {
      flushContext.runOnContext(v -> flush());
    }
    return promise.future();
  }

  private void flush() {
    flushScheduled.set(false);
    if (held) {
      return;
    }
    List<PendingOp> batch = new ArrayList<>();
    PendingOp op;
    while ((op = pending.poll()) != null) {
      batch.add(op);
    }
    if (batch.isEmpty() || crashed) {
      return;
    }
    List<RuntimeException> failures = new ArrayList<>();
    synchronized (this) {
      for (PendingOp p : batch) {
        try {
          apply(p);
          failures.add(null);
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
      flushes.incrementAndGet();
      writes.addAndGet(batch.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      RuntimeException failure = failures.get(i);
      if (failure == null) {
        batch.get(i).promise.tryComplete();
      } else {
        batch.get(i).promise.tryFail(failure);
      }
    }
  }

  private void apply(PendingOp p) {
    if (p.delete) {
      durable.remove(p.clusterId);
      snapshots.deleteGroup(p.clusterId);
      return;
    }
    if (p.effect != null) {
      p.effect.run();
      return;
    }
    if (p.write == null && p.compaction == null) {
      return; // close marker
    }
    GroupData g = durable.computeIfAbsent(p.clusterId, id -> new GroupData());
    if (p.compaction != null) {
      Snapshot s = p.compaction;
      if (s.index() <= g.snapshot.index()) {
        return;
      }
      g.entries.subList(0, (int) Math.min(g.entries.size(), s.index() - g.snapshot.index())).clear();
      g.snapshot = s;
      snapshots.retain(p.clusterId, currentSnapshotId(p.clusterId));
      return;
    }
    StoreWrite w = p.write;
    if (w.snapshot() != null) {
      g.snapshot = w.snapshot();
      g.entries.clear();
      snapshots.retain(p.clusterId, currentSnapshotId(p.clusterId));
    }
    if (!w.entries().isEmpty()) {
      long first = w.entries().get(0).index();
      // The entries run contiguously from the snapshot's index + 1: cut the conflicting tail by position (a scan of
      // the whole log per write made every commit slower as the log grew).
      int keep = (int) Math.max(0, Math.min(g.entries.size(), first - g.snapshot.index() - 1));
      g.entries.subList(keep, g.entries.size()).clear();
      if (first != g.lastIndex() + 1) {
        throw new IllegalStateException("group " + p.clusterId + ": write of entry " + first
            + " leaves a gap after " + g.lastIndex());
      }
      g.entries.addAll(w.entries());
    }
    if (w.hardState() != null) {
      g.hardState = w.hardState();
    }
  }
}
