package io.raftoral.lmdb;

import io.raftoral.raft.Snapshot;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of an LMDB environment, with group commit. LMDB allows one write transaction per environment, so
 * every write goes through this dedicated platform thread (it wakes faster than a pooled worker, which shows in
 * commit latency): every write pending when it wakes up, from any group, goes into one transaction, made durable
 * with one explicit fsync after the commit; futures complete only after that returns. Under
 * {@link LmdbDurability#POWER_LOSS} the environment runs with {@code MDB_NOMETASYNC}: the commit itself fsyncs the
 * data pages before writing the meta page, and the explicit sync puts that meta page on disk (two fsyncs a batch).
 * Under {@link LmdbDurability#PROCESS_CRASH} it runs with {@code MDB_NOSYNC} and the explicit sync is the only one,
 * so a batch holding only lazy commit-index writes costs no fsync at all. A full map grows (doubling) and
 * the batch is retried; other failures (a full disk) fail the batch's futures with a {@link StorageException}
 * naming the directory, and the store stays usable.
 *
 * <p>A writer made {@link #forDerivedData} never syncs: its environment holds data rebuilt at every open (the
 * checkpoint history), so it gathers a few milliseconds of writes (unless {@link #hurry hurried}) and commits them
 * into the page cache.
 */
final class LmdbWriter {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbWriter.class);
  private static final long CLOSE_WAIT_MILLIS = 30_000;
  /** How long a writer of derived data gathers writes before it commits them. */
  private static final long DERIVED_LINGER_NANOS = 5_000_000;

  private final Path directory;
  private final Env<ByteBuffer> env;
  private final LmdbTables tables;
  /** Map growth needs every transaction closed: reads hold the read lock, growth takes the write lock. */
  private final ReentrantReadWriteLock resizeLock;
  private final Thread writer;
  private final ConcurrentLinkedQueue<Op> pending = new ConcurrentLinkedQueue<>();
  /** A caller waits for the derived data written so far (see {@link #hurry}). */
  private volatile boolean hurry;
  /**
   * The writer is parked waiting for work: only then does a submit wake it. While it commits (or a writer of derived
   * data lingers) it polls the queue again by itself, so a write submitted meanwhile costs no wake-up (a futex call
   * and a context switch per write, measured as most of a checkpoint write's cost on the event loop).
   */
  private final AtomicBoolean idle = new AtomicBoolean();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final LmdbDurability durability;
  /** False for a writer of derived data: no batch is synced. */
  private final boolean syncing;
  private final Promise<Void> closedPromise = Promise.promise();
  private volatile boolean closed;
  private volatile long mapSize;
  private volatile LmdbMeters meters = LmdbMeters.NONE;

  LmdbWriter(Path directory, Env<ByteBuffer> env, LmdbTables tables, ReentrantReadWriteLock resizeLock,
      long mapSize, LmdbDurability durability) {
    this(directory, env, tables, resizeLock, mapSize, durability, true);
  }

  /**
   * The writer of an environment of derived data (opened with {@code MDB_NOSYNC}, rebuilt at every open): it runs
   * transactions ({@link #inTransaction}) and never syncs, so a batch completes once committed to the page cache.
   */
  static LmdbWriter forDerivedData(Path directory, Env<ByteBuffer> env, ReentrantReadWriteLock resizeLock,
      long mapSize) {
    return new LmdbWriter(directory, env, null, resizeLock, mapSize, LmdbDurability.PROCESS_CRASH, false);
  }

  private LmdbWriter(Path directory, Env<ByteBuffer> env, LmdbTables tables, ReentrantReadWriteLock resizeLock,
      long mapSize, LmdbDurability durability, boolean syncs) {
    this.directory = directory;
    this.durability = durability;
    this.syncing = syncs;
    this.env = env;
    this.tables = tables;
    this.resizeLock = resizeLock;
    this.mapSize = mapSize;
    this.writer = new Thread(this::writeLoop, "raftoral-lmdb-writer-" + directory.getFileName());
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** One unit of work of a write transaction. */
  private interface Op {
    void apply(Txn<ByteBuffer> txn);

    Promise<Void> promise();

    /** Whether the op's future may complete only once the disk has it (fsync). */
    default boolean sync() {
      return true;
    }
  }

  private record WriteOp(long groupId, StoreWrite write, Promise<Void> promise, LmdbTables tables) implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      tables.applyWrite(txn, groupId, write);
    }

    @Override
    public boolean sync() {
      return write.sync();
    }
  }

  private record TxnOp(Consumer<Txn<ByteBuffer>> body, Promise<Void> promise) implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      body.accept(txn);
    }
  }

  /** Commits what is pending without lingering: a caller waits for it (derived data only; others never linger). */
  void hurry() {
    hurry = true;
    LockSupport.unpark(writer);
  }

  Future<Void> write(long groupId, StoreWrite write) {
    return submit(new WriteOp(groupId, write, Promise.promise(), tables));
  }

  Future<Void> saveSnapshot(long groupId, Snapshot snapshot) {
    return submit(new TxnOp(txn -> tables.applyCompaction(txn, groupId, snapshot), Promise.promise()));
  }

  Future<Void> deleteGroup(long groupId) {
    return submit(new TxnOp(txn -> tables.deleteAll(txn, groupId), Promise.promise()));
  }

  Future<Void> saveIdentity(NodeIdentity identity) {
    return submit(new TxnOp(txn -> tables.putIdentity(txn, identity), Promise.promise()));
  }

  /** Runs {@code body} in the next write transaction (group commit, in submission order); completes once durable. */
  Future<Void> inTransaction(Consumer<Txn<ByteBuffer>> body) {
    return submit(new TxnOp(body, Promise.promise()));
  }

  boolean isClosed() {
    return closed;
  }

  long mapSize() {
    return mapSize;
  }

  /** Where the writer times its fsyncs and batches from now on. */
  void meters(LmdbMeters meters) {
    this.meters = meters;
  }

  long syncCount() {
    return syncs.get();
  }

  long commitCount() {
    return commits.get();
  }

  long writeCount() {
    return writes.get();
  }

  private Future<Void> submit(Op op) {
    if (closed) {
      return Future.failedFuture(closedError());
    }
    pending.add(op);
    if (idle.get() && idle.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
    return op.promise().future();
  }

  StorageException closedError() {
    return new StorageException("store " + directory.toAbsolutePath() + " is closed");
  }

  /** The writer thread: sleeps until there is work, then commits everything pending in one transaction. */
  private void writeLoop() {
    try {
      writeUntilClosed();
    } finally {
      closeEnvironment();
    }
  }

  private void writeUntilClosed() {
    while (!closed || !pending.isEmpty()) {
      List<Op> batch = new ArrayList<>();
      Op op;
      while ((op = pending.poll()) != null) {
        batch.add(op);
      }
      if (batch.isEmpty()) {
        idle.set(true);
        // Checked after announcing idleness: a write queued before it is seen here, one queued after it wakes us.
        if (!closed && pending.isEmpty()) {
          LockSupport.park(this);
        }
        idle.set(false);
        continue;
      }
      if (!syncing && !closed && !hurry) {
        // Derived data: nobody waits for it, so gather a few milliseconds of writes into one transaction (a page
        // that many writes touch is then written once).
        LockSupport.parkNanos(this, DERIVED_LINGER_NANOS);
        while ((op = pending.poll()) != null) {
          batch.add(op);
        }
      }
      hurry = false;
      try {
        commitBatch(batch);
      } catch (RuntimeException | Error e) {
        LOG.error("LMDB writer of {} failed: {}", directory.toAbsolutePath(), e.toString());
        StorageException se = new StorageException("writing to " + directory.toAbsolutePath() + " failed: " + e, e);
        batch.forEach(o -> o.promise().tryFail(se));
      }
    }
  }

  private void commitBatch(List<Op> batch) {
    List<Op> ops = new ArrayList<>(batch);
    while (!ops.isEmpty()) {
      Op failed = null;
      RuntimeException failure = null;
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        for (Op op : ops) {
          try {
            op.apply(txn);
          } catch (Env.MapFullException e) {
            throw e;
          } catch (RuntimeException e) {
            failed = op;
            failure = e;
            break;
          }
        }
        if (failed == null) {
          txn.commit();
        }
      } catch (Env.MapFullException e) {
        growMap();
        continue;
      } catch (LmdbException e) {
        // Disk full or I/O error: nothing of this batch is durable; the callers are told, the store lives on.
        StorageException se = new StorageException("writing to " + directory.toAbsolutePath() + " failed: "
            + e.getMessage(), e);
        LOG.error(se.getMessage());
        ops.forEach(o -> o.promise().tryFail(se));
        return;
      }
      if (failed != null) {
        // Retry the batch without the op that cannot apply (a caller bug such as a gap in a log).
        failed.promise().tryFail(failure instanceof StorageException ? failure
            : new StorageException("storage " + directory.toAbsolutePath() + ": " + failure.getMessage(), failure));
        ops.remove(failed);
        continue;
      }
      if (syncing && ops.stream().anyMatch(Op::sync)) {
        // PROCESS_CRASH (MDB_NOSYNC): this sync makes the batch, and every lazily written batch before it, durable.
        // POWER_LOSS (MDB_NOMETASYNC): the commit synced the data pages first; this sync adds the meta page.
        long syncStart = System.nanoTime();
        try {
          env.sync(true);
        } catch (LmdbException e) {
          StorageException se = new StorageException("syncing " + directory.toAbsolutePath() + " failed: "
              + e.getMessage(), e);
          LOG.error(se.getMessage());
          ops.forEach(o -> o.promise().tryFail(se));
          return;
        }
        syncs.incrementAndGet();
        meters.synced(syncStart);
      }
      commits.incrementAndGet();
      meters.committed(ops.size());
      writes.addAndGet(ops.size());
      ops.forEach(o -> o.promise().tryComplete());
      return;
    }
  }

  private void growMap() {
    resizeLock.writeLock().lock();
    try {
      mapSize *= 2;
      env.setMapSize(mapSize);
      LOG.info("LMDB map of {} grown to {} MiB", directory.toAbsolutePath(), mapSize >> 20);
    } finally {
      resizeLock.writeLock().unlock();
    }
  }

  /** Stops taking writes; the writer drains what is pending, syncs and closes the environment. */
  Future<Void> close() {
    if (!closed) {
      closed = true;
      LockSupport.unpark(writer);
    }
    return closedPromise.future();
  }

  /** Closes from a non-writer thread and waits for the writer to finish. */
  void closeNow() {
    close();
    try {
      writer.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs on the writer thread once closed and drained. */
  private void closeEnvironment() {
    resizeLock.writeLock().lock();
    try {
      if (syncing) {
        try {
          env.sync(true);
        } catch (LmdbException e) {
          LOG.warn("final sync of {} failed: {}", directory.toAbsolutePath(), e.getMessage());
        }
      }
      env.close();
    } finally {
      resizeLock.writeLock().unlock();
    }
    StorageException closedError = closedError();
    Op late;
    while ((late = pending.poll()) != null) {
      late.promise().tryFail(closedError); // submitted while closing
    }
    closedPromise.tryComplete();
  }
}
