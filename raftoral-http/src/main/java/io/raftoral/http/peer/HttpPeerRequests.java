package io.raftoral.http.peer;

import io.raftoral.node.PeerRequests;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link PeerRequests} over HTTP: a node forwards a workflow call as a JSON {@code POST} to
 * {@value #PATH} on a member of the right execution cluster, served on the node's HTTP server (whatever its Raft
 * transport: a gRPC node serves HTTP on the same port). Bodies are limited; malformed ones get a 400 JSON error.
 */
public final class HttpPeerRequests implements PeerRequests {

  public static final String PATH = "/raftoral/v1/peer";
  public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;
  public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private final Vertx vertx;
  private final Router router;
  private final HttpClient client;
  private final boolean tls;
  private final long timeoutMillis;
  private volatile Function<JsonObject, Future<JsonObject>> handler;

  /**
   * @param router the node's router, where {@link #serve} mounts {@value #PATH}
   * @param tlsOptions the nodes' TLS settings (client side here)
   */
  public HttpPeerRequests(Vertx vertx, Router router, TransportTlsOptions tlsOptions, long timeoutMillis) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.router = Objects.requireNonNull(router, "router");
    HttpClientOptions http = new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000);
    Objects.requireNonNull(tlsOptions, "tlsOptions").applyTo(http);
    this.tls = tlsOptions.isEnabled();
    this.client = vertx.createHttpClient(http);
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<JsonObject> request(long nodeId, String address, JsonObject request) {
    SocketAddress target;
    try {
      target = PeerAddresses.parse(address);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setServer(target)
        .setHost(target.host()).setPort(target.port()).setURI(PATH).setSsl(tls).setIdleTimeout(timeoutMillis)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    Buffer body = request.toBuffer();
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("node " + nodeId + " at " + address + " answered " + resp.statusCode()
                + ": " + b.toString());
          }
          return b.toJsonObject();
        }));
  }

  @Override
  public Future<Void> serve(long nodeId, Function<JsonObject, Future<JsonObject>> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)).handler(this::handle);
    return Future.succeededFuture();
  }

  private void handle(RoutingContext ctx) {
    JsonObject req;
    try {
      req = ctx.body().asJsonObject();
      if (req == null) {
        throw new DecodeException("empty body");
      }
    } catch (DecodeException | ClassCastException e) {
      ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("error", "bad_request").put("message", "not a JSON object: " + e.getMessage())
              .encode());
      return;
    }
    Function<JsonObject, Future<JsonObject>> h = handler;
    h.apply(req).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(ar.result().encode());
      } else {
        ctx.response().setStatusCode(500).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("error", "internal").put("message", String.valueOf(ar.cause().getMessage()))
                .encode());
      }
    });
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
