package io.raftoral.lmdb;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/** Options of an {@link LmdbLogStore}. */
public final class LmdbStoreOptions {

  /** What an acknowledged write survives by default: a power cut. */
  public static final LmdbDurability DEFAULT_DURABILITY = LmdbDurability.POWER_LOSS;

  /** The memory map's size when the store is created (it doubles when full). */
  public static final long DEFAULT_INITIAL_MAP_BYTES = 64L * 1024 * 1024;

  private LmdbDurability durability = DEFAULT_DURABILITY;
  private long initialMapBytes = DEFAULT_INITIAL_MAP_BYTES;

  public LmdbStoreOptions() {
  }

  public LmdbStoreOptions(LmdbStoreOptions other) {
    this.durability = other.durability;
    this.initialMapBytes = other.initialMapBytes;
  }

  /** Reads the options from JSON ({@code durability}: {@code POWER_LOSS} or {@code PROCESS_CRASH}). */
  public LmdbStoreOptions(JsonObject json) {
    setDurability(LmdbDurability.valueOf(json.getString("durability", DEFAULT_DURABILITY.name())));
    setInitialMapBytes(json.getLong("initialMapBytes", DEFAULT_INITIAL_MAP_BYTES));
  }

  public JsonObject toJson() {
    return new JsonObject().put("durability", durability.name()).put("initialMapBytes", initialMapBytes);
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
}
