package io.raftoral.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What every protocol's workflow API (HTTP, gRPC) is configured with: how many workflows a list answers when the
 * request names no limit, and the largest limit it accepts. A protocol's options extend this with their own waits
 * and limits. Vert.x style: defaults in {@code DEFAULT_*} constants, fluent setters that validate (typed as the
 * subclass, {@code O}), a copy constructor that copies fields, and a JSON round trip whose keys the subclass extends
 * ({@link #toJson()}).
 *
 * @param <O> the concrete options class, which the fluent setters return
 */
public abstract class ApiOptions<O extends ApiOptions<O>> {

  /** How many workflows a list answers when the request names no limit. */
  public static final int DEFAULT_LIST_LIMIT = 100;
  /** The largest limit a list request may ask for. */
  public static final int DEFAULT_MAX_LIST_LIMIT = 10_000;

  private int defaultListLimit = DEFAULT_LIST_LIMIT;
  private int maxListLimit = DEFAULT_MAX_LIST_LIMIT;

  protected ApiOptions() {}

  protected ApiOptions(ApiOptions<?> other) {
    Objects.requireNonNull(other, "other");
    this.defaultListLimit = other.defaultListLimit;
    this.maxListLimit = other.maxListLimit;
  }

  /** Reads the keys of {@link #toJson()} that this class writes; a missing key keeps its default. */
  protected ApiOptions(JsonObject json) {
    setDefaultListLimit(json.getInteger("defaultListLimit", DEFAULT_LIST_LIMIT));
    setMaxListLimit(json.getInteger("maxListLimit", DEFAULT_MAX_LIST_LIMIT));
  }

  /** The shared keys; a subclass adds its own to this object. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("defaultListLimit", defaultListLimit)
        .put("maxListLimit", maxListLimit);
  }

  @SuppressWarnings("unchecked")
  private O self() {
    return (O) this;
  }

  /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when it is below 1. */
  protected static int requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
    return value;
  }

  public int getDefaultListLimit() {
    return defaultListLimit;
  }

  public O setDefaultListLimit(int limit) {
    this.defaultListLimit = requirePositive("defaultListLimit", limit);
    return self();
  }

  public int getMaxListLimit() {
    return maxListLimit;
  }

  public O setMaxListLimit(int limit) {
    this.maxListLimit = requirePositive("maxListLimit", limit);
    return self();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + toJson().encode();
  }
}
