package io.raftoral.lmdb;

import io.raftoral.storage.SnapshotDigest;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.storage.StorageException;
import io.vertx.core.Future;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot its producer writes into {@code <id>.tmp} (see {@link LmdbSnapshotLayout}) through a buffered stream
 * that computes the {@link SnapshotRef}'s checksums on the way. {@link #finish()} fsyncs the file, renames it to
 * {@code <id>.snap} and fsyncs the directory on a worker; a crash before that leaves only an orphan the next start
 * removes.
 */
final class LmdbSnapshotSink implements SnapshotSink {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbSnapshotSink.class);

  private final LmdbSnapshotFiles files;
  private final long clusterId;
  private final String id;
  private final Path temp;
  private final SnapshotDigest digest;
  private final DigestingStream stream;
  private boolean ended;

  LmdbSnapshotSink(LmdbSnapshotFiles files, long clusterId, String id, int chunkSize) {
    this.files = files;
    this.clusterId = clusterId;
    this.id = id;
    this.temp = files.layout().temp(clusterId, id);
    this.digest = new SnapshotDigest(chunkSize);
    try {
      Files.createDirectories(temp.getParent());
      OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.stream = new DigestingStream(new BufferedOutputStream(out, LmdbSnapshotFiles.STREAM_BUFFER_BYTES));
    } catch (IOException e) {
      throw new StorageException("cannot create snapshot file " + temp.toAbsolutePath() + ": " + e, e);
    }
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  @Override
  public synchronized Future<SnapshotRef> finish() {
    if (ended) {
      return Future.failedFuture(new IllegalStateException("snapshot " + id + " already finished or aborted"));
    }
    ended = true;
    try {
      stream.close(); // flushes what the buffer holds (page cache; the fsync follows on a worker)
    } catch (IOException e) {
      deleteTemp();
      return Future.failedFuture(new StorageException("writing snapshot file " + temp.toAbsolutePath()
          + " failed: " + e, e));
    }
    return files.vertx().executeBlocking(() -> {
      Path kept = files.layout().kept(clusterId, id);
      try {
        LmdbSnapshotLayout.fsync(temp);
        files.madeKept(clusterId, id); // before the rename: a save's cleanup must not take it for an old file
        Files.move(temp, kept, StandardCopyOption.ATOMIC_MOVE);
        LmdbSnapshotLayout.fsync(kept.getParent());
      } catch (IOException e) {
        Files.deleteIfExists(temp);
        throw new StorageException("making snapshot file " + kept.toAbsolutePath() + " durable failed: " + e, e);
      }
      return digest.finish(id);
    }, false);
  }

  @Override
  public synchronized void abort() {
    if (ended) {
      return;
    }
    ended = true;
    try {
      stream.close();
    } catch (IOException e) {
      LOG.debug("closing aborted snapshot file {}: {}", temp, e.toString());
    }
    deleteTemp();
  }

  private void deleteTemp() {
    files.vertx().executeBlocking(() -> Files.deleteIfExists(temp), false)
        .onFailure(e -> LOG.warn("cannot delete snapshot file {}: {}", temp, e.toString()));
  }

  /** Feeds the digest with every byte on its way to the file. */
  private final class DigestingStream extends OutputStream {

    private final OutputStream out;
    private final byte[] oneByte = new byte[1];
    private boolean closed;

    DigestingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      oneByte[0] = (byte) b;
      write(oneByte, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("snapshot " + id + " is finished or aborted");
      }
      out.write(b, off, len);
      digest.update(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        out.close();
      }
    }
  }
}
