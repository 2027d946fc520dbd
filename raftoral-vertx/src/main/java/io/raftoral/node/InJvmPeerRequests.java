package io.raftoral.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link PeerRequests} over the local event bus (several nodes in one JVM): node {@code n} serves
 * {@code raftoral.peer.<n>}.
 */
public final class InJvmPeerRequests implements PeerRequests {

  public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

  private final Vertx vertx;
  private final long timeoutMillis;
  private MessageConsumer<JsonObject> consumer;

  public InJvmPeerRequests(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MILLIS);
  }

  public InJvmPeerRequests(Vertx vertx, long timeoutMillis) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.timeoutMillis = timeoutMillis;
  }

  static String address(long nodeId) {
    return "raftoral.peer." + nodeId;
  }

  @Override
  public Future<JsonObject> request(long nodeId, String address, JsonObject request) {
    return vertx.eventBus().<JsonObject>request(address(nodeId), request,
        new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMillis)).map(m -> m.body());
  }

  @Override
  public Future<Void> serve(long nodeId, Function<JsonObject, Future<JsonObject>> handler) {
    consumer = vertx.eventBus().localConsumer(address(nodeId), msg -> {
      Future<JsonObject> reply;
      try {
        reply = handler.apply(msg.body());
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          msg.fail(500, String.valueOf(ar.cause().getMessage()));
        }
      });
    });
    return consumer.completion();
  }

  @Override
  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
