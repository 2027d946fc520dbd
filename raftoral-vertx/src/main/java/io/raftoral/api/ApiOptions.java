package io.raftoral.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What every protocol's workflow API (HTTP, gRPC) is configured with: how many workflows a list answers when the
 * request names no limit, the largest limit it accepts, how long a wait for a result lasts when the request names no
 * timeout, and the longest wait it accepts. A protocol's options extend this with their own limits. (The gRPC API
 * takes whole seconds on the wire; its waits are these settings rounded up.) Vert.x style: defaults in {@code DEFAULT_*} constants, fluent setters that validate (typed as the
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
  /** How long a wait for a workflow's result lasts when the request names no timeout. */
  public static final double DEFAULT_WAIT_TIMEOUT_SECONDS = 30;
  /** The longest wait a request may ask for (longer ones are refused as invalid). */
  public static final double DEFAULT_MAX_WAIT_TIMEOUT_SECONDS = 3600;

  private int defaultListLimit = DEFAULT_LIST_LIMIT;
  private int maxListLimit = DEFAULT_MAX_LIST_LIMIT;
  private double defaultWaitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  private double maxWaitTimeoutSeconds = DEFAULT_MAX_WAIT_TIMEOUT_SECONDS;

  protected ApiOptions() {}

  protected ApiOptions(ApiOptions<?> other) {
    Objects.requireNonNull(other, "other");
    this.defaultListLimit = other.defaultListLimit;
    this.maxListLimit = other.maxListLimit;
    this.defaultWaitTimeoutSeconds = other.defaultWaitTimeoutSeconds;
    this.maxWaitTimeoutSeconds = other.maxWaitTimeoutSeconds;
  }

  /** Reads the keys of {@link #toJson()} that this class writes; a missing key keeps its default. */
  protected ApiOptions(JsonObject json) {
    setDefaultListLimit(json.getInteger("defaultListLimit", DEFAULT_LIST_LIMIT));
    setMaxListLimit(json.getInteger("maxListLimit", DEFAULT_MAX_LIST_LIMIT));
    setDefaultWaitTimeoutSeconds(json.getDouble("defaultWaitTimeoutSeconds", DEFAULT_WAIT_TIMEOUT_SECONDS));
    setMaxWaitTimeoutSeconds(json.getDouble("maxWaitTimeoutSeconds", DEFAULT_MAX_WAIT_TIMEOUT_SECONDS));
  }

  /** The shared keys; a subclass adds its own to this object. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("defaultListLimit", defaultListLimit)
        .put("maxListLimit", maxListLimit)
        .put("defaultWaitTimeoutSeconds", defaultWaitTimeoutSeconds)
        .put("maxWaitTimeoutSeconds", maxWaitTimeoutSeconds);
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

  public double getDefaultWaitTimeoutSeconds() {
    return defaultWaitTimeoutSeconds;
  }

  public O setDefaultWaitTimeoutSeconds(double seconds) {
    this.defaultWaitTimeoutSeconds = requirePositive("defaultWaitTimeoutSeconds", seconds);
    return self();
  }

  public double getMaxWaitTimeoutSeconds() {
    return maxWaitTimeoutSeconds;
  }

  public O setMaxWaitTimeoutSeconds(double seconds) {
    this.maxWaitTimeoutSeconds = requirePositive("maxWaitTimeoutSeconds", seconds);
    return self();
  }

  /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when it is not above 0. */
  private static double requirePositive(String name, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + toJson().encode();
  }
}
