package io.raftoral.transport.contract;

import io.raftoral.transport.SnapshotChunkHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The receiving end of fetched snapshots in the contract tests, playing the group layer's part: it checks that
 * chunks arrive in order and of exactly the requested size, digests them (SHA-256), and can refuse a chunk (as a
 * corrupted one would be), fail the transfer at some offset, or hold a chunk until the test releases it. The same
 * collector follows a transfer across its resumptions: {@link #nextOffset()} is where to resume.
 *
 * <p>Called on the fetching context; read by the test thread once the fetch's future completed.
 */
final class SnapshotCollector implements SnapshotChunkHandler {

  private final int chunkSize;
  private final long size;
  private final MessageDigest digest = GeneratedSnapshotSource.newSha256();
  private final List<String> problems = new ArrayList<>();
  private volatile long nextOffset;
  private volatile long bytesHandled;
  private volatile long bytesOffered;
  private volatile long chunks;
  private LongPredicate refuse = offset -> false;
  private volatile Promise<Void> held;
  private LongPredicate hold = offset -> false;

  /** Collects a snapshot of {@code size} bytes fetched in chunks of {@code chunkSize}. */
  SnapshotCollector(long size, int chunkSize) {
    this.size = size;
    this.chunkSize = chunkSize;
  }

  /** Refuses (fails) the chunks at the offsets {@code refuse} accepts, without taking them. */
  SnapshotCollector refusing(LongPredicate refuse) {
    this.refuse = refuse;
    return this;
  }

  /** Holds the first chunk whose offset {@code hold} accepts until {@link #release()}. */
  SnapshotCollector holding(LongPredicate hold) {
    this.hold = hold;
    return this;
  }

  @Override
  public Future<Void> onChunk(long offset, Buffer data) {
    chunks++;
    bytesOffered += data.length();
    if (offset != nextOffset) {
      problems.add("chunk at " + offset + ", expected " + nextOffset);
    }
    if (data.length() != Math.min(chunkSize, size - offset)) {
      problems.add("chunk at " + offset + " of " + data.length() + " bytes");
    }
    if (refuse.test(offset)) {
      return Future.failedFuture(new IllegalStateException("chunk at " + offset + " refused"));
    }
    bytesHandled += data.length();
    digest.update(data.getBytes());
    nextOffset = offset + data.length();
    if (held == null && hold.test(offset)) {
      held = Promise.promise();
      return held.future();
    }
    return Future.succeededFuture();
  }

  /** Whether a chunk is being held. */
  boolean holdingAChunk() {
    Promise<Void> h = held;
    return h != null && !h.future().isComplete();
  }

  /** Lets the held chunk go (the transfer goes on). */
  void release() {
    held.complete();
  }

  long nextOffset() {
    return nextOffset;
  }

  /** Bytes taken by the handler, over every resumption (refused chunks not included). */
  long bytesHandled() {
    return bytesHandled;
  }

  /** Bytes the transport handed over, over every resumption, refused chunks included. */
  long bytesOffered() {
    return bytesOffered;
  }

  long chunks() {
    return chunks;
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  /** The digest of everything taken; call once, after the last chunk. */
  byte[] sha256() {
    return digest.digest();
  }
}
