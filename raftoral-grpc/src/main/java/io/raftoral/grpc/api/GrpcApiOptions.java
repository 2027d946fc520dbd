package io.raftoral.grpc.api;

import io.raftoral.api.ApiOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowGrpcApi}: beside the list limits every API has ({@link ApiOptions}), how long a wait
 * lasts in whole seconds. Vert.x style: {@code DEFAULT_*} constants, fluent setters, a copy constructor, a JSON round
 * trip. (The largest accepted message is a setting of the gRPC server itself:
 * {@code GrpcServerOptions#setMaxMessageSize}.)
 */
public final class GrpcApiOptions extends ApiOptions<GrpcApiOptions> {

  /** How long a wait (WaitForWorkflowCompletion, RunWorkflowSync) lasts when the request says 0. */
  public static final int DEFAULT_WAIT_TIMEOUT_SECONDS = 30;
  /** The longest wait a request may ask for (longer ones are INVALID_ARGUMENT). */
  public static final int DEFAULT_MAX_WAIT_TIMEOUT_SECONDS = 3600;

  private int defaultWaitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  private int maxWaitTimeoutSeconds = DEFAULT_MAX_WAIT_TIMEOUT_SECONDS;

  public GrpcApiOptions() {
  }

  public GrpcApiOptions(GrpcApiOptions other) {
    this(other.toJson());
  }

  public GrpcApiOptions(JsonObject json) {
    super(json);
    setDefaultWaitTimeoutSeconds(json.getInteger("defaultWaitTimeoutSeconds", DEFAULT_WAIT_TIMEOUT_SECONDS));
    setMaxWaitTimeoutSeconds(json.getInteger("maxWaitTimeoutSeconds", DEFAULT_MAX_WAIT_TIMEOUT_SECONDS));
  }

  @Override
  public JsonObject toJson() {
    return super.toJson().put("defaultWaitTimeoutSeconds", defaultWaitTimeoutSeconds)
        .put("maxWaitTimeoutSeconds", maxWaitTimeoutSeconds);
  }

  public int getDefaultWaitTimeoutSeconds() {
    return defaultWaitTimeoutSeconds;
  }

  public GrpcApiOptions setDefaultWaitTimeoutSeconds(int seconds) {
    this.defaultWaitTimeoutSeconds = requirePositive("defaultWaitTimeoutSeconds", seconds);
    return this;
  }

  public int getMaxWaitTimeoutSeconds() {
    return maxWaitTimeoutSeconds;
  }

  public GrpcApiOptions setMaxWaitTimeoutSeconds(int seconds) {
    this.maxWaitTimeoutSeconds = requirePositive("maxWaitTimeoutSeconds", seconds);
    return this;
  }
}
