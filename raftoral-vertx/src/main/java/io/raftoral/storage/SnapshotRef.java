package io.raftoral.storage;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a Raft snapshot message carries instead of the state machine's data (§7, sent out of band): the id under
 * which the sender's store keeps the data, its size, and its checksums: one CRC32C per chunk of {@code chunkSize}
 * bytes (a receiver refuses a corrupted chunk and fetches it again) and a SHA-256 of the whole (checked before the
 * snapshot is installed). A few hundred bytes for a snapshot of 100 MB at 1 MiB chunks.
 *
 * <p>Encoded as the {@code data} of the Raft core's {@link io.raftoral.raft.Snapshot}: the core stays free of I/O
 * and treats it as opaque bytes; {@link #isRef} tells it apart from inline data written by older versions.
 *
 * @param id the snapshot's id in the producing store (unique per group and node)
 * @param size the data's length in bytes
 * @param chunkSize the length of every chunk but the last
 * @param sha256 the SHA-256 digest of the whole data (32 bytes)
 * @param chunkCrcs the CRC32C of each chunk, in order ({@code ceil(size / chunkSize)} of them)
 */
public record SnapshotRef(String id, long size, int chunkSize, byte[] sha256, int[] chunkCrcs) {

  /** The chunk size stores use unless told otherwise. */
  public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
  /**
   * "RSR1". Distinct from the magics of the group layer's inline snapshots ("RSN1", "RSN2" of its session table):
   * an inline snapshot written by an older version must never read as a reference.
   */
  private static final int MAGIC = 0x52535231;
  private static final int SHA256_LENGTH = 32;

  public SnapshotRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(chunkCrcs, "chunkCrcs");
    if (id.isEmpty() || size < 0 || chunkSize <= 0 || sha256.length != SHA256_LENGTH) {
      throw new IllegalArgumentException("malformed snapshot reference " + id);
    }
    if (chunkCrcs.length != chunkCount(size, chunkSize)) {
      throw new IllegalArgumentException("snapshot " + id + ": " + chunkCrcs.length + " chunk checksums for "
          + chunkCount(size, chunkSize) + " chunks");
    }
  }

  /** How many chunks {@code size} bytes make at {@code chunkSize} bytes each. */
  public static int chunkCount(long size, int chunkSize) {
    return Math.toIntExact((size + chunkSize - 1) / chunkSize);
  }

  /** The number of chunks. */
  public int chunks() {
    return chunkCrcs.length;
  }

  /** The length of chunk {@code chunk} (every one {@link #chunkSize()} but the last). */
  public int chunkLength(int chunk) {
    long start = (long) chunk * chunkSize;
    return (int) Math.min(chunkSize, size - start);
  }

  /** The SHA-256 of the data in hexadecimal, for messages and logs. */
  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256);
  }

  /** Whether {@code data} (a Raft snapshot's data) is an encoded reference rather than inline state. */
  public static boolean isRef(byte[] data) {
    return data != null && data.length >= Integer.BYTES && ByteBuffer.wrap(data).getInt() == MAGIC;
  }

  /** The bytes a Raft snapshot message carries. */
  public byte[] encode() {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(Integer.BYTES * 3 + idBytes.length + Long.BYTES + Integer.BYTES
        + SHA256_LENGTH + Integer.BYTES * chunkCrcs.length);
    b.putInt(MAGIC).putInt(idBytes.length).put(idBytes).putLong(size).putInt(chunkSize).put(sha256)
        .putInt(chunkCrcs.length);
    for (int crc : chunkCrcs) {
      b.putInt(crc);
    }
    return b.array();
  }

  /**
   * Decodes {@link #encode()}'s bytes.
   *
   * @throws IllegalArgumentException when {@code data} is not a well-formed reference (a rogue or corrupted message)
   */
  public static SnapshotRef decode(byte[] data) {
    if (!isRef(data)) {
      throw new IllegalArgumentException("not a snapshot reference");
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(data);
      b.getInt();
      int idLength = b.getInt();
      if (idLength <= 0 || idLength > b.remaining()) {
        throw new IllegalArgumentException("snapshot reference with a bad id length " + idLength);
      }
      byte[] idBytes = new byte[idLength];
      b.get(idBytes);
      long size = b.getLong();
      int chunkSize = b.getInt();
      byte[] sha = new byte[SHA256_LENGTH];
      b.get(sha);
      int chunks = b.getInt();
      if (chunks < 0 || chunks > b.remaining() / Integer.BYTES) {
        throw new IllegalArgumentException("snapshot reference with a bad chunk count " + chunks);
      }
      int[] crcs = new int[chunks];
      for (int i = 0; i < chunks; i++) {
        crcs[i] = b.getInt();
      }
      return new SnapshotRef(new String(idBytes, StandardCharsets.UTF_8), size, chunkSize, sha, crcs);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated snapshot reference", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotRef r && id.equals(r.id) && size == r.size && chunkSize == r.chunkSize
        && Arrays.equals(sha256, r.sha256) && Arrays.equals(chunkCrcs, r.chunkCrcs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, size, chunkSize, Arrays.hashCode(sha256));
  }

  @Override
  public String toString() {
    return "SnapshotRef{" + id + ", " + size + "B, " + chunkCrcs.length + " chunks, sha256 " + sha256Hex() + "}";
  }
}
