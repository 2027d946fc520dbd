package io.raftoral.http.api;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.client.SeedManagementClient;
import io.raftoral.management.ManagementClient;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ManagementClient} over the discovery endpoints of {@link WorkflowHttpApi}, for a node that is not (yet) a
 * member of cluster 0: it knows only seed addresses ({@code --peers}). The order of the calls is
 * {@link SeedManagementClient}'s.
 *
 * <ul>
 *   <li>{@link #register}: {@code POST /discovery/register}, answered with a node id by any member of cluster 0.</li>
 *   <li>{@link #heartbeat}: {@code POST /discovery/heartbeat}, which only the management leader takes. A node that
 *       does not lead answers 503 {@code NOT_LEADER} with the leader's address when it knows one.</li>
 *   <li>{@link #rejoin}: {@code POST /discovery/register} with the {@code node_id} of the node's storage.</li>
 *   <li>{@link #directory}: {@code GET /discovery/peers}.</li>
 * </ul>
 *
 * <p>Futures complete on the caller's Vert.x context when called from one, else on an event loop of the client.
 */
public final class HttpManagementClient extends SeedManagementClient<WebClient> {

  /** Over the seeds of {@code options} (its addresses, see {@link #seedOptions}); over HTTPS with its TLS. */
  public HttpManagementClient(Vertx vertx, NetworkClientOptions options) {
    super(options, WebClients.create(vertx, options.getTls()), WebClient::close);
  }

  @Override
  protected Future<Long> registerAt(HostPort node, String address, String requestId) {
    return registerWith(node, new JsonObject().put("address", address).put("request_id", requestId));
  }

  private Future<Long> registerWith(HostPort node, JsonObject body) {
    return post(node, "/discovery/register", body).transform(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == HttpAnswers.OK) {
        JsonObject answer = json(ar.result());
        Long id = answer == null ? null : answer.getLong("node_id");
        if (id != null) {
          return Future.succeededFuture(id);
        }
      }
      return Future.failedFuture(new HttpApiException(ar.succeeded() ? ar.result().statusCode() : 0, null,
          describe(ar.succeeded() ? ar.result() : null, ar.cause())));
    });
  }

  /** {@code POST /discovery/register} with the {@code node_id} of the node's storage. */
  @Override
  protected Future<Long> rejoinAt(HostPort node, String address, String requestId, long nodeId) {
    JsonObject body = new JsonObject().put("address", address).put("request_id", requestId).put("node_id", nodeId);
    return registerWith(node, body);
  }

  @Override
  protected Future<HeartbeatAnswer> heartbeatAt(HostPort node, long nodeId) {
    return post(node, "/discovery/heartbeat", new JsonObject().put("node_id", nodeId)).map(r -> {
      JsonObject answer = json(r);
      return new HeartbeatAnswer(r.statusCode() == HttpAnswers.OK,
          answer == null ? null : answer.getString("leader_address"), describe(r, null));
    });
  }

  /** {@code GET /discovery/peers}: its {@code peers}, by node id. */
  @Override
  protected Future<Map<Long, String>> directoryAt(HostPort node) {
    return client().get(node.port(), node.host(), "/discovery/peers").timeout(requestTimeoutMillis()).send()
        .compose(r -> {
          JsonObject answer = json(r);
          if (r.statusCode() != HttpAnswers.OK || answer == null) {
            return Future.failedFuture(new HttpApiException(r.statusCode(), null, describe(r, null)));
          }
          Map<Long, String> out = new LinkedHashMap<>();
          JsonArray peers = answer.getJsonArray("peers", new JsonArray());
          for (int i = 0; i < peers.size(); i++) {
            JsonObject peer = peers.getJsonObject(i);
            Long id = peer.getLong("node_id");
            String address = peer.getString("address");
            if (id != null && address != null) {
              out.put(id, address);
            }
          }
          return Future.succeededFuture(out);
        });
  }

  @Override
  protected RuntimeException noNodeServed(ErrorCode code, String message) {
    return new HttpApiException(HttpErrors.status(code), code.name(), message);
  }

  private Future<HttpResponse<Buffer>> post(HostPort node, String path, JsonObject body) {
    return client().post(node.port(), node.host(), path).timeout(requestTimeoutMillis()).sendJsonObject(body);
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
