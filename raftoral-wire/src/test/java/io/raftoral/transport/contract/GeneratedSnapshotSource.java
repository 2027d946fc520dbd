package io.raftoral.transport.contract;

import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.SnapshotSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SnapshotSource} whose snapshots are generated on the fly from a seed (a snapshot of any size costs no
 * memory): byte {@code p} of a snapshot is byte {@code p % 8} of a 64-bit mix of {@code seed + p / 8}. Reads run on
 * a worker thread, as a store's would, and are counted, so a test can tell how much a transfer read.
 */
public final class GeneratedSnapshotSource implements SnapshotSource {

  /** Bytes generated at a time when digesting a whole snapshot. */
  private static final int DIGEST_BLOCK_BYTES = 1 << 20;
  private static final int BYTE_BITS = 8;
  private static final int WORD_BYTES = Long.BYTES;

  /** A generated snapshot: its group, id, size and seed. */
  public record Generated(long clusterId, String id, long size, long seed) {}

  private final Vertx vertx;
  private final Map<String, Generated> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong bytesRead = new AtomicLong();

  public GeneratedSnapshotSource(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Serves {@code snapshot} from now on. */
  public GeneratedSnapshotSource add(Generated snapshot) {
    snapshots.put(key(snapshot.clusterId(), snapshot.id()), snapshot);
    return this;
  }

  /** Bytes read from this source so far. */
  public long bytesRead() {
    return bytesRead.get();
  }

  @Override
  public Future<Buffer> read(long clusterId, String snapshotId, long offset, int maxBytes) {
    Generated s = snapshots.get(key(clusterId, snapshotId));
    if (s == null) {
      return Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId));
    }
    int length = (int) Math.max(0, Math.min(maxBytes, s.size() - offset));
    return vertx.executeBlocking(() -> {
      bytesRead.addAndGet(length);
      return Buffer.buffer(bytes(s.seed(), offset, length));
    }, false);
  }

  @Override
  public Future<Long> size(long clusterId, String snapshotId) {
    Generated s = snapshots.get(key(clusterId, snapshotId));
    return s == null ? Future.failedFuture(new SnapshotNotFoundException(clusterId, snapshotId))
        : Future.succeededFuture(s.size());
  }

  /** Bytes {@code offset .. offset + length} of the snapshot generated from {@code seed}. */
  public static byte[] bytes(long seed, long offset, int length) {
    byte[] out = new byte[length];
    long wordIndex = -1;
    long word = 0;
    for (int i = 0; i < length; i++) {
      long p = offset + i;
      if (p / WORD_BYTES != wordIndex) {
        wordIndex = p / WORD_BYTES;
        word = mix(seed + wordIndex);
      }
      out[i] = (byte) (word >>> ((p % WORD_BYTES) * BYTE_BITS));
    }
    return out;
  }

  /** The SHA-256 of the whole of {@code s}, generated block by block. */
  public static byte[] sha256(Generated s) {
    MessageDigest digest = newSha256();
    for (long at = 0; at < s.size(); at += DIGEST_BLOCK_BYTES) {
      digest.update(bytes(s.seed(), at, (int) Math.min(DIGEST_BLOCK_BYTES, s.size() - at)));
    }
    return digest.digest();
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** SplitMix64's finalizer: well-spread bytes from consecutive inputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static String key(long clusterId, String id) {
    return clusterId + "/" + id;
  }
}
