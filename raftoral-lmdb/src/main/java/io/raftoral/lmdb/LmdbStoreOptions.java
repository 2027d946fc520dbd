package io.raftoral.lmdb;

import io.raftoral.storage.SnapshotRef;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/** Options of an {@link LmdbLogStore}. */
public final class LmdbStoreOptions {

  /** What an acknowledged write survives by default: a power cut. */
  public static final LmdbDurability DEFAULT_DURABILITY = LmdbDurability.POWER_LOSS;

  /** The memory map's size when the store is created (it doubles when full). */
  public static final long DEFAULT_INITIAL_MAP_BYTES = 64L * 1024 * 1024;

  /** The chunk size of snapshots this store produces (each chunk has its CRC32C; peers fetch chunk by chunk). */
  public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = SnapshotRef.DEFAULT_CHUNK_SIZE;

  /**
   * Whether the Raft logs and hard states live in segment files of their own ({@code raft-log/}, one flush per batch)
   * rather than in LMDB tables (two flushes per lone write). A store created with files cannot be opened without;
   * a store with LMDB tables is moved into files when opened with them.
   */
  public static final boolean DEFAULT_LOG_IN_FILES = true;

  /** The size of a log segment file (filled with zeros before use, so that a flush writes no file metadata). */
  public static final long DEFAULT_LOG_SEGMENT_BYTES = 64L * 1024 * 1024;

  /** How many full log segments are kept before the oldest is retired (its groups' live state written again). */
  public static final int DEFAULT_MAX_SEALED_LOG_SEGMENTS = 3;

  private LmdbDurability durability = DEFAULT_DURABILITY;
  private boolean logInFiles = DEFAULT_LOG_IN_FILES;
  private long logSegmentBytes = DEFAULT_LOG_SEGMENT_BYTES;
  private int maxSealedLogSegments = DEFAULT_MAX_SEALED_LOG_SEGMENTS;
  private long initialMapBytes = DEFAULT_INITIAL_MAP_BYTES;
  private int snapshotChunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES;

  public LmdbStoreOptions() {
  }

  public LmdbStoreOptions(LmdbStoreOptions other) {
    this.durability = other.durability;
    this.initialMapBytes = other.initialMapBytes;
    this.snapshotChunkBytes = other.snapshotChunkBytes;
    this.logInFiles = other.logInFiles;
    this.logSegmentBytes = other.logSegmentBytes;
    this.maxSealedLogSegments = other.maxSealedLogSegments;
  }

  /** Reads the options from JSON ({@code durability}: {@code POWER_LOSS} or {@code PROCESS_CRASH}). */
  public LmdbStoreOptions(JsonObject json) {
    setDurability(LmdbDurability.valueOf(json.getString("durability", DEFAULT_DURABILITY.name())));
    setInitialMapBytes(json.getLong("initialMapBytes", DEFAULT_INITIAL_MAP_BYTES));
    setSnapshotChunkBytes(json.getInteger("snapshotChunkBytes", DEFAULT_SNAPSHOT_CHUNK_BYTES));
    setLogInFiles(json.getBoolean("logInFiles", DEFAULT_LOG_IN_FILES));
    setLogSegmentBytes(json.getLong("logSegmentBytes", DEFAULT_LOG_SEGMENT_BYTES));
    setMaxSealedLogSegments(json.getInteger("maxSealedLogSegments", DEFAULT_MAX_SEALED_LOG_SEGMENTS));
  }

  public JsonObject toJson() {
    return new JsonObject().put("durability", durability.name()).put("initialMapBytes", initialMapBytes)
        .put("snapshotChunkBytes", snapshotChunkBytes).put("logInFiles", logInFiles)
        .put("logSegmentBytes", logSegmentBytes).put("maxSealedLogSegments", maxSealedLogSegments);
  }

  public LmdbDurability getDurability() {
    return durability;
  }

  public LmdbStoreOptions setDurability(LmdbDurability durability) {
    this.durability = Objects.requireNonNull(durability, "durability");
    return this;
  }

  public long getInitialMapBytes() {
    return initialMapBytes;
  }

  /** @throws IllegalArgumentException if not positive */
  public LmdbStoreOptions setInitialMapBytes(long initialMapBytes) {
    if (initialMapBytes <= 0) {
      throw new IllegalArgumentException("initialMapBytes must be > 0, was " + initialMapBytes);
    }
    this.initialMapBytes = initialMapBytes;
    return this;
  }

  public int getSnapshotChunkBytes() {
    return snapshotChunkBytes;
  }

  /** @throws IllegalArgumentException if not positive */
  public LmdbStoreOptions setSnapshotChunkBytes(int snapshotChunkBytes) {
    if (snapshotChunkBytes <= 0) {
      throw new IllegalArgumentException("snapshotChunkBytes must be > 0, was " + snapshotChunkBytes);
    }
    this.snapshotChunkBytes = snapshotChunkBytes;
    return this;
  }

  public boolean isLogInFiles() {
    return logInFiles;
  }

  public LmdbStoreOptions setLogInFiles(boolean logInFiles) {
    this.logInFiles = logInFiles;
    return this;
  }

  public long getLogSegmentBytes() {
    return logSegmentBytes;
  }

  /** @throws IllegalArgumentException if under 4 KiB */
  public LmdbStoreOptions setLogSegmentBytes(long logSegmentBytes) {
    if (logSegmentBytes < 4096) {
      throw new IllegalArgumentException("logSegmentBytes must be >= 4096, was " + logSegmentBytes);
    }
    this.logSegmentBytes = logSegmentBytes;
    return this;
  }

  public int getMaxSealedLogSegments() {
    return maxSealedLogSegments;
  }

  /** @throws IllegalArgumentException if negative */
  public LmdbStoreOptions setMaxSealedLogSegments(int maxSealedLogSegments) {
    if (maxSealedLogSegments < 0) {
      throw new IllegalArgumentException("maxSealedLogSegments must be >= 0, was " + maxSealedLogSegments);
    }
    this.maxSealedLogSegments = maxSealedLogSegments;
    return this;
  }
}
