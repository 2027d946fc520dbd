package io.raftoral.http.api;

import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowHttpApi}, in the style of a Vert.x data object: {@code DEFAULT_*} constants, fluent
 * setters, JSON round trip ({@link #HttpApiOptions(JsonObject)}, {@link #toJson()}).
 */
public final class HttpApiOptions {

  /** Largest request body accepted (bytes); larger ones are answered 413. */
  public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
  /** How long {@code GET /workflow/wait} waits when the request names no {@code timeout_seconds}. */
  public static final double DEFAULT_WAIT_TIMEOUT_SECONDS = 30;
  /** The longest wait a request may ask for (longer ones are answered 400). */
  public static final double DEFAULT_MAX_WAIT_TIMEOUT_SECONDS = 3600;
  /** How many workflows {@code GET /workflow/list} answers when the request names no {@code limit}. */
  public static final int DEFAULT_LIST_LIMIT = 100;
  /** The largest {@code limit} a list request may ask for. */
  public static final int DEFAULT_MAX_LIST_LIMIT = 10_000;

  private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
  private double defaultWaitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  private double maxWaitTimeoutSeconds = DEFAULT_MAX_WAIT_TIMEOUT_SECONDS;
  private int defaultListLimit = DEFAULT_LIST_LIMIT;
  private int maxListLimit = DEFAULT_MAX_LIST_LIMIT;

  public HttpApiOptions() {
  }

  public HttpApiOptions(HttpApiOptions other) {
    this(other.toJson());
  }

  public HttpApiOptions(JsonObject json) {
    setBodyLimitBytes(json.getLong("bodyLimitBytes", DEFAULT_BODY_LIMIT_BYTES));
    setDefaultWaitTimeoutSeconds(json.getDouble("defaultWaitTimeoutSeconds", DEFAULT_WAIT_TIMEOUT_SECONDS));
    setMaxWaitTimeoutSeconds(json.getDouble("maxWaitTimeoutSeconds", DEFAULT_MAX_WAIT_TIMEOUT_SECONDS));
    setDefaultListLimit(json.getInteger("defaultListLimit", DEFAULT_LIST_LIMIT));
    setMaxListLimit(json.getInteger("maxListLimit", DEFAULT_MAX_LIST_LIMIT));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("bodyLimitBytes", bodyLimitBytes)
        .put("defaultWaitTimeoutSeconds", defaultWaitTimeoutSeconds)
        .put("maxWaitTimeoutSeconds", maxWaitTimeoutSeconds)
        .put("defaultListLimit", defaultListLimit)
        .put("maxListLimit", maxListLimit);
  }

  public long getBodyLimitBytes() {
    return bodyLimitBytes;
  }

  public HttpApiOptions setBodyLimitBytes(long bodyLimitBytes) {
    if (bodyLimitBytes < 1) {
      throw new IllegalArgumentException("bodyLimitBytes must be >= 1, was " + bodyLimitBytes);
    }
    this.bodyLimitBytes = bodyLimitBytes;
    return this;
  }

  public double getDefaultWaitTimeoutSeconds() {
    return defaultWaitTimeoutSeconds;
  }

  public HttpApiOptions setDefaultWaitTimeoutSeconds(double seconds) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("defaultWaitTimeoutSeconds must be > 0, was " + seconds);
    }
    this.defaultWaitTimeoutSeconds = seconds;
    return this;
  }

  public double getMaxWaitTimeoutSeconds() {
    return maxWaitTimeoutSeconds;
  }

  public HttpApiOptions setMaxWaitTimeoutSeconds(double seconds) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("maxWaitTimeoutSeconds must be > 0, was " + seconds);
    }
    this.maxWaitTimeoutSeconds = seconds;
    return this;
  }

  public int getDefaultListLimit() {
    return defaultListLimit;
  }

  public HttpApiOptions setDefaultListLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("defaultListLimit must be >= 1, was " + limit);
    }
    this.defaultListLimit = limit;
    return this;
  }

  public int getMaxListLimit() {
    return maxListLimit;
  }

  public HttpApiOptions setMaxListLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxListLimit must be >= 1, was " + limit);
    }
    this.maxListLimit = limit;
    return this;
  }

  @Override
  public String toString() {
    return "HttpApiOptions" + toJson().encode();
  }
}
