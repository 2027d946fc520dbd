package io.raftoral.lmdb;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.CheckpointStore;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * A {@link LogStore} on LMDB: one environment per node, holding every group of the node. {@link LmdbTables} is the
 * layout, {@link LmdbWriter} the one writer thread with group commit (one transaction and one fsync for every write
 * pending when it wakes up, from any group). Reads use their own read transactions on Vert.x workers and never wait
 * for the writer.
 */
public final class LmdbLogStore implements LogStore, MeterBinder {

  /** A reopened environment's map starts at twice its data file, so a full store can grow at once. */
  private static final int REOPEN_MAP_FACTOR = 2;
  private static final int MAX_DBS = 8;
  private static final int MAX_READERS = 256;
  /** Where the checkpoint history's environment lives, under the store's directory. */
  static final String HISTORY_DIRECTORY = "history";
  /** The history map's initial size (it grows when full). */
  private static final long HISTORY_MAP_BYTES = 64L << 20;

  private final Vertx vertx;
  private final Path directory;
  private final Env<ByteBuffer> env;
  private final LmdbTables tables;
  private final LmdbWriter writer;
  /** Snapshot data, in files beside the environment (the tables hold each group's {@link SnapshotRef}). */
  private final LmdbSnapshotFiles snapshots;
  private final LmdbCheckpoints checkpoints;
  /** Map growth needs every transaction closed: reads hold the read lock, growth takes the write lock. */
  private final ReentrantReadWriteLock resizeLock = new ReentrantReadWriteLock();
  /** The checkpoint history's environment: derived data, no fsync (see {@link LmdbCheckpoints}). */
  private final LmdbWriter historyWriter;
  private final ReentrantReadWriteLock historyResizeLock = new ReentrantReadWriteLock();
  /** Keeps other processes out of this directory while the store is open. */
  private final StorageDirectoryLock directoryLock;
  private final AtomicBoolean directoryReleased = new AtomicBoolean();
  /**
   * The groups' Raft logs and hard states in files of their own ({@link LmdbStoreOptions#isLogInFiles()}), or null
   * when they are kept in the environment's tables.
   */
  private RaftLogFiles raftLog;

  private LmdbLogStore(Vertx vertx, Path directory, Env<ByteBuffer> env, long mapSize, LmdbDurability durability,
      int snapshotChunkBytes, Env<ByteBuffer> historyEnv, StorageDirectoryLock directoryLock) {
    this.vertx = vertx;
    this.directoryLock = directoryLock;
    this.directory = directory;
    this.env = env;
    this.tables = new LmdbTables(env, directory);
    this.writer = new LmdbWriter(directory, env, tables, resizeLock, mapSize, durability);
    this.snapshots = new LmdbSnapshotFiles(vertx, directory, snapshotChunkBytes);
    Path historyDirectory = directory.resolve(HISTORY_DIRECTORY);
    this.historyWriter = LmdbWriter.forDerivedData(historyDirectory, historyEnv, historyResizeLock,
        HISTORY_MAP_BYTES);
    this.checkpoints = new LmdbCheckpoints(historyDirectory, historyEnv, historyResizeLock, historyWriter);
  }

  /**
   * Opens the checkpoint history's environment afresh (its old files deleted): the history is rebuilt from the
   * snapshot and the log when the node starts, and without fsync a power cut could have left the old files torn.
   */
  private static Env<ByteBuffer> openHistory(Path directory) throws IOException {
    Path history = directory.resolve(HISTORY_DIRECTORY);
    Files.createDirectories(history);
    Files.deleteIfExists(history.resolve("data.mdb"));
    Files.deleteIfExists(history.resolve("lock.mdb"));
    return Env.create().setMapSize(HISTORY_MAP_BYTES).setMaxDbs(1).setMaxReaders(MAX_READERS)
        .open(history.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC);
  }

