package io.raftoral.http.transport;

import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.SnapshotPump;
import io.raftoral.transport.SnapshotServing;
import io.raftoral.transport.SnapshotTransfers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot endpoint of the HTTP transport: {@code GET /raft/v1/snapshot/{clusterId}/{snapshotId}} with an optional
 * {@code Range: bytes=<offset>-} streams a snapshot the node keeps, from that offset to its end ({@code 206} with
 * {@code Content-Range}; {@code 200} for the whole snapshot without a range), read piece by piece from the node's
 * snapshot source as fast as the connection drains ({@link SnapshotPump}), never the whole snapshot in memory.
 * Refusals are JSON {@code {"error", "message"}}: {@code 400} (a cluster id that is not a number, a bad snapshot id,
 * a range that is not {@code bytes=<offset>-}), {@code 404} (not kept), {@code 416} (offset at or past the end, with
 * {@code Content-Range: bytes *}{@code /<size>}), {@code 503} (shutting down). A transfer that fails once the data
 * flows is reset, so the client sees a broken transfer, never a short one.
 *
 * <p>Runs on the event loop of the inbound HTTP connection.
 */
final class HttpSnapshotRoute {

  /** Where snapshots are served, under the Raft endpoint's version. */
  static final String PATH_PREFIX = "/raft/v1/snapshot/";
  static final String CONTENT_TYPE = "application/octet-stream";
  private static final String ROUTE = PATH_PREFIX + ":clusterId/:snapshotId";
  /** The one range form served: an open-ended range from an offset (a resumed transfer). */
  private static final Pattern OPEN_RANGE = Pattern.compile("bytes=(\\d{1,18})-");
  /** The request header of a ranged GET (Vert.x names the response's Content-Range, not this one). */
  private static final String RANGE = "Range";
  private static final int PARTIAL_CONTENT = 206;
  private static final int RANGE_NOT_SATISFIABLE = 416;
  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  private final long nodeId;
  private final Supplier<SnapshotServing> serving;

  HttpSnapshotRoute(long nodeId, Supplier<SnapshotServing> serving) {
    this.nodeId = nodeId;
    this.serving = serving;
  }

  void mount(Router router) {
    router.route(HttpMethod.GET, ROUTE).handler(this::serve);
    router.route(ROUTE).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, "GET");
      respondError(ctx, 405, "method_not_allowed", "the snapshot endpoint takes GET");
    });
  }

  private void serve(RoutingContext ctx) {
    SnapshotServing node = serving.get();
    if (node.shuttingDown()) {
      respondError(ctx, 503, "unavailable", "node " + nodeId + " is shutting down");
      return;
    }
    long clusterId;
    try {
      clusterId = Long.parseUnsignedLong(ctx.pathParam("clusterId"));
    } catch (NumberFormatException e) {
      respondError(ctx, 400, "bad_request", "the cluster id must be an unsigned 64-bit number, was "
          + ctx.pathParam("clusterId"));
      return;
    }
    String snapshotId = ctx.pathParam("snapshotId");
    String idProblem = SnapshotTransfers.idProblem(snapshotId);
    if (idProblem != null) {
      respondError(ctx, 400, "bad_request", idProblem);
      return;
    }
    String range = ctx.request().getHeader(RANGE);
    long offset = 0;
    if (range != null) {
      Matcher m = OPEN_RANGE.matcher(range.trim());
      if (!m.matches()) {
        respondError(ctx, 400, "bad_range", "the snapshot endpoint serves one open range, bytes=<offset>-, not "
            + range);
        return;
      }
      offset = Long.parseLong(m.group(1));
    }
    long from = offset;
    node.size(clusterId, snapshotId).onComplete(ar -> {
      if (ar.failed()) {
        refuseFailed(ctx, ar.cause());
      } else if (range != null && from >= ar.result()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + ar.result());
        respondError(ctx, RANGE_NOT_SATISFIABLE, "range_not_satisfiable", "offset " + from
            + " is at or past the end of snapshot " + snapshotId + " (" + ar.result() + " bytes)");
      } else {
        stream(ctx, node, clusterId, snapshotId, from, ar.result(), range != null);
      }
    });
  }

  private void stream(RoutingContext ctx, SnapshotServing node, long clusterId, String snapshotId, long offset,
      long size, boolean partial) {
    HttpServerResponse response = ctx.response()
        .setStatusCode(partial ? PARTIAL_CONTENT : 200)
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size - offset));
    if (partial) {
      response.putHeader(HttpHeaders.CONTENT_RANGE, "bytes " + offset + "-" + (size - 1) + "/" + size);
    }
    SnapshotPump<Buffer> pump = node.pump(clusterId, snapshotId, offset, size, response,
        (at, data) -> data);
    boolean[] gone = {false};
    response.closeHandler(v -> {
      gone[0] = true;
      pump.stop(new IllegalStateException("the client closed the connection"));
    });
    response.exceptionHandler(e -> {
      gone[0] = true;
      pump.stop(e);
    });
    pump.start().onComplete(ar -> {
      if (gone[0]) {
        return;
      }
      if (ar.succeeded()) {
        response.end();
      } else if (response.headWritten()) {
        logFailure(ar.cause());
        response.reset(); // a short body must not pass for the whole snapshot
      } else {
        refuseFailed(ctx, ar.cause());
      }
    });
  }

  private void refuseFailed(RoutingContext ctx, Throwable cause) {
    if (cause instanceof SnapshotNotFoundException) {
      respondError(ctx, 404, "snapshot_not_found", cause.getMessage());
    } else if (serving.get().shuttingDown()) {
      respondError(ctx, 503, "unavailable", "node " + nodeId + " is shutting down");
    } else {
      logFailure(cause);
      respondError(ctx, 500, "internal", "the node failed to read the snapshot: " + cause.getMessage());
    }
  }

  private void logFailure(Throwable cause) {
    if (!(cause instanceof SnapshotNotFoundException) && !serving.get().shuttingDown()) {
      LOG.warn("node {}: failed to serve a snapshot", nodeId, cause);
    }
  }

  private static void respondError(RoutingContext ctx, int status, String error, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).put("message", message).encode());
  }
}
