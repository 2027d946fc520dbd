package io.raftoral.http.api;

import io.raftoral.async.Bridge;
import io.raftoral.workflow.ClientError;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the HTTP API answers: every answer is JSON, every failure an error answer (never a crash, never an unanswered
 * request), and results of asynchronous calls are written on the request's context.
 */
final class HttpAnswers {

  private static final String JSON = "application/json";
  static final int OK = 200;

  private HttpAnswers() {
  }

  /**
   * Serves {@code route} with {@code handler} (after {@code body}, when the route takes a body); a handler that
   * throws (validation, anything unexpected) is answered with the error its exception maps to.
   */
  static void route(Route route, BodyHandler body, Handler<RoutingContext> handler,
      Handler<RoutingContext> onFailure) {
    if (body != null) {
      route.handler(body);
    }
    route.handler(rc -> {
      try {
        handler.handle(rc);
      } catch (RuntimeException e) {
        send(rc, ClientError.of(e));
      }
    }).failureHandler(onFailure);
  }

  /**
   * Runs {@code call} and answers 200 with {@code ok} of its result, or the error its failure maps to. The result
   * is brought back to this request's context; a client that goes away cancels the call (e.g. a long wait).
   */
  static <T> void call(RoutingContext rc, Supplier<Uni<T>> call, Function<T, JsonObject> ok) {
    Bridge.future(call.get(), Vertx.currentContext(), cancel -> rc.response().closeHandler(v -> cancel.run()))
        .onComplete(ar -> {
          if (ar.failed()) {
            send(rc, ClientError.of(ar.cause()));
            return;
          }
          JsonObject body;
          try {
            body = ok.apply(ar.result());
          } catch (RuntimeException e) {
            send(rc, ClientError.of(e));
            return;
          }
          send(rc, OK, body);
        });
  }

  static void send(RoutingContext rc, ClientError error) {
    send(rc, HttpErrors.status(error.code()), error);
  }

  static void send(RoutingContext rc, int status, ClientError error) {
    send(rc, status, HttpErrors.toJson(error));
  }

  static void send(RoutingContext rc, int status, JsonObject body) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", JSON).end(body.encode());
  }
}
