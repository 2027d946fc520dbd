package io.raftoral.demo;

import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * Whether a node about to found a cluster ({@code --bootstrap} on an empty storage) would found a second one beside
 * the cluster it belonged to. A founder that lost its disk cannot tell a first start from a restart by itself; its
 * {@code --peers} can: if one of them answers {@code GET /discovery/peers} as a registered member (a node id), the
 * cluster exists and founding again would start a second cluster 0 under the same name, with this node's old id and
 * an empty log (a committed entry lost, a vote given twice). Such a node must join as a new node instead.
 *
 * <p>A peer that does not answer, or answers without a node id (a node still waiting to register, whose discovery
 * route is not mounted yet), is not a member: the founder of a new cluster may list its future peers.
 */
final class FounderCheck {

  /** How long each peer is given to answer: a founder's start waits for this at most once per peer. */
  static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  /** The HTTP status of a discovery answer. */
  private static final int OK = 200;

  private FounderCheck() {}

  /**
   * The first of {@code peers} that answers as a member of an existing cluster, as {@code "host:port (node N)"},
   * or null when none does. Completes on a Vert.x thread; never fails.
   */
  static Future<String> existingMember(Vertx vertx, TransportTlsOptions tls, List<String> peers) {
    HttpClientOptions o = new HttpClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    tls.applyTo(o);
    HttpClient client = vertx.createHttpClient(o);
    return ask(client, peers, 0).eventually(() -> client.close());
  }

  private static Future<String> ask(HttpClient client, List<String> peers, int i) {
    if (i == peers.size()) {
      return Future.succeededFuture(null);
    }
    String peer = peers.get(i);
    SocketAddress a = PeerAddresses.parse(peer);
    return client.request(HttpMethod.GET, a.port(), a.host(), "/discovery/peers")
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == OK ? resp.body().map(b -> memberId(b.toString()))
            : Future.succeededFuture((Long) null))
        .otherwise(e -> null)
        .compose(id -> id != null ? Future.succeededFuture(peer + " (node " + id + ")") : ask(client, peers, i + 1));
  }

  /** The node id in a discovery answer, or null when the answer is not one of a registered member. */
  private static Long memberId(String body) {
    try {
      Long id = new JsonObject(body).getLong("node_id");
      return id != null && id > 0 ? id : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
