package io.raftoral.http.api;

import io.raftoral.transport.HostPort;
import io.raftoral.management.ManagementClient;
import io.raftoral.transport.TransportTlsOptions;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link ManagementClient} over the discovery endpoints of {@link WorkflowHttpApi}, for a node that is not (yet) a
 * member of cluster 0: it knows only seed addresses ({@code --peers}).
 *
 * <ul>
 *   <li>{@link #register}: {@code POST /discovery/register} to each seed in turn until one answers with a node id.
 *       Any member of cluster 0 can serve it (Raft forwards the registration to the management leader), so the
 *       first live seed usually does.</li>
 *   <li>{@link #heartbeat}: {@code POST /discovery/heartbeat}, which only the management leader takes. A node that
 *       does not lead answers 503 {@code NOT_LEADER} with the leader's address when it knows one; the client then
 *       goes there, and remembers the leader for the next heartbeat.</li>
 * </ul>
 *
 * <p>Futures complete on the caller's Vert.x context when called from one, else on an event loop of the client.
 */
public final class HttpManagementClient implements ManagementClient, AutoCloseable {

  /** Default time for one request to one node. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;

  private final WebClient web;
  private final List<HostPort> seeds;
  private final long requestTimeoutMillis;
  private volatile HostPort knownLeader;

  public HttpManagementClient(Vertx vertx, List<String> seeds) {
    this(vertx, seeds, DEFAULT_REQUEST_TIMEOUT_MILLIS);
  }

  public HttpManagementClient(Vertx vertx, List<String> seeds, long requestTimeoutMillis) {
    this(vertx, seeds, requestTimeoutMillis, new TransportTlsOptions());
  }

  /** Over HTTPS when {@code tls} is enabled (its CAs are trusted; with mutual TLS its certificate is presented). */
  public HttpManagementClient(Vertx vertx, List<String> seeds, long requestTimeoutMillis,
      TransportTlsOptions tls) {
    WebClientOptions web = new WebClientOptions();
    if (tls.isEnabled()) {
      tls.applyTo(web);
    }
    this.web = WebClient.create(Objects.requireNonNull(vertx, "vertx"), web);
    this.seeds = HostPort.parseAll(seeds);
    this.requestTimeoutMillis = requestTimeoutMillis;
  }

  @Override
  public Future<Long> register(String address, String requestId) {
    JsonObject body = new JsonObject().put("address", address).put("request_id", requestId);
    List<HostPort> order = new ArrayList<>();
    if (knownLeader != null) {
      order.add(knownLeader);
    }
    order.addAll(seeds);
    return registerAt(new ArrayList<>(new LinkedHashSet<>(order)), 0, body, new ArrayList<>());
  }

  private Future<Long> registerAt(List<HostPort> order, int i, JsonObject body, List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(new HttpApiException(503, ErrorCode.UNAVAILABLE.name(),
          "registration failed at every seed: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    return post(node, "/discovery/register", body).transform(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        JsonObject answer = json(ar.result());
        Long id = answer == null ? null : answer.getLong("node_id");
        if (id != null) {
          return Future.succeededFuture(id);
        }
      }
      errors.add(node + ": " + describe(ar.succeeded() ? ar.result() : null, ar.cause()));
      return registerAt(order, i + 1, body, errors);
    });
  }

  @Override
  public Future<Void> heartbeat(long nodeId) {
    Set<HostPort> order = new LinkedHashSet<>();
    if (knownLeader != null) {
      order.add(knownLeader);
    }
    order.addAll(seeds);
    return heartbeatAt(new ArrayList<>(order), 0, new JsonObject().put("node_id", nodeId), new LinkedHashSet<>(),
        new ArrayList<>());
  }

  private Future<Void> heartbeatAt(List<HostPort> order, int i, JsonObject body, Set<HostPort> tried,
      List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(new HttpApiException(503, ErrorCode.NOT_LEADER.name(),
          "no management leader took the heartbeat: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    if (!tried.add(node)) {
      return heartbeatAt(order, i + 1, body, tried, errors);
    }
    return post(node, "/discovery/heartbeat", body).transform(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        knownLeader = node;
        return Future.succeededFuture();
      }
      if (node.equals(knownLeader)) {
        knownLeader = null;
      }
      JsonObject answer = ar.succeeded() ? json(ar.result()) : null;
      String hint = answer == null ? null : answer.getString("leader_address");
      if (hint != null) {
        try {
          // the leader next: before the remaining seeds
          order.add(i + 1, HostPort.parse(hint));
        } catch (IllegalArgumentException ignored) {
          // an address we cannot use; the seeds remain
        }
      }
      errors.add(node + ": " + describe(ar.succeeded() ? ar.result() : null, ar.cause()));
      return heartbeatAt(order, i + 1, body, tried, errors);
    });
  }

  /** Closes the underlying HTTP client. */
  @Override
  public void close() {
    web.close();
  }

  private Future<HttpResponse<Buffer>> post(HostPort node, String path, JsonObject body) {
    return web.post(node.port(), node.host(), path).timeout(requestTimeoutMillis).sendJsonObject(body);
  }

  private static JsonObject json(HttpResponse<Buffer> r) {
    try {
      return r.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String describe(HttpResponse<Buffer> r, Throwable failure) {
    if (r == null) {
      return failure == null ? "no answer" : failure.getMessage();
    }
    JsonObject answer = json(r);
    return "HTTP " + r.statusCode() + (answer != null && answer.getString("error") != null
        ? " " + answer.getString("error") : "");
  }
}
