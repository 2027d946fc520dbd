package io.raftoral.http.api;

import io.raftoral.api.ApiOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowHttpApi}: beside the list limits every API has ({@link ApiOptions}), the largest body
 * accepted and how long a wait lasts (in seconds, fractions allowed). Vert.x style: {@code DEFAULT_*} constants,
 * fluent setters, a copy constructor, a JSON round trip ({@link #HttpApiOptions(JsonObject)}, {@link #toJson()}).
 */
public final class HttpApiOptions extends ApiOptions<HttpApiOptions> {

  /** Largest request body accepted (bytes); larger ones are answered 413. */
  public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
  /** How long {@code GET /workflow/wait} waits when the request names no {@code timeout_seconds}. */
  public static final double DEFAULT_WAIT_TIMEOUT_SECONDS = 30;
  /** The longest wait a request may ask for (longer ones are answered 400). */
  public static final double DEFAULT_MAX_WAIT_TIMEOUT_SECONDS = 3600;

  private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
  private double defaultWaitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  private double maxWaitTimeoutSeconds = DEFAULT_MAX_WAIT_TIMEOUT_SECONDS;

  public HttpApiOptions() {
  }

  public HttpApiOptions(HttpApiOptions other) {
    this(other.toJson());
  }

  public HttpApiOptions(JsonObject json) {
    super(json);
    setBodyLimitBytes(json.getLong("bodyLimitBytes", DEFAULT_BODY_LIMIT_BYTES));
    setDefaultWaitTimeoutSeconds(json.getDouble("defaultWaitTimeoutSeconds", DEFAULT_WAIT_TIMEOUT_SECONDS));
    setMaxWaitTimeoutSeconds(json.getDouble("maxWaitTimeoutSeconds", DEFAULT_MAX_WAIT_TIMEOUT_SECONDS));
  }

  @Override
  public JsonObject toJson() {
    return super.toJson()
        .put("bodyLimitBytes", bodyLimitBytes)
        .put("defaultWaitTimeoutSeconds", defaultWaitTimeoutSeconds)
        .put("maxWaitTimeoutSeconds", maxWaitTimeoutSeconds);
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
}
