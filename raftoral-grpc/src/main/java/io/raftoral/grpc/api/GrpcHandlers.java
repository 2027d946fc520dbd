package io.raftoral.grpc.api;

import io.raftoral.async.Bridge;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/** How the gRPC API serves a unary call: every call answered, on the call's context, failures as statuses. */
final class GrpcHandlers {

  private GrpcHandlers() {
  }

  /**
   * A handler of a unary call: runs {@code impl} on the request, answers its result or the status its failure maps
   * to (never an unanswered call, whatever {@code impl} throws), on the call's context.
   */
  static <Req, Resp> Handler<GrpcServerRequest<Req, Resp>> unary(Function<Req, Future<Resp>> impl) {
    return request -> {
      AtomicBoolean received = new AtomicBoolean();
      // a stream that ends without one whole message (nothing, or a truncated frame) would otherwise never be
      // answered: the message handler is not called
      request.endHandler(v -> {
        if (!received.get()) {
          GrpcErrors.fail(request.response(), ClientError.invalid("the request stream ended without a complete "
              + "request message"));
        }
      });
      serve(request, received, impl);
    };
  }

  private static <Req, Resp> void serve(GrpcServerRequest<Req, Resp> request, AtomicBoolean received,
      Function<Req, Future<Resp>> impl) {
    request.invalidMessageHandler(invalid -> {
      received.set(true);
      // a message over the server's maximum size: an answer naming the limit rather than a reset stream (bytes
      // that do not decode as the request message are refused by vertx-grpc itself, with a CANCELLED reset)
      boolean tooLarge = invalid instanceof MessageSizeOverflowException;
      GrpcErrors.fail(request.response(), tooLarge
          ? new ClientError(ErrorCode.MESSAGE_TOO_LARGE, "request message too large: " + invalid.getMessage())
          : ClientError.invalid("malformed request message: " + invalid.getMessage()));
    }).handler(message -> {
      received.set(true);
      Bridge.onCurrentContext(() -> impl.apply(message)).onComplete(ar -> {
        GrpcServerResponse<Req, Resp> response = request.response();
        if (ar.succeeded()) {
          response.end(ar.result());
        } else {
          GrpcErrors.fail(response, ClientError.of(ar.cause()));
        }
      });
    });
  }
}
