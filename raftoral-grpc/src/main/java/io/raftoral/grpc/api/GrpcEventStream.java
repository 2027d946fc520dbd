package io.raftoral.grpc.api;

import io.raftoral.events.EventFilter;
import io.raftoral.events.EventSink;
import io.raftoral.events.EventSubscription;
import io.raftoral.events.NodeEvent;
import io.raftoral.events.NodeEvents;
import io.raftoral.grpc.api.proto.WatchEventsRequest;
import io.raftoral.grpc.api.proto.WatchEventsResponse;
import io.raftoral.workflow.ClientError;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Objects;

/**
 * {@code raftoral.WorkflowManagement/WatchEvents}: the node's {@link NodeEvents} as a server stream, filtered as the
 * request says (a bad filter ends the call with INVALID_ARGUMENT). The stream stays open until the client cancels;
 * a client that stops reading gets an {@code events_skipped} marker in place of what its bounded buffer could not
 * hold, and never holds up the node.
 *
 * <p>Threading: runs on the gRPC server's event loop; the stream is written there.
 */
final class GrpcEventStream implements Handler<GrpcServerRequest<WatchEventsRequest, WatchEventsResponse>> {

  private final NodeEvents events;

  GrpcEventStream(NodeEvents events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  @Override
  public void handle(GrpcServerRequest<WatchEventsRequest, WatchEventsResponse> request) {
    request.handler(r -> watch(request, r));
  }

  private void watch(GrpcServerRequest<WatchEventsRequest, WatchEventsResponse> request, WatchEventsRequest r) {
    GrpcServerResponse<WatchEventsRequest, WatchEventsResponse> response = request.response();
    EventFilter filter;
    try {
      filter = EventFilter.parse(r.getKindsList(),
          r.getClusterIdsList().stream().map(Long::toUnsignedString).toList(), r.getWorkflowTypesList());
    } catch (IllegalArgumentException e) {
      GrpcErrors.fail(response, ClientError.invalid(e.getMessage()));
      return;
    }
    int history = r.getHistory();
    if (history < 0 || history > NodeEvents.DEFAULT_HISTORY_SIZE) {
      GrpcErrors.fail(response, ClientError.invalid("history must be between 0 and "
          + NodeEvents.DEFAULT_HISTORY_SIZE + ", was " + Integer.toUnsignedString(history)));
      return;
    }
    // the headers go out at once, so that a client knows the stream is open before the first event
    response.writeHead();
    EventSubscription subscription = events.subscribe(filter, history, r.getAfterSeq(),
        EventSink.of(response, GrpcEventStream::toProto), Vertx.currentContext());
    // a cancelled call (a gRPC error: CANCELLED) or a closed connection ends the subscription; so does a write
    // that fails later
    request.errorHandler(error -> subscription.close());
    request.exceptionHandler(e -> subscription.close());
    response.exceptionHandler(e -> subscription.close());
  }

  static WatchEventsResponse toProto(NodeEvent e) {
    return WatchEventsResponse.newBuilder().setSeq(e.seq()).setKind(e.kind().wireName()).setTimeMillis(e.timeMillis())
        .setNodeId(e.nodeId()).setClusterId(e.clusterId()).setFieldsJson(e.fields().encode()).build();
  }
}
