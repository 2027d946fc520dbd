package io.raftoral.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Computes a {@link SnapshotRef}'s checksums while the data streams through once: a CRC32C per chunk and a
 * SHA-256 of the whole. Not thread-safe: one producer feeds it in order.
 */
public final class SnapshotDigest {

  private final int chunkSize;
  private final MessageDigest sha256 = newSha256();
  private final CRC32C chunkCrc = new CRC32C();
  private int[] crcs = new int[16];
  private int chunks;
  private int inChunk;
  private long size;

  public SnapshotDigest(int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
    }
    this.chunkSize = chunkSize;
  }

  /** Feeds {@code len} bytes of {@code b} from {@code off}. */
  public void update(byte[] b, int off, int len) {
    sha256.update(b, off, len);
    size += len;
    while (len > 0) {
      int n = Math.min(len, chunkSize - inChunk);
      chunkCrc.update(b, off, n);
      inChunk += n;
      off += n;
      len -= n;
      if (inChunk == chunkSize) {
        endChunk();
      }
    }
  }

  /** The bytes fed so far. */
  public long size() {
    return size;
  }

  /** Ends the data: the reference of what was fed, under {@code id}. */
  public SnapshotRef finish(String id) {
    if (inChunk > 0) {
      endChunk();
    }
    return new SnapshotRef(id, size, chunkSize, sha256.digest(), Arrays.copyOf(crcs, chunks));
  }

  /** The CRC32C of {@code len} bytes of {@code b} from {@code off}, as {@link SnapshotRef#chunkCrcs()} holds it. */
  public static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private void endChunk() {
    if (chunks == crcs.length) {
      crcs = Arrays.copyOf(crcs, chunks * 2);
    }
    crcs[chunks++] = (int) chunkCrc.getValue();
    chunkCrc.reset();
    inChunk = 0;
  }
}
