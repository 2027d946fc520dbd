package io.raftoral.lmdb;

import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CheckpointStore} of an {@link LmdbLogStore}: table {@code ckpt} of an environment of its own beside the
 * log's ({@code history/}), opened without fsync and emptied at every open: the history is derived data, rebuilt from
 * the snapshot and the Raft log when the node starts, so its writes never wait for (nor add pages to) the log's
 * fsyncs. Its writer commits a batch to the page cache a few milliseconds after it wakes (the entries it has not
 * committed yet stay in the workflow's hot tail meanwhile).
 *
 * <p>Keys are {@code [clusterId:8][workflow number:8][position:8]} (big-endian): a workflow's entries are contiguous
 * and ordered by position, and the number is given to a workflow at its first write here (a map in the heap, about
 * a hundred bytes per workflow with history on this node; the environment starts empty, so numbers never outlive
 * the process). Workflows running at the same time have close numbers, so a batch of their checkpoints touches a few
 * adjacent leaf pages instead of one scattered page per workflow, as keys starting with random workflow ids did.
 * Reads open a read transaction on the caller's thread (microseconds on the memory map).
 */
final class LmdbCheckpoints implements CheckpointStore {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbCheckpoints.class);
  /** Cluster, workflow number, position. */
  private static final int KEY_BYTES = 8 + 8 + 8;
  /** What every key of one workflow's entries starts with: cluster and workflow number. */
  private static final int PREFIX_BYTES = 8 + 8;
  /** Restored entries not yet committed past which a restore waits for the writer (bounds the heap). */
  private static final long MAX_OUTSTANDING_BYTES = 16L * 1024 * 1024;
  private static final long AWAIT_MILLIS = 60_000;

  private final Path directory;
  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> table;
  private final ReentrantReadWriteLock resizeLock;
  private final LmdbWriter writer;
  private final AtomicLong lastTicket = new AtomicLong();
  /** The number of each workflow with history here, given at its first write. */
  private final ConcurrentHashMap<WorkflowKey, Long> numbers = new ConcurrentHashMap<>();
  private final AtomicLong lastNumber = new AtomicLong();
  private final AtomicLong outstandingBytes = new AtomicLong();
  private volatile long committed;
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Condition commitAdvanced = commitLock.newCondition();
  /** The writer thread's buffers (only it applies writes). */
  private ByteBuffer writeKey = ByteBuffer.allocateDirect(KEY_BYTES);
  private ByteBuffer writeValue = ByteBuffer.allocateDirect(1024);
  private final ThreadLocal<ByteBuffer> readKey =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(KEY_BYTES));
  /** Frozen views not closed yet; while there is one, deletes wait in {@link #heldDeletes}. Guarded by this. */
  private int frozenViews;
  private final List<Consumer<Txn<ByteBuffer>>> heldDeletes = new ArrayList<>();

  LmdbCheckpoints(Path directory, Env<ByteBuffer> env, ReentrantReadWriteLock resizeLock, LmdbWriter writer) {
    this.directory = directory;
    this.env = env;
    this.table = env.openDbi("ckpt", DbiFlags.MDB_CREATE);
    this.resizeLock = resizeLock;
    this.writer = writer;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public long put(long clusterId, String workflowId, long position, byte[] checkpoint) {
    byte[] prefix = prefix(clusterId, number(clusterId, workflowId));
    return submit(checkpoint.length, txn -> putIn(txn, prefix, position, checkpoint));
  }

  @Override
  public long putAll(long clusterId, List<Put> puts) {
    List<NumberedPut> copy = new ArrayList<>(puts.size());
    long bytes = 0;
    for (Put p : puts) {
      bytes += p.checkpoint().length;
      copy.add(new NumberedPut(prefix(clusterId, number(clusterId, p.workflowId())), p));
    }
    long ticket = submit(bytes, txn -> {
      for (NumberedPut p : copy) {
        putIn(txn, p.prefix, p.put.position(), p.put.checkpoint());
      }
    });
    if (outstandingBytes.get() > MAX_OUTSTANDING_BYTES) {
      awaitCommitted(ticket);
    }
    return ticket;
  }

  @Override
  public long deleteBefore(long clusterId, String workflowId, long position) {
    Long number = numbers.get(new WorkflowKey(clusterId, workflowId));
    if (number == null) {
      return submit(0, txn -> { });
    }
    byte[] prefix = prefix(clusterId, number);
    return delete(txn -> deleteRange(txn, prefix, position));
  }

  @Override
  public long deleteWorkflow(long clusterId, String workflowId) {
    Long number = numbers.remove(new WorkflowKey(clusterId, workflowId));
    if (number == null) {
      return submit(0, txn -> { });
    }
    byte[] prefix = prefix(clusterId, number);
    return delete(txn -> deleteRange(txn, prefix, Long.MAX_VALUE));
  }

  /**
   * Deletes the entries of the workflows numbered so far: those numbered later (a restore's, right after) are not
   * this clear's even when it was held back behind a frozen view.
   */
  @Override
  public long clear(long clusterId) {
    numbers.keySet().removeIf(k -> k.clusterId() == clusterId);
    long upToNumber = lastNumber.get();
    return delete(txn -> deleteCluster(txn, clusterId, upToNumber));
  }

  /**
   * Submits a delete, or holds it back while a frozen view is open (its entries may still be read through the
   * view). A held delete's entries are out of reach of this store's reads already: a workflow's number is retired at
   * once, and the history retention never reads a trimmed position again. Its ticket is the last one given.
   */
  private synchronized long delete(Consumer<Txn<ByteBuffer>> body) {
    if (frozenViews > 0) {
      heldDeletes.add(body);
      return lastTicket.get();
    }
    return submit(0, body);
  }

  /**
   * A view of the cluster's entries as they stand: the tickets given so far and its workflows' numbers (numbers are
   * never reused, so entries written later under new numbers or at later positions do not show through it), with
   * the store's deletes held back until it is closed. Called on the cluster's context, which alone numbers its
   * workflows.
   */
  @Override
  public synchronized Frozen freeze(long clusterId) {
    Map<String, Long> numbersAtFreeze = new HashMap<>();
    numbers.forEach((key, number) -> {
      if (key.clusterId() == clusterId) {
        numbersAtFreeze.put(key.workflowId(), number);
      }
    });
    frozenViews++;
    return new FrozenView(clusterId, lastTicket.get(), numbersAtFreeze);
  }

  private final class FrozenView implements Frozen {
    private final long clusterId;
    private final long ticket;
    private final Map<String, Long> numbersAtFreeze;
    private boolean closed;

    FrozenView(long clusterId, long ticket, Map<String, Long> numbersAtFreeze) {
      this.clusterId = clusterId;
      this.ticket = ticket;
      this.numbersAtFreeze = numbersAtFreeze;
    }

    @Override
    public List<Stored> read(String workflowId, long fromPosition, int max) {
      awaitCommitted(ticket);
      Long number = numbersAtFreeze.get(workflowId);
      return number == null ? List.of() : readPrefix(prefix(clusterId, number), fromPosition, max);
    }

    @Override
    public void close() {
      synchronized (LmdbCheckpoints.this) {
        if (closed) {
          return;
        }
        closed = true;
        if (--frozenViews == 0) {
          heldDeletes.forEach(body -> submit(0, body));
          heldDeletes.clear();
        }
      }
    }
  }

  /** The number of workflow {@code workflowId} of cluster {@code clusterId}, given now if it has none. */
  private long number(long clusterId, String workflowId) {
    return numbers.computeIfAbsent(new WorkflowKey(clusterId, workflowId), k -> lastNumber.incrementAndGet());
  }

  private record WorkflowKey(long clusterId, String workflowId) {}

  private record NumberedPut(byte[] prefix, Put put) {}

  /** Tickets follow submission order, which is the writer's order: submitting under the lock keeps them aligned. */
  private synchronized long submit(long bytes, Consumer<Txn<ByteBuffer>> body) {
    long ticket = lastTicket.incrementAndGet();
    outstandingBytes.addAndGet(bytes);
    writer.inTransaction(body).onComplete(ar -> {
      if (ar.failed()) {
        // Derived data: a lost write shows as a gap in the history until the next start rebuilds it.
        LOG.error("checkpoint history write to {} failed: {}", directory.toAbsolutePath(), ar.cause().toString());
      }
      outstandingBytes.addAndGet(-bytes);
      advance(ticket);
    });
    return ticket;
  }

  private void advance(long ticket) {
    commitLock.lock();
    try {
      committed = Math.max(committed, ticket);
      commitAdvanced.signalAll();
    } finally {
      commitLock.unlock();
    }
  }

  @Override
  public long committedThrough() {
    return committed;
  }

  @Override
  public void awaitCommitted(long ticket) {
    if (committed >= ticket) {
      return;
    }
    writer.hurry();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MILLIS);
    commitLock.lock();
    try {
      while (committed < ticket && !writer.isClosed()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StorageException("checkpoint history writes to " + directory.toAbsolutePath()
              + " not committed after " + AWAIT_MILLIS + " ms");
        }
        commitAdvanced.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted waiting for checkpoint history writes", e);
    } finally {
      commitLock.unlock();
    }
  }

  private void putIn(Txn<ByteBuffer> txn, byte[] prefix, long position, byte[] checkpoint) {
    ByteBuffer key = key(writeKey, prefix, position);
    if (writeValue.capacity() < checkpoint.length) {
      writeValue = ByteBuffer.allocateDirect(Math.max(checkpoint.length, writeValue.capacity() * 2));
    }
    writeValue.clear();
    writeValue.put(checkpoint).flip();
    table.put(txn, key, writeValue);
  }

  /** Deletes the keys under {@code prefix} before {@code position}. */
  private void deleteRange(Txn<ByteBuffer> txn, byte[] prefix, long position) {
    try (Cursor<ByteBuffer> c = table.openCursor(txn)) {
      boolean found = c.get(key(writeKey, prefix, 0), GetOp.MDB_SET_RANGE);
      while (found && hasPrefix(c.key(), prefix) && c.key().getLong(prefix.length) < position) {
        c.delete();
        found = c.next(); // after a delete LMDB leaves the cursor on the following record; next() returns it
      }
    }
  }

  /** Deletes the keys of cluster {@code clusterId} whose workflow number is at most {@code upToNumber}. */
  private void deleteCluster(Txn<ByteBuffer> txn, long clusterId, long upToNumber) {
    try (Cursor<ByteBuffer> c = table.openCursor(txn)) {
      writeKey.clear();
      boolean found = c.get(writeKey.putLong(clusterId).putLong(0).putLong(0).flip(), GetOp.MDB_SET_RANGE);
      while (found && c.key().remaining() == KEY_BYTES && c.key().getLong(c.key().position()) == clusterId
          && c.key().getLong(c.key().position() + Long.BYTES) <= upToNumber) {
        c.delete();
        found = c.next();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reads (the caller's thread)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public byte[] get(long clusterId, String workflowId, long position) {
    List<Stored> one = read(clusterId, workflowId, position, 1);
    return one.isEmpty() || one.get(0).position() != position ? null : one.get(0).checkpoint();
  }

  @Override
  public List<Stored> read(long clusterId, String workflowId, long fromPosition, int max) {
    Long number = numbers.get(new WorkflowKey(clusterId, workflowId));
    if (number == null) {
      return List.of();
    }
    return readPrefix(prefix(clusterId, number), fromPosition, max);
  }

  private List<Stored> readPrefix(byte[] prefix, long fromPosition, int max) {
    List<Stored> out = new ArrayList<>(Math.min(max, 256));
    resizeLock.readLock().lock();
    try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = table.openCursor(txn)) {
      boolean found = c.get(key(readKey.get(), prefix, fromPosition), GetOp.MDB_SET_RANGE);
      while (found && out.size() < max && hasPrefix(c.key(), prefix)) {
        ByteBuffer v = c.val();
        byte[] bytes = new byte[v.remaining()];
        v.get(bytes);
        out.add(new Stored(c.key().getLong(prefix.length), bytes));
        found = c.next();
      }
    } catch (LmdbException e) {
      throw new StorageException("reading checkpoint history from " + directory.toAbsolutePath() + " failed: "
          + e.getMessage(), e);
    } finally {
      resizeLock.readLock().unlock();
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Keys
  // ---------------------------------------------------------------------------------------------------------------

  /** {@code [clusterId:8][number:8]}: what every key of the workflow's entries starts with. */
  static byte[] prefix(long clusterId, long number) {
    return ByteBuffer.allocate(PREFIX_BYTES).putLong(clusterId).putLong(number).array();
  }

  private static ByteBuffer key(ByteBuffer buffer, byte[] prefix, long position) {
    buffer.clear();
    return buffer.put(prefix).putLong(position).flip();
  }

  private static boolean hasPrefix(ByteBuffer key, byte[] prefix) {
    if (key.remaining() != KEY_BYTES) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key.get(key.position() + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
