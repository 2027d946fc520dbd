package io.raftoral.lmdb;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LogStore} on LMDB: one environment per node, holding every group of the node.
 *
 * <p>Layout (all keys big-endian, so each group's log is contiguous and ordered by index):
 * <ul>
 *   <li>{@code log}: {@code [clusterId:8][index:8]} &rarr; {@code [term:8][type:1][data]}
 *   <li>{@code meta}: {@code [clusterId:8][tag:1]} &rarr; hard state (tag 1) or snapshot metadata (tag 2: index,
 *       term, voters, learners, chunk count, length)
 *   <li>{@code snap}: {@code [clusterId:8][chunk:4]} &rarr; up to {@value #CHUNK_BYTES} bytes of state-machine
 *       snapshot, so a large snapshot is written and read piecewise
 *   <li>{@code node}: {@code "identity"} &rarr; {@code [nodeId:8][clusterName]}
 * </ul>
 *
 * <p>Writes go through one writer thread per environment (a dedicated platform thread named
 * {@code raftoral-lmdb-writer}, since LMDB allows one write transaction per environment; a dedicated thread wakes
 * faster than a pooled worker, which shows in commit latency) with group commit: every write pending when the writer wakes up, from any group,
 * goes into one transaction, made durable with one fsync (the environment runs with {@code MDB_NOSYNC} and syncs
 * explicitly, so a batch holding only lazy commit-index writes costs no fsync); futures complete only after that
 * returns. Reads use
 * their own read transactions and never wait for the writer. A full map grows (doubling) and the batch is retried;
 * other failures (a full disk) fail the batch's futures with a {@link StorageException} naming the directory, and
 * the store stays usable.
 */
public final class LmdbLogStore implements LogStore {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbLogStore.class);
  static final int CHUNK_BYTES = 256 * 1024;
  private static final byte TAG_HARD_STATE = 1;
  private static final byte TAG_SNAPSHOT = 2;
  private static final long INITIAL_MAP_BYTES = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final Path directory;
  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> log;
  private final Dbi<ByteBuffer> meta;
  private final Dbi<ByteBuffer> snap;
  private final Dbi<ByteBuffer> node;
  private final Thread writer;
  private final ConcurrentLinkedQueue<Op> pending = new ConcurrentLinkedQueue<>();

  /** Map growth needs every transaction closed: reads hold the read lock, growth takes the write lock. */
  private final ReentrantReadWriteLock resizeLock = new ReentrantReadWriteLock();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private volatile boolean closed;
  private final Promise<Void> closedPromise = Promise.promise();
  private long mapSize;

  private LmdbLogStore(Vertx vertx, Path directory, Env<ByteBuffer> env, long mapSize) {
    this.vertx = vertx;
    this.directory = directory;
    this.env = env;
    this.mapSize = mapSize;
    this.log = env.openDbi("log", DbiFlags.MDB_CREATE);
    this.meta = env.openDbi("meta", DbiFlags.MDB_CREATE);
    this.snap = env.openDbi("snap", DbiFlags.MDB_CREATE);
    this.node = env.openDbi("node", DbiFlags.MDB_CREATE);
    this.writer = new Thread(this::writeLoop, "raftoral-lmdb-writer-" + directory.getFileName());
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @throws StorageException naming the directory when it cannot be created or holds no readable LMDB environment
   */
  public static LmdbLogStore open(Vertx vertx, Path directory) {
    return open(vertx, directory, INITIAL_MAP_BYTES);
  }

  /** {@link #open(Vertx, Path)} with the initial map size (it grows when full). */
  static LmdbLogStore open(Vertx vertx, Path directory, long initialMapBytes) {
    try {
      Files.createDirectories(directory);
    } catch (Exception e) {
      throw new StorageException("cannot create storage directory " + directory.toAbsolutePath() + ": " + e, e);
    }
    File data = directory.resolve("data.mdb").toFile();
    long mapSize = Math.max(initialMapBytes, data.length() * 2);
    try {
      Env<ByteBuffer> env = Env.create().setMapSize(mapSize).setMaxDbs(8).setMaxReaders(256)
          .open(directory.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC);
      return new LmdbLogStore(vertx, directory, env, mapSize);
    } catch (LmdbException | IllegalStateException e) {
      throw new StorageException("storage directory " + directory.toAbsolutePath()
          + " does not hold a readable Raftoral LMDB store (damaged, or not LMDB data): " + e.getMessage(), e);
    }
  }

  /**
   * Opens the store and checks that it belongs to {@code expected} (recording it when the store is new).
   *
   * @throws StorageException naming the directory when it belongs to another node or cluster
   */
  public static LmdbLogStore open(Vertx vertx, Path directory, NodeIdentity expected) {
    LmdbLogStore store = open(vertx, directory);
    NodeIdentity found = store.readIdentity();
    if (found != null && !found.equals(expected)) {
      store.closeNow();
      throw new StorageException("storage directory " + directory.toAbsolutePath() + " belongs to node "
          + found.nodeId() + " of cluster '" + found.clusterName() + "', not to node " + expected.nodeId()
          + " of cluster '" + expected.clusterName() + "'");
    }
    return store;
  }

  public Path directory() {
    return directory;
  }

  @Override
  public String location() {
    return directory.toAbsolutePath().toString();
  }

  /** Current size of the memory map in bytes. */
  public long mapSize() {
    return mapSize;
  }

  /** fsyncs done (a batch with only lazy writes commits without one). */
  public long syncCount() {
    return syncs.get();
  }

  /** Write transactions committed. */
  public long commitCount() {
    return commits.get();
  }

  /** Writes made durable. */
  public long writeCount() {
    return writes.get();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reads (any thread, never blocked by the writer)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public Future<Set<Long>> groups() {
    return read(txn -> {
      Set<Long> ids = new TreeSet<>();
      try (Cursor<ByteBuffer> c = meta.openCursor(txn)) {
        boolean found = c.first();
        while (found) {
          ids.add(c.key().getLong(0));
          found = c.next();
        }
      }
      return ids;
    });
  }

  @Override
  public Future<PersistentState> load(long clusterId) {
    return read(txn -> loadIn(txn, clusterId));
  }

  @Override
  public Future<NodeIdentity> identity() {
    return read(this::identityIn);
  }

  private NodeIdentity readIdentity() {
    resizeLock.readLock().lock();
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      return identityIn(txn);
    } finally {
      resizeLock.readLock().unlock();
    }
  }

  private NodeIdentity identityIn(Txn<ByteBuffer> txn) {
    ByteBuffer v = node.get(txn, identityKey());
    if (v == null) {
      return null;
    }
    long id = v.getLong(0);
    byte[] name = new byte[v.remaining() - 8];
    v.position(8);
    v.get(name);
    return new NodeIdentity(id, new String(name, StandardCharsets.UTF_8));
  }

  private PersistentState loadIn(Txn<ByteBuffer> txn, long clusterId) {
    // lmdbjava reuses one buffer for the values a transaction returns: decode each before the next get.
    ByteBuffer hs = meta.get(txn, metaKey(clusterId, TAG_HARD_STATE));
    HardState hardState = hs == null ? HardState.EMPTY : new HardState(hs.getLong(0), hs.getLong(8), hs.getLong(16));
    ByteBuffer sm = meta.get(txn, metaKey(clusterId, TAG_SNAPSHOT));
    Snapshot snapshot = sm == null ? Snapshot.EMPTY : readSnapshot(txn, clusterId, sm);
    List<Entry> entries = new ArrayList<>();
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      boolean found = c.get(logKey(clusterId, snapshot.index() + 1), GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == clusterId) {
        long index = c.key().getLong(8);
        ByteBuffer v = c.val();
        byte[] data = new byte[v.remaining() - 9];
        v.position(9);
        v.get(data);
        entries.add(new Entry(index, v.getLong(0), EntryType.values()[v.get(8)], data));
        found = c.next();
      }
    }
    if (hs == null && sm == null && entries.isEmpty()) {
      return null;
    }
    try {
      return new PersistentState(hardState, snapshot, entries);
    } catch (IllegalArgumentException e) {
      throw new StorageException("storage directory " + directory.toAbsolutePath() + ": group " + clusterId
          + " has an inconsistent log: " + e.getMessage(), e);
    }
  }

  private Snapshot readSnapshot(Txn<ByteBuffer> txn, long clusterId, ByteBuffer m) {
    long index = m.getLong(0);
    long term = m.getLong(8);
    int voters = m.getInt(16);
    int learners = m.getInt(20);
    int pos = 24;
    Set<Long> v = new TreeSet<>();
    for (int i = 0; i < voters; i++, pos += 8) {
      v.add(m.getLong(pos));
    }
    Set<Long> l = new TreeSet<>();
    for (int i = 0; i < learners; i++, pos += 8) {
      l.add(m.getLong(pos));
    }
    int chunks = m.getInt(pos);
    int length = m.getInt(pos + 4);
    byte[] data = new byte[length];
    int off = 0;
    for (int i = 0; i < chunks; i++) {
      ByteBuffer chunk = snap.get(txn, snapKey(clusterId, i));
      if (chunk == null) {
        throw new StorageException("storage directory " + directory.toAbsolutePath() + ": group " + clusterId
            + " snapshot " + index + " misses chunk " + i);
      }
      int n = chunk.remaining();
      chunk.get(data, off, n);
      off += n;
    }
    return new Snapshot(index, term, new Membership(v, l), data);
  }

  private <T> Future<T> read(Function<Txn<ByteBuffer>, T> body) {
    if (closed) {
      return Future.failedFuture(new StorageException("store " + directory.toAbsolutePath() + " is closed"));
    }
    return vertx.executeBlocking(() -> {
      resizeLock.readLock().lock();
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        return body.apply(txn);
      } catch (LmdbException e) {
        throw new StorageException("reading " + directory.toAbsolutePath() + " failed: " + e.getMessage(), e);
      } finally {
        resizeLock.readLock().unlock();
      }
    }, false);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writes: one writer thread, group commit
  // ---------------------------------------------------------------------------------------------------------------

  private interface Op {
    void apply(Txn<ByteBuffer> txn);

    Promise<Void> promise();

    /** Whether the op's future may complete only once the disk has it (fsync). */
    default boolean sync() {
      return true;
    }
  }

  private record WriteOp(long clusterId, StoreWrite write, Promise<Void> promise, LmdbLogStore store) implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      store.applyWrite(txn, clusterId, write);
    }

    @Override
    public boolean sync() {
      return write.sync();
    }
  }

  private record SnapshotOp(long clusterId, Snapshot snapshot, Promise<Void> promise, LmdbLogStore store)
      implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      store.applyCompaction(txn, clusterId, snapshot);
    }
  }

  private record DeleteOp(long clusterId, Promise<Void> promise, LmdbLogStore store) implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      store.deleteAll(txn, clusterId);
    }
  }

  private record IdentityOp(NodeIdentity identity, Promise<Void> promise, LmdbLogStore store) implements Op {
    @Override
    public void apply(Txn<ByteBuffer> txn) {
      NodeIdentity existing = store.identityIn(txn);
      if (existing != null && !existing.equals(identity)) {
        throw new StorageException("storage directory " + store.directory.toAbsolutePath() + " belongs to "
            + existing + ", not " + identity);
      }
      byte[] name = identity.clusterName().getBytes(StandardCharsets.UTF_8);
      store.node.put(txn, identityKey(), direct(8 + name.length).putLong(identity.nodeId()).put(name).flip());
    }
  }

  @Override
  public Future<Void> write(long clusterId, StoreWrite write) {
    return submit(new WriteOp(clusterId, write, Promise.promise(), this));
  }

  @Override
  public Future<Void> saveSnapshot(long clusterId, Snapshot snapshot) {
    return submit(new SnapshotOp(clusterId, snapshot, Promise.promise(), this));
  }

  @Override
  public Future<Void> deleteGroup(long clusterId) {
    return submit(new DeleteOp(clusterId, Promise.promise(), this));
  }

  @Override
  public Future<Void> saveIdentity(NodeIdentity identity) {
    return submit(new IdentityOp(identity, Promise.promise(), this));
  }

  private Future<Void> submit(Op op) {
    if (closed) {
      return Future.failedFuture(new StorageException("store " + directory.toAbsolutePath() + " is closed"));
    }
    pending.add(op);
    LockSupport.unpark(writer);
    return op.promise().future();
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
        if (!closed) {
          LockSupport.park(this);
        }
        continue;
      }
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
      if (ops.stream().anyMatch(Op::sync)) {
        // The environment commits without fsync (MDB_NOSYNC): one explicit sync makes this batch, and every
        // lazily written batch before it, durable.
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
      }
      commits.incrementAndGet();
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

  private void applyWrite(Txn<ByteBuffer> txn, long clusterId, StoreWrite w) {
    if (w.snapshot() != null) {
      deleteRange(txn, log, logKey(clusterId, 0), clusterId);
      putSnapshot(txn, clusterId, w.snapshot());
    }
    if (!w.entries().isEmpty()) {
      long first = w.entries().get(0).index();
      deleteRange(txn, log, logKey(clusterId, first), clusterId);
      long last = lastIndexIn(txn, clusterId);
      if (first != last + 1) {
        throw new StorageException("storage " + directory.toAbsolutePath() + ": group " + clusterId + " write of entry "
            + first + " leaves a gap after " + last);
      }
      for (Entry e : w.entries()) {
        ByteBuffer v = direct(9 + e.data().length).putLong(e.term()).put((byte) e.type().ordinal()).put(e.data()).flip();
        log.put(txn, logKey(clusterId, e.index()), v);
      }
    }
    if (w.hardState() != null) {
      HardState h = w.hardState();
      meta.put(txn, metaKey(clusterId, TAG_HARD_STATE), direct(24).putLong(h.term()).putLong(h.vote())
          .putLong(h.commit()).flip());
    }
  }

  /** Last stored index of a group: its last entry, else its snapshot index, else 0. */
  private long lastIndexIn(Txn<ByteBuffer> txn, long clusterId) {
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      if (c.get(logKey(clusterId, Long.MAX_VALUE), GetOp.MDB_SET_RANGE)) {
        if (!c.prev()) {
          return snapshotIndexIn(txn, clusterId);
        }
      } else if (!c.last()) {
        return snapshotIndexIn(txn, clusterId);
      }
      if (c.key().getLong(0) == clusterId) {
        return c.key().getLong(8);
      }
    }
    return snapshotIndexIn(txn, clusterId);
  }

  private long snapshotIndexIn(Txn<ByteBuffer> txn, long clusterId) {
    ByteBuffer m = meta.get(txn, metaKey(clusterId, TAG_SNAPSHOT));
    return m == null ? 0 : m.getLong(0);
  }

  private void applyCompaction(Txn<ByteBuffer> txn, long clusterId, Snapshot s) {
    if (s.index() <= snapshotIndexIn(txn, clusterId)) {
      return;
    }
    // Entries up to the snapshot are deleted for real: LMDB reuses their pages.
    try (Cursor<ByteBuffer> c = log.openCursor(txn)) {
      boolean found = c.get(logKey(clusterId, 0), GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == clusterId && c.key().getLong(8) <= s.index()) {
        c.delete();
        found = c.next(); // after a delete LMDB leaves the cursor on the following record; next() returns it
      }
    }
    putSnapshot(txn, clusterId, s);
  }

  private void putSnapshot(Txn<ByteBuffer> txn, long clusterId, Snapshot s) {
    deleteRange(txn, snap, snapKey(clusterId, 0), clusterId);
    byte[] data = s.data();
    int chunks = (data.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    ByteBuffer chunkBuf = ByteBuffer.allocateDirect(Math.min(CHUNK_BYTES, Math.max(1, data.length)));
    for (int i = 0; i < chunks; i++) {
      int off = i * CHUNK_BYTES;
      int len = Math.min(CHUNK_BYTES, data.length - off);
      chunkBuf.clear();
      chunkBuf.put(data, off, len).flip();
      snap.put(txn, snapKey(clusterId, i), chunkBuf);
    }
    Membership m = s.membership();
    ByteBuffer mv = direct(24 + 8 * (m.voters().size() + m.learners().size()) + 8)
        .putLong(s.index()).putLong(s.term()).putInt(m.voters().size()).putInt(m.learners().size());
    m.voters().forEach(mv::putLong);
    m.learners().forEach(mv::putLong);
    mv.putInt(chunks).putInt(data.length).flip();
    meta.put(txn, metaKey(clusterId, TAG_SNAPSHOT), mv);
  }

  private void deleteAll(Txn<ByteBuffer> txn, long clusterId) {
    deleteRange(txn, log, logKey(clusterId, 0), clusterId);
    deleteRange(txn, snap, snapKey(clusterId, 0), clusterId);
    meta.delete(txn, metaKey(clusterId, TAG_HARD_STATE));
    meta.delete(txn, metaKey(clusterId, TAG_SNAPSHOT));
  }

  /** Deletes every key of {@code db} from {@code from} on whose first 8 bytes are {@code clusterId}. */
  private static void deleteRange(Txn<ByteBuffer> txn, Dbi<ByteBuffer> db, ByteBuffer from, long clusterId) {
    try (Cursor<ByteBuffer> c = db.openCursor(txn)) {
      boolean found = c.get(from, GetOp.MDB_SET_RANGE);
      while (found && c.key().getLong(0) == clusterId) {
        c.delete();
        found = c.next(); // after a delete LMDB leaves the cursor on the following record; next() returns it
      }
    }
  }

  @Override
  public Future<Void> close() {
    if (!closed) {
      closed = true; // no new writes; the writer drains what is pending, syncs and closes the environment
      LockSupport.unpark(writer);
    }
    return closedPromise.future();
  }

  /** Closes from a non-writer thread and waits for the writer to finish. */
  private void closeNow() {
    close();
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs on the writer thread once closed and drained. */
  private void closeEnvironment() {
    resizeLock.writeLock().lock();
    try {
      try {
        env.sync(true);
      } catch (LmdbException e) {
        LOG.warn("final sync of {} failed: {}", directory.toAbsolutePath(), e.getMessage());
      }
      env.close();
    } finally {
      resizeLock.writeLock().unlock();
    }
    StorageException closedError = new StorageException("store " + directory.toAbsolutePath() + " is closed");
    Op late;
    while ((late = pending.poll()) != null) {
      late.promise().tryFail(closedError); // submitted while closing
    }
    closedPromise.tryComplete();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static ByteBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size);
  }

  static ByteBuffer logKey(long clusterId, long index) {
    return direct(16).putLong(clusterId).putLong(index).flip();
  }

  private static ByteBuffer metaKey(long clusterId, byte tag) {
    return direct(9).putLong(clusterId).put(tag).flip();
  }

  private static ByteBuffer snapKey(long clusterId, int chunk) {
    return direct(12).putLong(clusterId).putInt(chunk).flip();
  }

  private static ByteBuffer identityKey() {
    byte[] k = "identity".getBytes(StandardCharsets.US_ASCII);
    return direct(k.length).put(k).flip();
  }
}
