package io.raftoral.grpc.api;

import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowGrpcApi}, in the style of a Vert.x data object: {@code DEFAULT_*} constants, fluent
 * setters, JSON round trip. (The largest accepted message is a setting of the gRPC server itself:
 * {@code GrpcServerOptions#setMaxMessageSize}.)
 */
public final class GrpcApiOptions {

  /** How long a wait (WaitForWorkflowCompletion, RunWorkflowSync) lasts when the request says 0. */
  public static final int DEFAULT_WAIT_TIMEOUT_SECONDS = 30;
  /** The longest wait a request may ask for (longer ones are INVALID_ARGUMENT). */
  public static final int DEFAULT_MAX_WAIT_TIMEOUT_SECONDS = 3600;
  /** How many workflows ListWorkflows answers when the request says 0. */
  public static final int DEFAULT_LIST_LIMIT = 100;
  /** The largest limit ListWorkflows accepts. */
  public static final int DEFAULT_MAX_LIST_LIMIT = 10_000;

  private int defaultWaitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  private int maxWaitTimeoutSeconds = DEFAULT_MAX_WAIT_TIMEOUT_SECONDS;
  private int defaultListLimit = DEFAULT_LIST_LIMIT;
  private int maxListLimit = DEFAULT_MAX_LIST_LIMIT;

  public GrpcApiOptions() {
  }

  public GrpcApiOptions(GrpcApiOptions other) {
    this(other.toJson());
  }

  public GrpcApiOptions(JsonObject json) {
    setDefaultWaitTimeoutSeconds(json.getInteger("defaultWaitTimeoutSeconds", DEFAULT_WAIT_TIMEOUT_SECONDS));
    setMaxWaitTimeoutSeconds(json.getInteger("maxWaitTimeoutSeconds", DEFAULT_MAX_WAIT_TIMEOUT_SECONDS));
    setDefaultListLimit(json.getInteger("defaultListLimit", DEFAULT_LIST_LIMIT));
    setMaxListLimit(json.getInteger("maxListLimit", DEFAULT_MAX_LIST_LIMIT));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("defaultWaitTimeoutSeconds", defaultWaitTimeoutSeconds)
        .put("maxWaitTimeoutSeconds", maxWaitTimeoutSeconds)
        .put("defaultListLimit", defaultListLimit)
        .put("maxListLimit", maxListLimit);
  }

  public int getDefaultWaitTimeoutSeconds() {
    return defaultWaitTimeoutSeconds;
  }

  public GrpcApiOptions setDefaultWaitTimeoutSeconds(int seconds) {
    this.defaultWaitTimeoutSeconds = positive("defaultWaitTimeoutSeconds", seconds);
    return this;
  }

  public int getMaxWaitTimeoutSeconds() {
    return maxWaitTimeoutSeconds;
  }

  public GrpcApiOptions setMaxWaitTimeoutSeconds(int seconds) {
    this.maxWaitTimeoutSeconds = positive("maxWaitTimeoutSeconds", seconds);
    return this;
  }

  public int getDefaultListLimit() {
    return defaultListLimit;
  }

  public GrpcApiOptions setDefaultListLimit(int limit) {
    this.defaultListLimit = positive("defaultListLimit", limit);
    return this;
  }

  public int getMaxListLimit() {
    return maxListLimit;
  }

  public GrpcApiOptions setMaxListLimit(int limit) {
    this.maxListLimit = positive("maxListLimit", limit);
    return this;
  }

  private static int positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return "GrpcApiOptions" + toJson().encode();
  }
}
