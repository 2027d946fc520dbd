package io.raftoral.lmdb;

import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.storage.StorageException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot files of an {@link LmdbLogStore} (layout: {@link LmdbSnapshotLayout}) and who uses them. The LMDB
 * tables record which snapshot each group is at; this class keeps its file and the previous one (a peer may still be
 * fetching it) and deletes older ones, but never a file a reader has open: a file with readers is only marked, and
 * goes when its last reader closes. Files a producer finished or a receiver completed stay until a save records them
 * (or the store restarts).
 *
 * <p>Thread-safe: the bookkeeping is guarded by one monitor; file I/O runs on Vert.x workers, except opening a
 * producer's stream and a restore's stream, which the SPI runs on the group's context.
 */
final class LmdbSnapshotFiles {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbSnapshotFiles.class);
  /** The buffer of streams over snapshot files (producer and restore). */
  static final int STREAM_BUFFER_BYTES = 64 * 1024;
  /** The most one ranged read returns (a peer's request for more gets less, and asks again from there). */
  static final int MAX_READ_BYTES = 64 * 1024 * 1024;

  /** A snapshot file: its group and id. */
  record Key(long clusterId, String id) {}

  private final Vertx vertx;
  private final LmdbSnapshotLayout layout;
  private final int chunkSize;
  private final AtomicLong sequence = new AtomicLong();
  private final Object lock = new Object();
  private final Map<Key, Integer> readers = new HashMap<>();
  /** Kept files dropped while readers had them open: deleted when the last one closes. */
  private final Set<Key> doomed = new HashSet<>();
  /** Kept files not recorded by a save yet (a producer finished them, or a receiver completed them). */
  private final Set<Key> unrecorded = new HashSet<>();
  /** Receivers at work, one per group at most; their partial files are not touched. */
  private final Map<Key, LmdbSnapshotReceiver> receivers = new HashMap<>();
  /** Partial files found at start, verified, waiting for their transfer to resume. */
  private final Map<Key, LmdbSnapshotRecovery.PartialSnapshot> resumable = new HashMap<>();

  LmdbSnapshotFiles(Vertx vertx, Path storeDirectory, int chunkSize) {
    this.vertx = vertx;
    this.layout = new LmdbSnapshotLayout(storeDirectory);
    this.chunkSize = chunkSize;
  }

  Vertx vertx() {
    return vertx;
  }

  LmdbSnapshotLayout layout() {
    return layout;
  }

  /** At start (blocking): removes orphan files and verifies partial ones. */
  void recover() {
    Map<Key, LmdbSnapshotRecovery.PartialSnapshot> found = LmdbSnapshotRecovery.recover(layout);
    synchronized (lock) {
      resumable.putAll(found);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Producing and receiving
  // ---------------------------------------------------------------------------------------------------------------

  SnapshotSink createSink(long clusterId) {
    return createSink(clusterId, chunkSize);
  }

  SnapshotSink createSink(long clusterId, int sinkChunkSize) {
    return new LmdbSnapshotSink(this, clusterId, newId(), sinkChunkSize);
  }

  /** Ids sort by creation time and stay unique across restarts and nodes (a random part). */
  private String newId() {
    return String.format("%013x-%x-%08x", System.currentTimeMillis(), sequence.incrementAndGet(),
        ThreadLocalRandom.current().nextInt());
  }

  SnapshotReceiver receiver(long clusterId, SnapshotRef ref) {
    if (!LmdbSnapshotLayout.isSafeId(ref.id())) {
      throw new IllegalArgumentException("not a snapshot id: " + ref.id());
    }
    Key key = new Key(clusterId, ref.id());
    synchronized (lock) {
      LmdbSnapshotReceiver current = receivers.get(key);
      if (current != null && current.ref().equals(ref)) {
        return current;
      }
      // One transfer per group: a receiver of another snapshot is stale (the leader moved on).
      receivers.entrySet().removeIf(e -> e.getKey().clusterId() == clusterId && e.getValue().abandon());
      LmdbSnapshotReceiver receiver;
      LmdbSnapshotRecovery.PartialSnapshot partial = resumable.remove(key);
      if (Files.isRegularFile(layout.kept(clusterId, ref.id()))) {
        receiver = LmdbSnapshotReceiver.alreadyKept(this, clusterId, ref);
      } else if (partial != null && partial.ref().equals(ref)) {
        receiver = LmdbSnapshotReceiver.resuming(this, clusterId, ref, partial.verified());
      } else {
        receiver = LmdbSnapshotReceiver.fresh(this, clusterId, ref);
      }
      receivers.put(key, receiver);
      return receiver;
    }
  }

  /** A producer or a receiver put {@code id} in place: it stays until a save records or drops it. */
  void madeKept(long clusterId, String id) {
    synchronized (lock) {
      unrecorded.add(new Key(clusterId, id));
    }
  }

  /** {@code receiver} is done (its file kept, or its data discarded). */
  void receiverDone(LmdbSnapshotReceiver receiver) {
    synchronized (lock) {
      receivers.remove(new Key(receiver.clusterId(), receiver.ref().id()), receiver);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------------------------------

  /** Whether {@code id} is kept (complete, durable, not dropped). */
  boolean isKept(long clusterId, String id) {
    if (!LmdbSnapshotLayout.isSafeId(id)) {
      return false;
    }
    synchronized (lock) {
      return !doomed.contains(new Key(clusterId, id)) && Files.isRegularFile(layout.kept(clusterId, id));
    }
  }

  Future<Buffer> read(long clusterId, String id, long offset, int maxBytes) {
    if (offset < 0 || maxBytes <= 0) {
      return Future.failedFuture(new IllegalArgumentException("bad range: offset " + offset + ", " + maxBytes
          + " bytes"));
    }
    return vertx.executeBlocking(() -> {
      Key key = acquire(clusterId, id);
      try (FileChannel channel = FileChannel.open(layout.kept(clusterId, id), StandardOpenOption.READ)) {
        long size = channel.size();
        if (offset >= size) {
          return Buffer.buffer();
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(Math.min(maxBytes, MAX_READ_BYTES), size - offset));
        readFully(channel, bytes, offset);
        return Buffer.buffer(bytes.array());
      } finally {
        release(key);
      }
    }, false);
  }

  /** The size of kept snapshot {@code id}, read on a worker; a failed SnapshotNotFoundException when not kept. */
  Future<Long> size(long clusterId, String id) {
    return vertx.executeBlocking(() -> {
      Key key = acquire(clusterId, id);
      try {
        return Files.size(layout.kept(clusterId, id));
      } finally {
        release(key);
      }
    }, false);
  }

  InputStream open(long clusterId, String id) {
    Key key = acquire(clusterId, id);
    try {
      InputStream in = Files.newInputStream(layout.kept(clusterId, id));
      return new FilterInputStream(new BufferedInputStream(in, STREAM_BUFFER_BYTES)) {
        private boolean closed;

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            if (!closed) {
              closed = true;
              release(key);
            }
          }
        }
      };
    } catch (IOException e) {
      release(key);
      throw new StorageException("cannot open snapshot " + id + " of cluster " + clusterId + ": " + e, e);
    }
  }

  /** Counts a reader of a kept file, so that it is not deleted under it. */
  Key acquire(long clusterId, String id) {
    Key key = new Key(clusterId, id);
    synchronized (lock) {
      if (!isKept(clusterId, id)) {
        throw new SnapshotNotFoundException(clusterId, id);
      }
      readers.merge(key, 1, Integer::sum);
    }
    return key;
  }

  /** Counts a reader of every kept file (a backup's start), so that none goes until released. Blocking. */
  List<Key> pinKept() throws IOException {
    List<Key> pinned = new ArrayList<>();
    if (!Files.isDirectory(layout.root())) {
      return pinned;
    }
    synchronized (lock) {
      for (Path groupDirectory : LmdbSnapshotRecovery.list(layout.root())) {
        Long clusterId = LmdbSnapshotRecovery.clusterIdOf(groupDirectory);
        if (clusterId == null) {
          continue;
        }
        for (Path file : LmdbSnapshotRecovery.list(groupDirectory)) {
          String id = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.KEPT);
          if (id != null && isKept(clusterId, id)) {
            pinned.add(acquire(clusterId, id));
          }
        }
      }
    }
    return pinned;
  }

  void release(Key key) {
    synchronized (lock) {
      if (readers.merge(key, -1, Integer::sum) > 0) {
        return;
      }
      readers.remove(key);
      if (doomed.remove(key)) {
        deleteQuietly(layout.kept(key.clusterId(), key.id()));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Dropping
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * After a save of group {@code clusterId}: keeps the files in {@code keep} (the snapshot recorded now and the one
   * recorded before), files not recorded yet other than {@code saved}, and files of receivers at work; deletes the
   * rest (on a worker), partial files of transfers not at work included (one found at start and not resumed yet
   * starts over). Failures are logged: a file left behind costs disk space, not correctness.
   */
  Future<Void> retain(long clusterId, Set<String> keep, String saved) {
    return vertx.executeBlocking(() -> {
      retainNow(clusterId, keep, saved);
      return null;
    }, false).recover(e -> {
      LOG.warn("dropping old snapshot files of cluster {} failed: {}", clusterId, e.toString());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private void retainNow(long clusterId, Set<String> keep, String saved) throws IOException {
    Path directory = layout.groupDirectory(clusterId);
    synchronized (lock) {
      unrecorded.remove(new Key(clusterId, saved));
      if (!Files.isDirectory(directory)) {
        return;
      }
      for (Path file : LmdbSnapshotRecovery.list(directory)) {
        String keptId = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.KEPT);
        if (keptId != null) {
          Key key = new Key(clusterId, keptId);
          if (!keep.contains(keptId) && !unrecorded.contains(key)) {
            drop(key, file);
          }
          continue;
        }
        String partialId = partialIdOf(file);
        Key key = new Key(clusterId, partialId);
        if (partialId != null && !receivers.containsKey(key)) {
          resumable.remove(key);
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private void drop(Key key, Path file) throws IOException {
    if (readers.containsKey(key)) {
      doomed.add(key);
    } else {
      Files.deleteIfExists(file);
    }
  }

  private static String partialIdOf(Path file) {
    String id = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.PART);
    return id != null ? id : LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.PART_REF);
  }

  /** Deletes every snapshot file of the group (it left this node); files with readers go when they close. */
  Future<Void> deleteGroup(long clusterId) {
    return vertx.executeBlocking(() -> {
      Path directory = layout.groupDirectory(clusterId);
      synchronized (lock) {
        receivers.entrySet().removeIf(e -> e.getKey().clusterId() == clusterId && e.getValue().abandon());
        resumable.keySet().removeIf(k -> k.clusterId() == clusterId);
        unrecorded.removeIf(k -> k.clusterId() == clusterId);
        if (!Files.isDirectory(directory)) {
          return null;
        }
        for (Path file : LmdbSnapshotRecovery.list(directory)) {
          String keptId = LmdbSnapshotLayout.idOf(file, LmdbSnapshotLayout.KEPT);
          if (keptId != null) {
            drop(new Key(clusterId, keptId), file);
          } else {
            Files.deleteIfExists(file);
          }
        }
        deleteIfEmpty(directory);
      }
      return null;
    }, false);
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete snapshot file {}: {}", file, e.toString());
    }
  }

  /** Removes a group's directory once it holds nothing (files with readers keep it until a later deleteGroup). */
  private static void deleteIfEmpty(Path directory) throws IOException {
    if (LmdbSnapshotRecovery.list(directory).isEmpty()) {
      Files.deleteIfExists(directory);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Blocking file helpers
  // ---------------------------------------------------------------------------------------------------------------

  /** Reads {@code buffer}'s remaining bytes from {@code position} on. */
  static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new EOFException("snapshot file ends at " + at);
      }
      at += n;
    }
  }

  /** Writes {@code buffer}'s remaining bytes from {@code position} on. */
  static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }
}
