package io.raftoral.lmdb;

import io.raftoral.storage.SnapshotChecksumException;
import io.raftoral.storage.SnapshotDigest;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.StorageException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A snapshot received from a peer into {@code <id>.part}, its reference saved beside it in {@code <id>.ref} (see
 * {@link LmdbSnapshotLayout}) so that a restarted node verifies what it holds and resumes (see
 * {@link LmdbSnapshotRecovery}). Each chunk is checked against its CRC32C before a byte of it is written; the whole
 * is checked against the SHA-256 before it is kept. Chunks are not fsynced one by one: a power cut may lose the
 * tail the page cache held, which the check at the next start finds and fetches again.
 *
 * <p>Operations run on workers, one after the other in call order, whatever thread calls them.
 */
final class LmdbSnapshotReceiver implements SnapshotReceiver {

  private final LmdbSnapshotFiles files;
  private final long clusterId;
  private final SnapshotRef ref;
  private final Path part;
  private final Path partRef;
  private volatile long offset;
  /** Whether the partial file and its reference exist (else the first operation creates them). */
  private boolean prepared;
  private boolean kept;
  private volatile boolean abandoned;
  private Future<Void> tail = Future.succeededFuture();

  private LmdbSnapshotReceiver(LmdbSnapshotFiles files, long clusterId, SnapshotRef ref, long offset,
      boolean prepared, boolean kept) {
    this.files = files;
    this.clusterId = clusterId;
    this.ref = ref;
    this.part = files.layout().part(clusterId, ref.id());
    this.partRef = files.layout().partRef(clusterId, ref.id());
    this.offset = offset;
    this.prepared = prepared;
    this.kept = kept;
  }

  /** A transfer from the first byte (any stale partial file is overwritten). */
  static LmdbSnapshotReceiver fresh(LmdbSnapshotFiles files, long clusterId, SnapshotRef ref) {
    return new LmdbSnapshotReceiver(files, clusterId, ref, 0, false, false);
  }

  /** A transfer resuming after {@code verified} bytes found at start. */
  static LmdbSnapshotReceiver resuming(LmdbSnapshotFiles files, long clusterId, SnapshotRef ref, long verified) {
    return new LmdbSnapshotReceiver(files, clusterId, ref, verified, true, false);
  }

  /** A snapshot this store already keeps: nothing to fetch. */
  static LmdbSnapshotReceiver alreadyKept(LmdbSnapshotFiles files, long clusterId, SnapshotRef ref) {
    return new LmdbSnapshotReceiver(files, clusterId, ref, ref.size(), true, true);
  }

  long clusterId() {
    return clusterId;
  }

  @Override
  public SnapshotRef ref() {
    return ref;
  }

  @Override
  public long offset() {
    return offset;
  }

  /** Another transfer of the group took over (or the group left): later operations fail. Always true. */
  boolean abandon() {
    abandoned = true;
    return true;
  }

  @Override
  public Future<Void> write(long chunkOffset, Buffer data) {
    byte[] bytes = data.getBytes();
    return enqueue(() -> {
      checkUsable();
      if (chunkOffset != offset) {
        throw new IllegalStateException("snapshot " + ref.id() + ": chunk at " + chunkOffset + ", expected "
            + offset);
      }
      if (chunkOffset >= ref.size()) {
        throw new IllegalStateException("snapshot " + ref.id() + ": chunk at " + chunkOffset + " is past its "
            + ref.size() + " bytes");
      }
      int chunk = (int) (chunkOffset / ref.chunkSize());
      if (bytes.length != ref.chunkLength(chunk)
          || SnapshotDigest.crc32c(bytes, 0, bytes.length) != ref.chunkCrcs()[chunk]) {
        throw new SnapshotChecksumException("snapshot " + ref.id() + ": chunk " + chunk + " (" + bytes.length
            + " bytes at " + chunkOffset + ") does not match its CRC32C");
      }
      prepare();
      try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
        LmdbSnapshotFiles.writeFully(channel, ByteBuffer.wrap(bytes), chunkOffset);
      }
      offset = chunkOffset + bytes.length;
      return null;
    });
  }

  @Override
  public Future<Void> complete() {
    return enqueue(() -> {
      if (kept) {
        files.madeKept(clusterId, ref.id());
        files.receiverDone(this);
        return null;
      }
      checkUsable();
      if (offset != ref.size()) {
        throw new IllegalStateException("snapshot " + ref.id() + " holds " + offset + " of its " + ref.size()
            + " bytes");
      }
      prepare();
      if (!Arrays.equals(sha256Of(part), ref.sha256())) {
        discard();
        throw new SnapshotChecksumException("snapshot " + ref.id() + " does not match its SHA-256 "
            + ref.sha256Hex() + ": its data is discarded");
      }
      Path keptFile = files.layout().kept(clusterId, ref.id());
      LmdbSnapshotLayout.fsync(part);
      files.madeKept(clusterId, ref.id()); // before the rename: a save's cleanup must not take it for an old file
      Files.move(part, keptFile, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(partRef);
      LmdbSnapshotLayout.fsync(keptFile.getParent());
      kept = true;
      files.receiverDone(this);
      return null;
    });
  }

  private void checkUsable() {
    if (abandoned) {
      throw new StorageException("snapshot " + ref.id() + " of cluster " + clusterId
          + ": the transfer was superseded (another snapshot, or the group left)");
    }
    if (kept) {
      throw new IllegalStateException("snapshot " + ref.id() + " is already complete");
    }
  }

  /** Creates the partial file (cut to the verified offset) and its reference on the first operation. */
  private void prepare() throws IOException {
    if (prepared) {
      return;
    }
    Files.createDirectories(part.getParent());
    Files.write(partRef, ref.encode());
    try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.truncate(offset);
    }
    prepared = true;
  }

  /** Drops the received data; a new transfer of this snapshot starts over. */
  private void discard() throws IOException {
    Files.deleteIfExists(part);
    Files.deleteIfExists(partRef);
    offset = 0;
    prepared = false;
    files.receiverDone(this);
  }

  private static byte[] sha256Of(Path file) throws IOException {
    MessageDigest sha = SnapshotDigest.newSha256();
    ByteBuffer buffer = ByteBuffer.allocate(LmdbSnapshotFiles.STREAM_BUFFER_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        sha.update(buffer);
        buffer.clear();
      }
    }
    return sha.digest();
  }

  /** Runs {@code step} on a worker after every operation called before it. */
  private synchronized Future<Void> enqueue(Callable<Void> step) {
    Future<Void> next = tail.transform(ignored -> files.vertx().executeBlocking(() -> {
      try {
        return step.call();
      } catch (IOException e) {
        throw new StorageException("receiving snapshot " + ref.id() + " into " + part.toAbsolutePath()
            + " failed: " + e, e);
      }
    }, false));
    tail = next.transform(ignored -> Future.succeededFuture());
    return next;
  }
}
