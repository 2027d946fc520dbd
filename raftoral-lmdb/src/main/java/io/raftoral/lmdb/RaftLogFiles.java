package io.raftoral.lmdb;

import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft logs and hard states of every group of a node, in segment files of checksummed records
 * ({@link RaftLogRecords}) under {@code <storage>/raft-log/}: a write-ahead log with one fdatasync per batch.
 *
 * <p>Why not LMDB for this: a durable LMDB commit is two flushes (its data pages, then its meta page, which must not
 * reach the disk first), and LMDB without them can be torn by a power cut. Appending checksummed records and
 * flushing once is one flush, and a flush of a file whose blocks are already allocated (a segment filled with zeros
 * beforehand, on a thread of its own) writes no file-system metadata, which makes it faster again (0.12 ms against
 * 0.16 ms for an append and about 0.3 ms for an LMDB commit on the machines this project is measured on).
 *
 * <p>One writer thread, as {@link LmdbWriter}: every request pending when it wakes up, from any group, is encoded
 * into one buffer, written at the end of the current segment and flushed once if any of them needs durability
 * (group commit); futures complete after that, on the writer thread. The writer also keeps what every group stored
 * ({@link RaftLogGroup}), which is what {@link #load} answers and what lets old segments go: when more than
 * {@code maxSealedSegments} segments are full, each group whose records still reach into the oldest one gets a
 * record of its whole state in the current segment, and once that is durable the oldest segment is deleted.
 *
 * <p>Opening replays the segments in order. A record whose checksum does not match, or that runs past the end of
 * its file, in the last segment holding data is where a write was torn by a crash (it was never acknowledged): the
 * segment is cut there and writing goes on in a new segment. The same in an earlier segment is damage, reported
 * with the file and offset, since later segments were only written once that one was flushed.
 */
final class RaftLogFiles {

  private static final Logger LOG = LoggerFactory.getLogger(RaftLogFiles.class);
  static final String DIRECTORY = "raft-log";
  private static final String SUFFIX = ".wal";
  private static final String PREPARING_SUFFIX = ".wal.preparing";
  private static final int ZERO_CHUNK_BYTES = 1 << 20;
  /**
   * The zeros of a segment being prepared are flushed every so many bytes: one flush of a whole segment occupies the
   * disk for as long as it takes to write it (64 MiB: over 100 ms here), and every commit's flush waits behind it.
   */
  private static final int ZERO_FLUSH_BYTES = 1 << 20;
  private static final int INITIAL_BUFFER_BYTES = 1 << 20;
  /**
   * The next segment is prepared (filled with zeros) once the current one holds this much, or half its size if less:
   * a store that writes little never pays for a segment of zeros.
   */
  private static final long PREPARE_AFTER_BYTES = 1 << 20;
  private static final long CLOSE_WAIT_MILLIS = 30_000;

  private final Path directory;
  private final long segmentBytes;
  private final int maxSealedSegments;
  private final Thread writer;
  private final ConcurrentLinkedQueue<Request> pending = new ConcurrentLinkedQueue<>();
  /** The writer is parked waiting for work: only then does a submit wake it (while it writes, it polls again). */
  private final AtomicBoolean idle = new AtomicBoolean();
  private final ExecutorService preparer;
  private final Promise<Void> closedPromise = Promise.promise();
  private volatile boolean closed;
  private volatile LmdbMeters meters = LmdbMeters.NONE;
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();

  // Writer thread only (and the opening thread before the writer starts).
  private final Map<Long, RaftLogGroup> groups = new HashMap<>();
  /** Full segments, oldest first: sequence number -> file. */
  private final TreeMap<Long, Path> sealed = new TreeMap<>();
  private Segment current;
  private CompletableFuture<Segment> prepared;
  private final RaftLogRecords.Encoder encoder = new RaftLogRecords.Encoder(INITIAL_BUFFER_BYTES);

  /** The segment being written. */
  private static final class Segment {
    final long seq;
    final Path path;
    final FileChannel channel;
    /** Whether its blocks were allocated (zeros written and flushed) before use. */
    final boolean preallocated;
    long position;
    /** Written since the last flush. */
    boolean dirty;

    Segment(long seq, Path path, FileChannel channel, boolean preallocated) {
      this.seq = seq;
      this.path = path;
      this.channel = channel;
      this.preallocated = preallocated;
    }
  }

  /** A request of the writer: it may append records; it completes after the batch's flush unless it says so. */
  private interface Request {
    void run(RaftLogFiles log);

    /** Completes the request once the batch it was in is written (and flushed, if any request needed it). */
    void done();

    void fail(Throwable t);

    /** Whether the batch must be flushed before {@link #done()}. */
    boolean sync();
  }

  private abstract static class Change implements Request {
    final Promise<Void> promise = Promise.promise();
    Throwable failure;

    @Override
    public void done() {
      if (failure != null) {
        promise.tryFail(failure);
      } else {
        promise.tryComplete();
      }
    }

    @Override
    public void fail(Throwable t) {
      promise.tryFail(t);
    }

    @Override
    public boolean sync() {
      return true;
    }
  }

  private static final class Call<T> implements Request {
    final Function<RaftLogFiles, T> body;
    final Promise<T> promise = Promise.promise();
    T result;
    Throwable failure;

    Call(Function<RaftLogFiles, T> body) {
      this.body = body;
    }

    @Override
    public void run(RaftLogFiles log) {
      try {
        result = body.apply(log);
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    @Override
    public void done() {
      if (failure != null) {
        promise.tryFail(failure);
      } else {
        promise.tryComplete(result);
      }
    }

    @Override
    public void fail(Throwable t) {
      promise.tryFail(t);
    }

    @Override
    public boolean sync() {
      return false;
    }
  }

  private RaftLogFiles(Path directory, long segmentBytes, int maxSealedSegments) {
    this.directory = directory;
    this.segmentBytes = segmentBytes;
    this.maxSealedSegments = maxSealedSegments;
    this.preparer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "raftoral-log-preparer-" + directory.getParent().getFileName());
      t.setDaemon(true);
      return t;
    });
    this.writer = new Thread(this::writeLoop, "raftoral-log-writer-" + directory.getParent().getFileName());
    this.writer.setDaemon(true);
  }

  /** Whether {@code storageDirectory} holds log files (a store that keeps its Raft logs in files). */
  static boolean existsIn(Path storageDirectory) {
    return Files.isDirectory(storageDirectory.resolve(DIRECTORY));
  }

  /**
   * Opens the log files under {@code storageDirectory} (creating the directory), replaying them.
   *
   * @throws StorageException when a segment is damaged other than by a torn last write
   */
  static RaftLogFiles open(Path storageDirectory, long segmentBytes, int maxSealedSegments) {
    Path dir = storageDirectory.resolve(DIRECTORY);
    RaftLogFiles log = new RaftLogFiles(dir, segmentBytes, maxSealedSegments);
    try {
      Files.createDirectories(dir);
      log.recover();
    } catch (IOException e) {
      log.preparer.shutdownNow();
      throw new StorageException("cannot open the Raft log files in " + dir.toAbsolutePath() + ": " + e, e);
    } catch (RuntimeException e) {
      log.preparer.shutdownNow();
      throw e;
    }
    log.writer.start();
    return log;
  }

  /**
   * Writes the whole state of {@code states}' groups as the first segment of new log files under
   * {@code storageDirectory}, atomically (a directory renamed into place once flushed): how a store whose logs were
   * kept in LMDB tables moves them here.
   */
  static void create(Path storageDirectory, Map<Long, PersistentState> states) throws IOException {
    Path dir = storageDirectory.resolve(DIRECTORY);
    Path tmp = storageDirectory.resolve(DIRECTORY + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    RaftLogRecords.Encoder enc = new RaftLogRecords.Encoder(INITIAL_BUFFER_BYTES);
    for (Map.Entry<Long, PersistentState> e : states.entrySet()) {
      RaftLogGroup g = new RaftLogGroup(1);
      PersistentState s = e.getValue();
      g.replace(s.snapshot(), s.hardState(), s.entries());
      enc.state(e.getKey(), g);
    }
    try (FileChannel ch = FileChannel.open(tmp.resolve(name(1)), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      writeFully(ch, enc.flip(), 0);
      ch.force(true);
    }
    syncDirectory(tmp);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(storageDirectory);
  }

  /** Deletes what an interrupted {@link #create} left. */
  static void deleteUnfinishedCreate(Path storageDirectory) throws IOException {
    deleteTree(storageDirectory.resolve(DIRECTORY + ".tmp"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Requests (any thread)
  // ---------------------------------------------------------------------------------------------------------------

  Future<Void> write(long groupId, StoreWrite w) {
    return write(groupId, w, null);
  }

  /**
   * Writes {@code w} if {@code check} (run on the writer thread first, may be null) does not throw; otherwise the
   * write fails with what it threw and nothing is written.
   */
  Future<Void> write(long groupId, StoreWrite w, Runnable check) {
    Change c = new Change() {
      @Override
      public void run(RaftLogFiles log) {
        if (passes(check, this)) {
          log.applyWrite(groupId, w, this);
        }
      }

      @Override
      public boolean sync() {
        return w.sync();
      }
    };
    return submit(c, c.promise);
  }

  Future<Void> compact(long groupId, Snapshot s) {
    return compact(groupId, s, null);
  }

  /** {@link #compact(long, Snapshot)} if {@code check} does not throw (see {@link #write(long, StoreWrite, Runnable)}). */
  Future<Void> compact(long groupId, Snapshot s, Runnable check) {
    Change c = new Change() {
      @Override
      public void run(RaftLogFiles log) {
        if (passes(check, this)) {
          log.applyCompaction(groupId, s);
        }
      }
    };
    return submit(c, c.promise);
  }

  private static boolean passes(Runnable check, Change request) {
    if (check == null) {
      return true;
    }
    try {
      check.run();
      return true;
    } catch (RuntimeException e) {
      request.failure = e;
      return false;
    }
  }

  Future<Void> delete(long groupId) {
    Change c = new Change() {
      @Override
      public void run(RaftLogFiles log) {
        log.applyDelete(groupId);
      }
    };
    return submit(c, c.promise);
  }

  /** What group {@code groupId} stored, or null. */
  Future<PersistentState> load(long groupId) {
    return call(log -> {
      RaftLogGroup g = log.groups.get(groupId);
      return g == null ? null : g.toPersistentState();
    });
  }

  Future<Set<Long>> groups() {
    return call(log -> {
      Set<Long> ids = new TreeSet<>();
      log.groups.forEach((id, g) -> {
        if (!g.isEmpty()) {
          ids.add(id);
        }
      });
      return ids;
    });
  }

  /**
   * Runs {@code body} on the writer thread after every write submitted before it is durable, with no write running:
   * a consistent moment (for a backup).
   */
  <T> Future<T> atConsistentPoint(Function<RaftLogFiles, T> body) {
    return call(log -> {
      log.flushCurrent();
      return body.apply(log);
    });
  }

  /**
   * Copies the segments into {@code target} (a {@code raft-log} directory is created there), on the writer thread at
   * a consistent point (see {@link #atConsistentPoint}).
   *
   * @return the bytes copied
   */
  long copyTo(Path target) {
    try {
      Path dir = target.resolve(DIRECTORY);
      Files.createDirectories(dir);
      long bytes = 0;
      for (Path p : sealed.values()) {
        Files.copy(p, dir.resolve(p.getFileName()));
        bytes += Files.size(p);
      }
      if (current != null && current.position > 0) {
        try (FileChannel out = FileChannel.open(dir.resolve(current.path.getFileName()),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long copied = 0;
          while (copied < current.position) {
            copied += current.channel.transferTo(copied, current.position - copied, out);
          }
          out.force(true);
        }
        bytes += current.position;
      }
      return bytes;
    } catch (IOException e) {
      throw new StorageException("copying " + directory.toAbsolutePath() + " to " + target.toAbsolutePath()
          + " failed: " + e, e);
    }
  }

  /** The snapshot group {@code groupId} stored, or null. Writer thread (inside {@link #call}). */
  Snapshot storedSnapshot(long groupId) {
    RaftLogGroup g = groups.get(groupId);
    return g == null ? null : g.snapshot();
  }

  /** The id of the snapshot file each group's stored snapshot refers to, by group. Writer thread. */
  Map<Long, String> snapshotRefIds() {
    Map<Long, String> ids = new TreeMap<>();
    groups.forEach((id, g) -> {
      if (SnapshotRef.isRef(g.snapshot().data())) {
        ids.put(id, SnapshotRef.decode(g.snapshot().data()).id());
      }
    });
    return ids;
  }

  /** Runs {@code body} on the writer thread, after the requests submitted before it were applied. */
  <T> Future<T> call(Function<RaftLogFiles, T> body) {
    Call<T> c = new Call<>(body);
    return submit(c, c.promise);
  }

  private <T> Future<T> submit(Request r, Promise<T> promise) {
    if (closed) {
      return Future.failedFuture(closedError());
    }
    pending.add(r);
    if (idle.get() && idle.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
    return promise.future();
  }

  StorageException closedError() {
    return new StorageException("store " + directory.getParent().toAbsolutePath() + " is closed");
  }

  boolean isClosed() {
    return closed;
  }

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

  /** The segment files on disk now (for tests), oldest first. */
  List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Applying requests (writer thread)
  // ---------------------------------------------------------------------------------------------------------------

  private RaftLogGroup group(long groupId) {
    return groups.computeIfAbsent(groupId, id -> new RaftLogGroup(current.seq));
  }

  private void applyWrite(long groupId, StoreWrite w, Change request) {
    RaftLogGroup g = group(groupId);
    try {
      g.apply(w);
    } catch (IllegalArgumentException e) {
      request.failure = new StorageException("storage " + directory.getParent().toAbsolutePath() + ": group "
          + groupId + " " + e.getMessage(), e);
      return;
    }
    encoder.write(groupId, w);
  }

  private void applyCompaction(long groupId, Snapshot s) {
    RaftLogGroup g = group(groupId);
    if (s.index() <= g.snapshot().index()) {
      return;
    }
    g.compact(s);
    encoder.compact(groupId, s);
  }

  private void applyDelete(long groupId) {
    if (groups.remove(groupId) != null) {
      encoder.delete(groupId);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The writer thread
  // ---------------------------------------------------------------------------------------------------------------

  private void writeLoop() {
    try {
      while (!closed || !pending.isEmpty()) {
        List<Request> batch = new ArrayList<>();
        Request r;
        while ((r = pending.poll()) != null) {
          batch.add(r);
        }
        if (batch.isEmpty()) {
          idle.set(true);
          // Checked after announcing idleness: a request queued before it is seen here, one queued after wakes us.
          if (!closed && pending.isEmpty()) {
            LockSupport.park(this);
          }
          idle.set(false);
          continue;
        }
        try {
          writeBatch(batch);
        } catch (RuntimeException | Error e) {
          StorageException se = e instanceof StorageException s ? s
              : new StorageException("writing to " + directory.toAbsolutePath() + " failed: " + e, e);
          LOG.error("Raft log writer of {} failed: {}", directory.toAbsolutePath(), e.toString());
          batch.forEach(b -> b.fail(se));
        }
      }
    } finally {
      closeFiles();
    }
  }

  private void writeBatch(List<Request> batch) {
    encoder.clear();
    boolean sync = false;
    int changes = 0;
    for (Request r : batch) {
      r.run(this);
      if (r instanceof Change) {
        changes++;
        sync |= r.sync();
      }
    }
    Long retiring = sealed.size() > maxSealedSegments ? sealed.firstKey() : null;
    List<RaftLogGroup> rewritten = new ArrayList<>();
    if (retiring != null) {
      // Every group whose records reach into the oldest segment writes its whole state, so the segment can go.
      for (Map.Entry<Long, RaftLogGroup> e : groups.entrySet()) {
        if (e.getValue().firstSegment <= retiring) {
          encoder.state(e.getKey(), e.getValue());
          rewritten.add(e.getValue());
        }
      }
      sync = true;
    }
    ByteBuffer bytes = encoder.flip();
    if (bytes.hasRemaining()) {
      rollIfFull(bytes.remaining());
      try {
        writeFully(current.channel, bytes, current.position);
      } catch (IOException e) {
        throw new StorageException("writing to " + current.path.toAbsolutePath() + " failed: " + e, e);
      }
      current.position += bytes.limit();
      current.dirty = true;
      maybePrepareNext();
    }
    for (RaftLogGroup g : rewritten) {
      g.firstSegment = current.seq;
    }
    if (sync && current.dirty) {
      flushCurrent();
    }
    if (changes > 0) {
      commits.incrementAndGet();
      writes.addAndGet(changes);
      meters.committed(changes);
    }
    batch.forEach(Request::done);
    if (retiring != null) {
      retire(retiring);
    }
  }

  /** Flushes the current segment if it has unflushed writes. Writer thread. */
  private void flushCurrent() {
    if (current == null || !current.dirty) {
      return;
    }
    long start = System.nanoTime();
    try {
      current.channel.force(false);
    } catch (IOException e) {
      throw new StorageException("syncing " + current.path.toAbsolutePath() + " failed: " + e, e);
    }
    current.dirty = false;
    syncs.incrementAndGet();
    meters.synced(start);
  }

  private void retire(long seq) {
    Path p = sealed.remove(seq);
    try {
      Files.deleteIfExists(p);
      syncDirectory(directory);
    } catch (IOException e) {
      LOG.warn("could not delete old Raft log segment {}: {}", p, e.toString());
    }
  }

  /** Moves to a new segment when {@code bytes} more do not fit in the current one (which is flushed first). */
  private void rollIfFull(int bytes) {
    boolean full = current.position > 0 && current.position + bytes > segmentBytes;
    // A segment that was not preallocated (the first after opening) gives way as soon as a prepared one is ready.
    boolean better = !current.preallocated && current.position > 0 && prepared != null && prepared.isDone();
    if (!full && !better) {
      return;
    }
    flushCurrent(); // records of a later segment may only exist once this one's are durable
    try {
      current.channel.close();
    } catch (IOException e) {
      LOG.warn("closing {} failed: {}", current.path, e.toString());
    }
    sealed.put(current.seq, current.path);
    long next = current.seq + 1;
    Segment s = null;
    if (prepared != null) {
      try {
        s = prepared.join();
      } catch (RuntimeException e) {
        LOG.warn("preparing a Raft log segment failed, writing an unprepared one: {}", e.toString());
      }
      prepared = null;
    }
    current = s != null ? s : newSegment(next, false);
  }

  private void maybePrepareNext() {
    if (prepared == null && current.position >= Math.min(PREPARE_AFTER_BYTES, segmentBytes / 2)) {
      long next = current.seq + 1;
      prepared = CompletableFuture.supplyAsync(() -> prepare(next), preparer);
    }
  }

  /** Fills segment {@code seq} with zeros and flushes it, so that writes into it need no metadata flush. */
  private Segment prepare(long seq) {
    Path tmp = directory.resolve(String.format("%020d%s", seq, PREPARING_SUFFIX));
    Path path = directory.resolve(name(seq));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE)) {
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);
        long unflushed = 0;
        for (long pos = 0; pos < segmentBytes; pos += ZERO_CHUNK_BYTES) {
          zeros.clear().limit((int) Math.min(ZERO_CHUNK_BYTES, segmentBytes - pos));
          writeFully(ch, zeros, pos);
          unflushed += zeros.limit();
          if (unflushed >= ZERO_FLUSH_BYTES) {
            ch.force(false);
            unflushed = 0;
          }
        }
        ch.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(directory);
      return new Segment(seq, path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), true);
    } catch (IOException e) {
      throw new StorageException("preparing " + path.toAbsolutePath() + " failed: " + e, e);
    }
  }

  private Segment newSegment(long seq, boolean preallocated) {
    Path path = directory.resolve(name(seq));
    try {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      syncDirectory(directory);
      return new Segment(seq, path, ch, preallocated);
    } catch (IOException e) {
      throw new StorageException("creating " + path.toAbsolutePath() + " failed: " + e, e);
    }
  }

  /** Stops taking requests; the writer drains what is pending, flushes and closes the files. */
  Future<Void> close() {
    if (!closed) {
      closed = true;
      LockSupport.unpark(writer);
    }
    return closedPromise.future();
  }

  void closeNow() {
    close();
    try {
      writer.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeFiles() {
    try {
      flushCurrent();
    } catch (RuntimeException e) {
      LOG.warn("final sync of {} failed: {}", directory.toAbsolutePath(), e.toString());
    }
    if (prepared != null) {
      try {
        Segment s = prepared.join();
        s.channel.close(); // kept: the next open starts writing into it
      } catch (RuntimeException | IOException e) {
        LOG.debug("segment prepared at close: {}", e.toString());
      }
    }
    preparer.shutdownNow();
    if (current != null) {
      try {
        current.channel.close();
      } catch (IOException e) {
        LOG.warn("closing {} failed: {}", current.path, e.toString());
      }
    }
    StorageException err = closedError();
    Request late;
    while ((late = pending.poll()) != null) {
      late.fail(err);
    }
    closedPromise.tryComplete();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Recovery (opening thread, before the writer starts)
  // ---------------------------------------------------------------------------------------------------------------

  /** A record found by the first pass: its segment, where its checksummed part starts, its length and type. */
  private record Found(long seq, int bodyStart, int length, byte type, long groupId) {
  }

  private void recover() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(directory)) {
      for (Path p : list.toList()) {
        String n = p.getFileName().toString();
        if (n.endsWith(PREPARING_SUFFIX)) {
          Files.delete(p); // a preparation cut short
        } else if (n.endsWith(SUFFIX)) {
          files.put(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())), p);
        }
      }
    }
    // Pass 1: find every whole record and, per group, the last one that replaces what came before (state, delete).
    List<Found> found = new ArrayList<>();
    Map<Long, Integer> lastReset = new HashMap<>();
    Map<Long, MappedByteBuffer> maps = new HashMap<>();
    long lastWithData = 0;
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      long seq = f.getKey();
      MappedByteBuffer map;
      try (FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.READ)) {
        map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      }
      maps.put(seq, map);
      int pos = 0;
      int size = map.capacity();
      while (pos + RaftLogRecords.HEADER_BYTES <= size) {
        int length = map.getInt(pos);
        if (length == 0) {
          break; // the end of the data: zeros follow
        }
        int crc = map.getInt(pos + 4);
        boolean whole = length >= RaftLogRecords.PREFIX_BYTES && length <= size - pos - RaftLogRecords.HEADER_BYTES
            && RaftLogRecords.checksumMatches(map, pos, length, crc);
        if (!whole) {
          if (files.tailMap(seq, false).keySet().stream().anyMatch(s -> hasData(maps, files, s))) {
            throw new StorageException("Raft log segment " + f.getValue().toAbsolutePath() + " is damaged at offset "
                + pos + " (a record that does not match its checksum, before later segments)");
          }
          LOG.warn("Raft log segment {}: a torn write at offset {} is dropped (it was never acknowledged)",
              f.getValue().toAbsolutePath(), pos);
          break;
        }
        int bodyStart = pos + RaftLogRecords.HEADER_BYTES;
        byte type = map.get(bodyStart);
        long groupId = map.getLong(bodyStart + 1);
        if (type == RaftLogRecords.STATE || type == RaftLogRecords.DELETE) {
          lastReset.put(groupId, found.size());
        }
        found.add(new Found(seq, bodyStart, length, type, groupId));
        pos = bodyStart + length;
        lastWithData = seq;
      }
      cutAt(f.getValue(), seq, pos, files, maps);
    }
    // Pass 2: replay each group from its last reset on.
    for (int i = 0; i < found.size(); i++) {
      Found r = found.get(i);
      Integer reset = lastReset.get(r.groupId());
      if (reset != null && i < reset) {
        continue;
      }
      if (r.type() == RaftLogRecords.DELETE) {
        groups.remove(r.groupId());
        continue;
      }
      RaftLogGroup g = groups.computeIfAbsent(r.groupId(), id -> new RaftLogGroup(r.seq()));
      ByteBuffer body = maps.get(r.seq()).duplicate().position(r.bodyStart() + RaftLogRecords.PREFIX_BYTES)
          .limit(r.bodyStart() + r.length());
      try {
        RaftLogRecords.apply(r.type(), body, g);
      } catch (RuntimeException e) {
        throw new StorageException("Raft log segment " + files.get(r.seq()).toAbsolutePath() + ": the record at "
            + (r.bodyStart() - RaftLogRecords.HEADER_BYTES) + " for group " + r.groupId() + " does not apply: "
            + e.getMessage(), e);
      }
    }
    // Segments with data are sealed; writing goes on in the first empty one after them (prepared before a clean
    // shutdown), or in a new one. Segments without data before the last one with data cannot exist (see class doc).
    long next = lastWithData + 1;
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      if (f.getKey() <= lastWithData) {
        sealed.put(f.getKey(), f.getValue());
      } else if (f.getKey() > next) {
        Files.delete(f.getValue()); // spare empty segments beyond the one used next
      }
    }
    Path spare = files.get(next);
    if (spare != null && Files.size(spare) >= segmentBytes) {
      current = new Segment(next, spare, FileChannel.open(spare, StandardOpenOption.READ, StandardOpenOption.WRITE),
          true);
    } else {
      if (spare != null) {
        Files.delete(spare);
      }
      current = newSegment(next, false);
    }
    maps.clear();
  }

  private static boolean hasData(Map<Long, MappedByteBuffer> maps, Map<Long, Path> files, long seq) {
    try (FileChannel ch = FileChannel.open(files.get(seq), StandardOpenOption.READ)) {
      if (ch.size() < RaftLogRecords.HEADER_BYTES) {
        return false;
      }
      ByteBuffer b = ByteBuffer.allocate(4);
      ch.read(b, 0);
      return b.flip().getInt() != 0;
    } catch (IOException e) {
      throw new StorageException("reading " + files.get(seq) + " failed: " + e, e);
    }
  }

  /**
   * Cuts the last segment with data at its end (dropping a torn write and the zeros after it), so that a later open
   * sees a clean end there; earlier segments end in zeros already.
   */
  private static void cutAt(Path file, long seq, int end, TreeMap<Long, Path> files, Map<Long, MappedByteBuffer> maps)
      throws IOException {
    if (end == 0) {
      return; // no data: a spare segment
    }
    boolean later = files.tailMap(seq, false).keySet().stream().anyMatch(s -> hasData(maps, files, s));
    if (later) {
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (ch.size() > end) {
        ch.truncate(end);
        ch.force(true);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Files
  // ---------------------------------------------------------------------------------------------------------------

  private static String name(long seq) {
    return String.format("%020d%s", seq, SUFFIX);
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
