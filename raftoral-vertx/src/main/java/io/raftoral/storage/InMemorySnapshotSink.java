package io.raftoral.storage;

import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * A snapshot an {@link InMemoryLogStore} is given by its producer: buffered in the heap with its checksums computed
 * on the way; {@link #finish()} keeps it once the store's next flush makes it "durable" (a crash before loses it).
 */
final class InMemorySnapshotSink implements SnapshotSink {

  private final ByteArrayOutputStream data = new ByteArrayOutputStream();
  private final SnapshotDigest digest;
  private final BiFunction<SnapshotRef, byte[], Future<Void>> keep;
  private final OutputStream stream = new OutputStream() {
    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      checkOpen();
      data.write(b, off, len);
      digest.update(b, off, len);
    }
  };
  private boolean closed;

  /** {@code keep} makes the finished snapshot's bytes durable and readable under its reference. */
  InMemorySnapshotSink(int chunkSize, BiFunction<SnapshotRef, byte[], Future<Void>> keep) {
    this.digest = new SnapshotDigest(chunkSize);
    this.keep = keep;
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  @Override
  public Future<SnapshotRef> finish() {
    checkOpen();
    closed = true;
    SnapshotRef ref = digest.finish(UUID.randomUUID().toString());
    byte[] bytes = data.toByteArray();
    data.reset();
    return keep.apply(ref, bytes).map(v -> ref);
  }

  @Override
  public void abort() {
    closed = true;
    data.reset();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("snapshot already finished or aborted");
    }
  }
}
