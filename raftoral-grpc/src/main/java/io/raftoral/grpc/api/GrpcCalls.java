package io.raftoral.grpc.api;

import io.raftoral.transport.HostPort;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Unary calls that keep the status message and error code of a failed call (the generated stubs drop them). */
final class GrpcCalls {

  private GrpcCalls() {
  }

  /**
   * A gRPC client, over TLS when {@code tls} is enabled (its CAs are trusted; with mutual TLS its certificate is
   * presented).
   */
  static GrpcClient client(Vertx vertx, TransportTlsOptions tls) {
    Objects.requireNonNull(vertx, "vertx");
    if (!tls.isEnabled()) {
      return GrpcClient.client(vertx);
    }
    HttpClientOptions http = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2);
    tls.applyTo(http);
    return GrpcClient.client(vertx, new GrpcClientOptions(), http);
  }

  /**
   * Calls {@code method} on {@code node}; fails with {@link GrpcApiException} carrying the status, the
   * {@code raftoral-error-code} trailer and the status message when the call does not end OK.
   */
  static <Req, Resp> Future<Resp> unary(GrpcClient client, HostPort node, ServiceMethod<Resp, Req> method,
      Req request, long timeoutMillis) {
    return client.request(SocketAddress.inetSocketAddress(node.port(), node.host()), method).compose(call -> {
      call.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
      return call.send(request).compose(response -> response.last().transform(ar -> {
        if (ar.succeeded() && response.status() == GrpcStatus.OK) {
          return Future.succeededFuture(ar.result());
        }
        GrpcStatus status = response.status();
        if (status == null || status == GrpcStatus.OK) {
          return Future.failedFuture(ar.cause());
        }
        String message = response.statusMessage();
        // a call that fails before any message is answered "trailers-only": the code is then among the headers
        String code = response.trailers().get(GrpcErrors.ERROR_CODE_TRAILER);
        if (code == null) {
          code = response.headers().get(GrpcErrors.ERROR_CODE_TRAILER);
        }
        return Future.failedFuture(new GrpcApiException(status, code,
            message == null || message.isEmpty() ? status.name() : message));
      }));
    });
  }
}
