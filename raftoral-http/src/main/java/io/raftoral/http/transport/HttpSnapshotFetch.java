package io.raftoral.http.transport;

import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.transport.SnapshotChunker;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The client of the snapshot endpoint ({@link HttpSnapshotRoute}): one ranged {@code GET} per transfer, on the
 * transport's snapshot client (its own connections, so Raft batches never queue behind snapshot data on the
 * pipelined Raft connection). The body goes to the {@link SnapshotChunker}, which pauses the response while its
 * handler works (TCP flow control then holds up the peer). {@code 404 snapshot_not_found} ends the transfer with a
 * {@link SnapshotNotFoundException}, a {@code 416} at the very end of the snapshot with nothing left to fetch, other
 * {@code 4xx} with an {@link IllegalArgumentException}; anything else, a body shorter than announced or a closed
 * connection with a failure the caller resumes after.
 */
final class HttpSnapshotFetch {

  /** The request header of a ranged GET (Vert.x names the response's Content-Range, not this one). */
  private static final String RANGE = "Range";
  private static final int PARTIAL_CONTENT = 206;
  private static final int RANGE_NOT_SATISFIABLE = 416;
  private static final int NOT_FOUND = 404;
  /** Statuses from here on carry a short error body worth reading. */
  private static final int HTTP_ERRORS = 400;
  private static final String UNSATISFIED_RANGE_PREFIX = "bytes */";

  private final long fromNode;
  private final long clusterId;
  private final String snapshotId;
  private final long offset;
  private final SnapshotChunker chunker;
  private long bodyBytes;

  private HttpSnapshotFetch(long fromNode, long clusterId, String snapshotId, long offset, SnapshotChunker chunker) {
    this.fromNode = fromNode;
    this.clusterId = clusterId;
    this.snapshotId = snapshotId;
    this.offset = offset;
    this.chunker = chunker;
  }

  /** The path of a snapshot on the endpoint (the id percent-encoded: it may hold any printable character). */
  static String path(long clusterId, String snapshotId) {
    return HttpSnapshotRoute.PATH_PREFIX + Long.toUnsignedString(clusterId) + "/"
        + URLEncoder.encode(snapshotId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Starts the request; runs on the fetching context, whose thread every event of the request then arrives on. */
  static void open(HttpClientAgent client, SocketAddress address, long fromNode, long clusterId, String snapshotId,
      long offset, SnapshotChunker chunker) {
    new HttpSnapshotFetch(fromNode, clusterId, snapshotId, offset, chunker).start(client, address);
  }

  private void start(HttpClientAgent client, SocketAddress address) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(address.host())
        .setPort(address.port())
        .setURI(path(clusterId, snapshotId))
        .putHeader(RANGE, "bytes=" + offset + "-");
    client.request(request).onComplete(ar -> {
      if (ar.failed()) {
        chunker.fail(ar.cause());
        return;
      }
      HttpClientRequest req = ar.result();
      if (chunker.isDone()) {
        req.reset();
        return;
      }
      req.send().onComplete(sent -> {
        if (sent.failed()) {
          chunker.fail(sent.cause());
        } else {
          answered(req, sent.result());
        }
      });
    });
  }

  private void answered(HttpClientRequest req, HttpClientResponse resp) {
    int status = resp.statusCode();
    boolean whole = status == 200 && offset == 0;
    if (status == PARTIAL_CONTENT || whole) {
      String range = resp.getHeader(HttpHeaders.CONTENT_RANGE);
      if (!whole && (range == null || !range.startsWith("bytes " + offset + "-"))) {
        chunker.fail(new IllegalStateException("node " + fromNode + " answered the range from " + offset
            + " with " + range));
        req.reset();
        return;
      }
      receive(req, resp);
      return;
    }
    if (status < HTTP_ERRORS) {
      // Not an answer to a ranged GET (a 200 for a resumed transfer would resend the whole snapshot): not read.
      chunker.fail(new IllegalStateException("node " + fromNode + " answered the range from " + offset + " with "
          + status));
      req.reset();
      return;
    }
    resp.body().onComplete(body -> refused(resp, body.succeeded() ? body.result().toString() : ""));
  }

  private void receive(HttpClientRequest req, HttpClientResponse resp) {
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    chunker.attach(resp, req::reset);
    resp.handler(data -> {
      bodyBytes += data.length();
      chunker.append(data);
    });
    resp.exceptionHandler(chunker::fail);
    resp.endHandler(v -> {
      if (length != null && bodyBytes != Long.parseLong(length)) {
        chunker.fail(new IllegalStateException("node " + fromNode + " sent " + bodyBytes + " of " + length
            + " announced bytes"));
      } else {
        chunker.end();
      }
    });
  }

  private void refused(HttpClientResponse resp, String body) {
    int status = resp.statusCode();
    String said = "node " + fromNode + " answered " + status + " " + body;
    if (status == RANGE_NOT_SATISFIABLE && (UNSATISFIED_RANGE_PREFIX + offset).equals(
        resp.getHeader(HttpHeaders.CONTENT_RANGE))) {
      chunker.end(); // resumed exactly at the end: every byte was fetched already
    } else if (status == NOT_FOUND && "snapshot_not_found".equals(errorCode(body))) {
      chunker.fail(new SnapshotNotFoundException(clusterId, snapshotId));
    } else if (status / 100 == 4) {
      chunker.fail(new IllegalArgumentException(said));
    } else {
      chunker.fail(new IllegalStateException(said));
    }
  }

  private static String errorCode(String body) {
    try {
      return new JsonObject(body).getString("error");
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