  /** Drops the checkpoint table that stores of wave 2's third session kept in the log's environment. */
  private void dropLegacyCheckpointTable() {
    if (!env.getDbiNames().stream().anyMatch(n -> "ckpt".equals(new String(n, StandardCharsets.UTF_8)))) {
      return;
    }
    writer.inTransaction(txn -> env.openDbi(txn, "ckpt".getBytes(StandardCharsets.UTF_8), null, false)
        .drop(txn, true)).toCompletionStage().toCompletableFuture().join();
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @throws StorageException naming the directory when it cannot be created or holds no readable LMDB environment
   */
  public static LmdbLogStore open(Vertx vertx, Path directory) {
    return open(vertx, directory, new LmdbStoreOptions());
  }

  /** {@link #open(Vertx, Path)} with the initial map size (it grows when full). */
  static LmdbLogStore open(Vertx vertx, Path directory, long initialMapBytes) {
    return open(vertx, directory, new LmdbStoreOptions().setInitialMapBytes(initialMapBytes));
  }

  /**
   * {@link #open(Vertx, Path)} with options (durability, initial map size).
   *
   * @throws StorageException naming the directory when it cannot be created or holds no readable LMDB environment
   */
  public static LmdbLogStore open(Vertx vertx, Path directory, LmdbStoreOptions options) {
    try {
      Files.createDirectories(directory);
    } catch (Exception e) {
      throw new StorageException("cannot create storage directory " + directory.toAbsolutePath() + ": " + e, e);
    }
    StorageDirectoryLock lock = StorageDirectoryLock.acquire(directory);
    LmdbLogStore store;
    try {
      store = openEnvironments(vertx, directory, options, lock);
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
    try {
      store.recoverSnapshotFiles();
      store.dropLegacyCheckpointTable();
      store.openRaftLog(options);
    } catch (RuntimeException e) {
      store.closeNow(); // releases the lock
      throw e;
    }
    return store;
  }

  private static LmdbLogStore openEnvironments(Vertx vertx, Path directory, LmdbStoreOptions options,
      StorageDirectoryLock lock) {
    long initialMapBytes = options.getInitialMapBytes();
    LmdbDurability durability = options.getDurability();
    File data = directory.resolve("data.mdb").toFile();
    long mapSize = Math.max(initialMapBytes, data.length() * REOPEN_MAP_FACTOR);
    try {
      Env<ByteBuffer> env = Env.create().setMapSize(mapSize).setMaxDbs(MAX_DBS).setMaxReaders(MAX_READERS)
          .open(directory.toFile(), EnvFlags.MDB_NOTLS, durability == LmdbDurability.POWER_LOSS
              ? EnvFlags.MDB_NOMETASYNC : EnvFlags.MDB_NOSYNC);
      Env<ByteBuffer> historyEnv;
      try {
        historyEnv = openHistory(directory);
      } catch (IOException | LmdbException e) {
        env.close();
        throw new StorageException("cannot open the checkpoint history under " + directory.toAbsolutePath() + ": "
            + e, e);
      }
      return new LmdbLogStore(vertx, directory, env, mapSize, durability, options.getSnapshotChunkBytes(),
          historyEnv, lock);
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
    return open(vertx, directory, new LmdbStoreOptions(), expected);
  }

  /** {@link #open(Vertx, Path, NodeIdentity)} with options. */
  public static LmdbLogStore open(Vertx vertx, Path directory, LmdbStoreOptions options, NodeIdentity expected) {
    LmdbLogStore store = open(vertx, directory, options);
    NodeIdentity found = store.readIdentity();
    if (found != null && !found.equals(expected)) {
      store.closeNow();
      throw new StorageException("storage directory " + directory.toAbsolutePath() + " belongs to node "
          + found.nodeId() + " of cluster '" + found.clusterName() + "', not to node " + expected.nodeId()
          + " of cluster '" + expected.clusterName() + "'");
    }
    return store;
  }

  /**
   * Opens the log files when the options ask for them, first moving the logs a store of LMDB tables holds into them
   * (atomically: a directory renamed into place), then deleting them from the tables. Without log files, a store that
   * has them is refused: its groups' state is there.
   */
  private void openRaftLog(LmdbStoreOptions options) {
    if (!options.isLogInFiles()) {
      if (RaftLogFiles.existsIn(directory)) {
        throw new StorageException("storage directory " + directory.toAbsolutePath() + " keeps its Raft logs in "
            + RaftLogFiles.DIRECTORY + "/; it must be opened with logInFiles");
      }
      return;
    }
    try {
      RaftLogFiles.deleteUnfinishedCreate(directory);
      Set<Long> inTables = readTables(tables::groupsIn);
      if (!inTables.isEmpty()) {
        if (!RaftLogFiles.existsIn(directory)) {
          Map<Long, PersistentState> states = new TreeMap<>();
          for (long id : inTables) {
            PersistentState st = readTables(txn -> tables.loadIn(txn, id));
            if (st != null) {
              states.put(id, st);
            }
          }
          RaftLogFiles.create(directory, states);
        }
        writer.inTransaction(txn -> inTables.forEach(id -> tables.deleteAll(txn, id)))
            .toCompletionStage().toCompletableFuture().join();
      }
    } catch (IOException e) {
      throw new StorageException("moving the Raft logs of " + directory.toAbsolutePath() + " into files failed: "
          + e, e);
    }
    raftLog = RaftLogFiles.open(directory, options.getLogSegmentBytes(), options.getMaxSealedLogSegments());
  }

  private <T> T readTables(Function<Txn<ByteBuffer>, T> body) {
    resizeLock.readLock().lock();
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      return body.apply(txn);
    } finally {
      resizeLock.readLock().unlock();
    }
  }

  private void recoverSnapshotFiles() {
    snapshots.recover();
  }

  /** Closes from the opening thread, waiting for both writers. */
  private void closeNow() {
    if (raftLog != null) {
      raftLog.closeNow();
    }
    historyWriter.closeNow();
    writer.closeNow();
    releaseDirectory();
  }

  /** Lets other processes open the directory (once, whichever close comes first). */
  private void releaseDirectory() {
    if (directoryReleased.compareAndSet(false, true)) {
      directoryLock.release();
    }
  }

  public Path directory() {
    return directory;
  }

  @Override
  public String location() {
    return directory.toAbsolutePath().toString();
  }

  /**
   * Registers this store's meters in {@code registry} (see {@link LmdbMeters}: fsync latency, batch size, commits,
   * writes, map size); without it the store keeps no meters.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    LmdbMeters meters = LmdbMeters.register(registry, this);
    writer.meters(meters);
    if (raftLog != null) {
      raftLog.meters(meters);
    }
  }

  /** The Raft log's segment files now (for tests), oldest first; empty when the logs are in LMDB tables. */
  List<Path> raftLogSegmentFiles() throws IOException {
    return raftLog == null ? List.of() : raftLog.segmentFiles();
  }

  /** Current size of the memory map in bytes. */
  public long mapSize() {
    return writer.mapSize();
  }

  /** Explicit fsyncs done after commits (a commit's own data sync under {@link LmdbDurability#POWER_LOSS} aside). */
  public long syncCount() {
    return writer.syncCount() + (raftLog == null ? 0 : raftLog.syncCount());
  }

  /** Write transactions committed. */
  public long commitCount() {
    return writer.commitCount() + (raftLog == null ? 0 : raftLog.commitCount());
  }

  /** Writes made durable. */
  public long writeCount() {
    return writer.writeCount() + (raftLog == null ? 0 : raftLog.writeCount());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reads (any thread, never blocked by the writer)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public Future<Set<Long>> groups() {
    if (raftLog != null) {
      return raftLog.groups();
    }
    return read(tables::groupsIn);
  }

  @Override
  public Future<PersistentState> load(long groupId) {
    if (raftLog != null) {
      return raftLog.load(groupId).map(state -> {
        if (state != null && SnapshotRef.isRef(state.snapshot().data())) {
          requireSnapshotFile(groupId, SnapshotRef.decode(state.snapshot().data()).id());
        }
        return state;
      });
    }
    return read(txn -> {
      PersistentState state = tables.loadIn(txn, groupId);
      if (state != null && SnapshotRef.isRef(state.snapshot().data())) {
        requireSnapshotFile(groupId, SnapshotRef.decode(state.snapshot().data()).id());
      }
      return state;
    });
  }

  private void requireSnapshotFile(long groupId, String id) {
    if (!snapshots.isKept(groupId, id)) {
      throw new StorageException("storage directory " + directory.toAbsolutePath() + ": the snapshot of group "
          + groupId + " refers to data file " + snapshots.layout().kept(groupId, id) + ", which is missing");
    }
  }

  @Override
  public Future<NodeIdentity> identity() {
    return read(tables::identityIn);
  }

  private NodeIdentity readIdentity() {
    resizeLock.readLock().lock();
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      return tables.identityIn(txn);
    } finally {
      resizeLock.readLock().unlock();
    }
  }

  private <T> Future<T> read(Function<Txn<ByteBuffer>, T> body) {
    if (writer.isClosed()) {
      return Future.failedFuture(writer.closedError());
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
  // Writes (through the writer thread)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public Future<Void> write(long groupId, StoreWrite write) {
    if (raftLog != null) {
      if (write.snapshot() != null && SnapshotRef.isRef(write.snapshot().data())) {
        return recordSnapshotInFiles(groupId, write.snapshot(), check -> raftLog.write(groupId, write, check));
      }
      return raftLog.write(groupId, write);
    }
    if (write.snapshot() != null && SnapshotRef.isRef(write.snapshot().data())) {
      return recordSnapshot(groupId, write.snapshot(), txn -> tables.applyWrite(txn, groupId, write));
    }
    return writer.write(groupId, write);
  }

  @Override
  public Future<Void> saveSnapshot(long groupId, Snapshot snapshot) {
    if (raftLog != null) {
      if (SnapshotRef.isRef(snapshot.data())) {
        return recordSnapshotInFiles(groupId, snapshot, check -> raftLog.compact(groupId, snapshot, check));
      }
      return raftLog.compact(groupId, snapshot);
    }
    if (SnapshotRef.isRef(snapshot.data())) {
      return recordSnapshot(groupId, snapshot, txn -> tables.applyCompaction(txn, groupId, snapshot));
    }
    return writer.saveSnapshot(groupId, snapshot);
  }

  /**
   * Applies {@code change} (which records {@code snapshot}, whose data is a {@link SnapshotRef}) once its file is
   * kept, then keeps the group's files of the snapshot recorded now and of the one recorded before (peers may still
   * be fetching it) and deletes older ones.
   */
  private Future<Void> recordSnapshot(long groupId, Snapshot snapshot, Consumer<Txn<ByteBuffer>> change) {
    String id = SnapshotRef.decode(snapshot.data()).id();
    Set<String> recorded = ConcurrentHashMap.newKeySet();
    return writer.inTransaction(txn -> {
      requireSnapshotFile(groupId, id);
      recorded.clear(); // a transaction retried after the map grew runs again
      String before = tables.snapshotRefIdIn(txn, groupId);
      change.accept(txn);
      String after = tables.snapshotRefIdIn(txn, groupId);
      Stream.of(before, after).filter(Objects::nonNull).forEach(recorded::add);
    }).compose(v -> snapshots.retain(groupId, Set.copyOf(recorded), id));
  }

  /**
   * {@link #recordSnapshot} for a store with log files: the snapshot stored before, the change and the snapshot
   * stored after are requests of the log's writer, run in this order (the group submits nothing else meanwhile).
   */
  private Future<Void> recordSnapshotInFiles(long groupId, Snapshot snapshot,
      Function<Runnable, Future<Void>> change) {
    String id = SnapshotRef.decode(snapshot.data()).id();
    Future<Snapshot> before = raftLog.call(log -> log.storedSnapshot(groupId));
    Future<Void> changed = change.apply(() -> requireSnapshotFile(groupId, id));
    Future<Snapshot> after = raftLog.call(log -> log.storedSnapshot(groupId));
    return Future.all(before, changed, after).compose(v -> {
      Set<String> recorded = new HashSet<>();
      Stream.of(before.result(), after.result())
          .filter(s -> s != null && SnapshotRef.isRef(s.data()))
          .forEach(s -> recorded.add(SnapshotRef.decode(s.data()).id()));
      return snapshots.retain(groupId, Set.copyOf(recorded), id);
    });
  }

  @Override
  public Future<Void> deleteGroup(long groupId) {
    if (raftLog != null) {
      return raftLog.delete(groupId).compose(v -> snapshots.deleteGroup(groupId));
    }
    return writer.deleteGroup(groupId).compose(v -> snapshots.deleteGroup(groupId));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Snapshot data (files beside the environment, see LmdbSnapshotFiles)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public SnapshotSink createSnapshot(long groupId) {
    requireOpen();
    return snapshots.createSink(groupId);
  }

  @Override
  public SnapshotSink createSnapshot(long groupId, int chunkSize) {
    requireOpen();
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
    }
    return snapshots.createSink(groupId, chunkSize);
  }

  @Override
  public Future<Long> snapshotSize(long groupId, String snapshotId) {
    if (writer.isClosed()) {
      return Future.failedFuture(writer.closedError());
    }
    if (!LmdbSnapshotLayout.isSafeId(snapshotId)) {
      return Future.failedFuture(new SnapshotNotFoundException(groupId, snapshotId));
    }
    return snapshots.size(groupId, snapshotId);
  }

  @Override
  public SnapshotReceiver receiveSnapshot(long groupId, SnapshotRef ref) {
    requireOpen();
    return snapshots.receiver(groupId, ref);
  }

  @Override
  public Future<Buffer> readSnapshot(long groupId, String snapshotId, long offset, int maxBytes) {
    if (writer.isClosed()) {
      return Future.failedFuture(writer.closedError());
    }
    if (!LmdbSnapshotLayout.isSafeId(snapshotId)) {
      return Future.failedFuture(new SnapshotNotFoundException(groupId, snapshotId));
    }
    return snapshots.read(groupId, snapshotId, offset, maxBytes);
  }

  @Override
  public InputStream openSnapshot(long groupId, String snapshotId) {
    requireOpen();
    if (!LmdbSnapshotLayout.isSafeId(snapshotId)) {
      throw new SnapshotNotFoundException(groupId, snapshotId);
    }
    return snapshots.open(groupId, snapshotId);
  }

  private void requireOpen() {
    if (writer.isClosed()) {
      throw writer.closedError();
    }
  }

  @Override
  public Future<Void> saveIdentity(NodeIdentity identity) {
    return writer.saveIdentity(identity);
  }

  /**
   * Copies the environment, compacted (free pages left out), into {@code targetDirectory} on a worker thread. LMDB
   * copies from one read transaction, so the copy holds exactly the writes committed when it began; the writer
   * keeps committing meanwhile. Map growth waits for the copy (it needs every transaction closed). Then the
   * snapshot files the copy refers to are copied beside it (see {@link LmdbBackups#copySnapshotFiles}).
   */
  @Override
  public Future<Long> backup(Path targetDirectory) {
    if (writer.isClosed()) {
      return Future.failedFuture(writer.closedError());
    }
    if (raftLog != null) {
      // At a consistent point of the log files (their writer waits meanwhile): the snapshot files they refer to are
      // pinned before any later write could record a newer snapshot and retire an older one.
      return raftLog.atConsistentPoint(log -> {
        LmdbBackups.prepareEmptyDirectory(targetDirectory);
        List<LmdbSnapshotFiles.Key> pinned;
        try {
          pinned = snapshots.pinKept();
        } catch (IOException e) {
          throw new StorageException("backing up " + directory.toAbsolutePath() + " failed: " + e, e);
        }
        try {
          resizeLock.readLock().lock();
          try {
            env.copy(targetDirectory.toFile(), CopyFlags.MDB_CP_COMPACT);
          } catch (LmdbException e) {
            throw new StorageException("backing up " + directory.toAbsolutePath() + " to "
                + targetDirectory.toAbsolutePath() + " failed: " + e.getMessage(), e);
          } finally {
            resizeLock.readLock().unlock();
          }
          long bytes = log.copyTo(targetDirectory);
          return bytes + Files.size(targetDirectory.resolve(LmdbBackups.DATA_FILE))
              + LmdbBackups.copySnapshotFiles(snapshots, targetDirectory, log.snapshotRefIds());
        } catch (IOException e) {
          throw new StorageException("backing up " + directory.toAbsolutePath() + " failed: " + e, e);
        } finally {
          pinned.forEach(snapshots::release);
        }
      });
    }
    return vertx.executeBlocking(() -> {
      LmdbBackups.prepareEmptyDirectory(targetDirectory);
      List<LmdbSnapshotFiles.Key> pinned = snapshots.pinKept();
      try {
        resizeLock.readLock().lock();
        try {
          env.copy(targetDirectory.toFile(), CopyFlags.MDB_CP_COMPACT);
        } catch (LmdbException e) {
          throw new StorageException("backing up " + directory.toAbsolutePath() + " to "
              + targetDirectory.toAbsolutePath() + " failed: " + e.getMessage(), e);
        } finally {
          resizeLock.readLock().unlock();
        }
        return Files.size(targetDirectory.resolve(LmdbBackups.DATA_FILE))
            + LmdbBackups.copySnapshotFiles(snapshots, targetDirectory);
      } finally {
        pinned.forEach(snapshots::release);
      }
    }, false);
  }

  /** The checkpoint history of this node's execution clusters, in an environment of its own (no fsync). */
  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public Future<Void> close() {
    Future<Void> logClosed = raftLog == null ? Future.succeededFuture() : raftLog.close();
    return Future.all(logClosed, historyWriter.close(), writer.close()).<Void>mapEmpty()
        .onComplete(ar -> releaseDirectory());
  }
}
