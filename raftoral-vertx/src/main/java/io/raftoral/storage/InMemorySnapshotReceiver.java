package io.raftoral.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * A snapshot an {@link InMemoryLogStore} receives from a peer, chunk by chunk: each chunk is checked against its
 * CRC32C before it is appended to the group's partial transfer (which outlives this receiver, so that a new one
 * resumes), the whole against its SHA-256 before it is kept.
 */
final class InMemorySnapshotReceiver implements SnapshotReceiver {

  private final long clusterId;
  private final SnapshotRef ref;
  private final InMemorySnapshots snapshots;
  private final InMemorySnapshots.Partial partial;
  /** Keeps the verified data durably (through the store's flush). */
  private final Function<byte[], Future<Void>> keep;

  InMemorySnapshotReceiver(long clusterId, SnapshotRef ref, InMemorySnapshots snapshots,
      InMemorySnapshots.Partial partial, Function<byte[], Future<Void>> keep) {
    this.clusterId = clusterId;
    this.ref = ref;
    this.snapshots = snapshots;
    this.partial = partial;
    this.keep = keep;
  }

  @Override
  public SnapshotRef ref() {
    return ref;
  }

  @Override
  public long offset() {
    if (isKept()) {
      return ref.size();
    }
    synchronized (partial) {
      return partial.data.size();
    }
  }

  @Override
  public Future<Void> write(long offset, Buffer data) {
    synchronized (partial) {
      long held = partial.data.size();
      if (offset != held || held >= ref.size()) {
        return Future.failedFuture(new IllegalStateException("snapshot " + ref.id() + ": chunk at " + offset
            + " while " + held + " of " + ref.size() + " bytes are held"));
      }
      int chunk = (int) (offset / ref.chunkSize());
      byte[] bytes = data.getBytes();
      if (bytes.length != ref.chunkLength(chunk)
          || SnapshotDigest.crc32c(bytes, 0, bytes.length) != ref.chunkCrcs()[chunk]) {
        return Future.failedFuture(new SnapshotChecksumException("snapshot " + ref.id() + ": chunk " + chunk
            + " (" + bytes.length + " bytes at " + offset + ") does not match its checksum"));
      }
      partial.data.write(bytes, 0, bytes.length);
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<Void> complete() {
    if (isKept()) {
      return Future.succeededFuture();
    }
    byte[] whole;
    synchronized (partial) {
      if (partial.data.size() != ref.size()) {
        return Future.failedFuture(new IllegalStateException("snapshot " + ref.id() + ": " + partial.data.size()
            + " of " + ref.size() + " bytes received"));
      }
      whole = partial.data.toByteArray();
    }
    MessageDigest sha = SnapshotDigest.newSha256();
    if (!MessageDigest.isEqual(sha.digest(whole), ref.sha256())) {
      snapshots.discard(clusterId, partial);
      return Future.failedFuture(new SnapshotChecksumException("snapshot " + ref.id()
          + ": the data does not match its SHA-256 " + ref.sha256Hex()));
    }
    return keep.apply(whole);
  }

  private boolean isKept() {
    return snapshots.get(clusterId, ref.id()) != null;
  }
}
