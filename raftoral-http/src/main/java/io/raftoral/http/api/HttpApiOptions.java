package io.raftoral.http.api;

import io.raftoral.api.ApiOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowHttpApi}: beside the list limits and waits every API has ({@link ApiOptions}; waits in
 * seconds, fractions allowed), the largest body accepted. Vert.x style: {@code DEFAULT_*} constants, fluent setters,
 * a copy constructor that copies fields, a JSON round trip ({@link #HttpApiOptions(JsonObject)}, {@link #toJson()}).
 */
public final class HttpApiOptions extends ApiOptions<HttpApiOptions> {

  /** Largest request body accepted (bytes); larger ones are answered 413. */
  public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

  private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;

  public HttpApiOptions() {
  }

  public HttpApiOptions(HttpApiOptions other) {
    super(other);
    this.bodyLimitBytes = other.bodyLimitBytes;
  }

  public HttpApiOptions(JsonObject json) {
    super(json);
    setBodyLimitBytes(json.getLong("bodyLimitBytes", DEFAULT_BODY_LIMIT_BYTES));
  }

  @Override
  public JsonObject toJson() {
    return super.toJson()
        .put("bodyLimitBytes", bodyLimitBytes);
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
}
