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

  private LmdbDurability durability = DEFAULT_DURABILITY;
  private long initialMapBytes = DEFAULT_INITIAL_MAP_BYTES;
  private int snapshotChunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES;

  public LmdbStoreOptions() {
  }

  public LmdbStoreOptions(LmdbStoreOptions other) {
    this.durability = other.durability;
    this.initialMapBytes = other.initialMapBytes;
    this.snapshotChunkBytes = other.snapshotChunkBytes;
  }

  /** Reads the options from JSON ({@code durability}: {@code POWER_LOSS} or {@code PROCESS_CRASH}). */
  public LmdbStoreOptions(JsonObject json) {
    setDurability(LmdbDurability.valueOf(json.getString("durability", DEFAULT_DURABILITY.name())));
    setInitialMapBytes(json.getLong("initialMapBytes", DEFAULT_INITIAL_MAP_BYTES));
    setSnapshotChunkBytes(json.getInteger("snapshotChunkBytes", DEFAULT_SNAPSHOT_CHUNK_BYTES));
  }

  public JsonObject toJson() {
    return new JsonObject().put("durability", durability.name()).put("initialMapBytes", initialMapBytes)
        .put("snapshotChunkBytes", snapshotChunkBytes);
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
}
