package io.raftoral.grpc.api;

import io.raftoral.api.ApiOptions;
import io.vertx.core.json.JsonObject;

/**
 * Settings of {@link WorkflowGrpcApi}: the list limits and waits every API has ({@link ApiOptions}); the gRPC API
 * takes whole seconds on the wire, so a wait setting is rounded up to the next second. Vert.x style: a copy
 * constructor and a JSON round trip. (The largest accepted message is a setting of the gRPC server itself:
 * {@code GrpcServerOptions#setMaxMessageSize}.)
 */
public final class GrpcApiOptions extends ApiOptions<GrpcApiOptions> {

  public GrpcApiOptions() {
  }

  public GrpcApiOptions(GrpcApiOptions other) {
    super(other);
  }

  public GrpcApiOptions(JsonObject json) {
    super(json);
  }
}
