package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.OK;
import static io.raftoral.http.api.HttpAnswers.send;
import static io.raftoral.http.api.HttpRequestParams.bodyObject;
import static io.raftoral.http.api.HttpRequestParams.optionalString;
import static io.raftoral.http.api.HttpRequestParams.requiredLong;

import io.raftoral.async.Bridge;
import io.raftoral.management.Discovery;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementEndpoint;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Collection;

/**
 * The health and discovery endpoints of the HTTP API, served from the node's {@link ManagementEndpoint}:
 * {@code GET /health}, {@code GET /discovery/peers}, {@code POST /discovery/register} (with an optional
 * {@code node_id}: a node that rejoins with the id of its storage), {@code POST /discovery/heartbeat}. Without a management endpoint, health answers "ok" and discovery 503.
 */
final class HttpDiscoveryRoutes {

  private final ManagementEndpoint management;

  /** @param management the node's management endpoint, or null when it serves none */
  HttpDiscoveryRoutes(ManagementEndpoint management) {
    this.management = management;
  }

  void mount(Router router, BodyHandler body, Handler<RoutingContext> onFailure) {
    HttpAnswers.route(router.get("/health"), null, this::health, onFailure);
    HttpAnswers.route(router.get("/discovery/peers"), null, this::peers, onFailure);
    HttpAnswers.route(router.post("/discovery/register"), body, this::register, onFailure);
    HttpAnswers.route(router.post("/discovery/heartbeat"), body, this::heartbeat, onFailure);
  }

  /**
   * {@code {"status": "ok", "node_id": 1, "is_leader": true}}: 200 once the node has joined (its own registration
   * is in its view of the node directory), else 503 with {@code "status": "starting"}, so that scripts and load
   * balancers can wait for a node with {@code GET /health}. A node that has joined but has been out of contact with
   * the management leader for the failure timeout (cut off, or taken out of cluster 0 while it was down: its
   * directory may be stale) answers 503 with {@code "status": "unavailable"}. A 503 answer says why in
   * {@code "reason"}. {@code is_leader} tells whether the node leads cluster 0. Without a management endpoint the
   * node answers "ok" with a null node id.
   */
  private void health(RoutingContext rc) {
    JsonObject body = new JsonObject();
    String notReady = Discovery.notReadyReason(management);
    boolean ready = notReady == null;
    boolean registered = management == null || management.view().nodes().containsKey(management.nodeId());
    body.put("status", ready ? "ok" : registered ? "unavailable" : "starting");
    if (management == null) {
      body.put("node_id", null).put("is_leader", false);
    } else {
      long leader = management.managementLeaderId();
      body.put("node_id", management.nodeId())
          .put("is_leader", management.isManagementLeader())
          .put("management_leader_node_id", leader == 0 ? null : leader);
    }
    if (!ready) {
      body.put("reason", notReady);
    }
    send(rc, ready ? OK : HttpErrors.SERVICE_UNAVAILABLE, body);
  }

  private void peers(RoutingContext rc) {
    send(rc, OK, discovery(Discovery.of(requireManagement())));
  }

  /** The quickstart's discovery answer, plus the node directory as {@code peers}. */
  static JsonObject discovery(Discovery d) {
    JsonArray peers = new JsonArray();
    for (NodeRecord n : d.peers()) {
      peers.add(new JsonObject().put("node_id", n.id()).put("address", n.address()).put("state", n.state().name()));
    }
    return new JsonObject()
        .put("node_id", d.nodeId())
        .put("highest_known_node_id", d.highestKnownNodeId())
        .put("address", d.address())
        .put("management_leader_node_id", d.leaderId() == 0 ? null : d.leaderId())
        .put("management_leader_address", d.leaderAddress())
        .put("should_join_as_voter", d.shouldJoinAsVoter())
        .put("current_voter_count", d.voterCount())
        .put("max_voters", d.maxVoters())
        .put("peers", peers)
        .put("execution_clusters", executionClusters(d.view()));
  }

  /** Each execution cluster's desired members and the Raft membership its leader last reported. */
  private static JsonArray executionClusters(ManagementView view) {
    JsonArray out = new JsonArray();
    for (ExecutionCluster c : view.clusters().values()) {
      out.add(new JsonObject()
          .put("execution_cluster_id", c.id())
          .put("members", array(c.desiredMembers()))
          .put("voters", array(c.reportedVoters()))
          .put("learners", array(c.reportedLearners())));
    }
    return out;
  }

  private static JsonArray array(Collection<Long> ids) {
    return new JsonArray(new ArrayList<>(ids));
  }

  private void register(RoutingContext rc) {
    ManagementEndpoint m = requireManagement();
    JsonObject body = bodyObject(rc);
    String address = optionalString(body, "address");
    if (!Discovery.isValidAddress(address)) {
      throw HttpRequestParams.invalid("missing or invalid field 'address' (where the registering node is reached, "
          + "host:port)");
    }
    String request = Discovery.registrationRequestId(address, optionalString(body, "request_id"));
    // optional: a node that rejoins with the id of its storage (absent for a new node)
    long requestedId = body.getValue("node_id") == null ? 0 : requiredLong(body, "node_id", 1, Long.MAX_VALUE);
    Bridge.onCurrentContext(() -> m.handleRegister(address, request, requestedId)).onComplete(ar -> {
      if (ar.succeeded()) {
        send(rc, OK, new JsonObject().put("success", true).put("node_id", ar.result()));
        return;
      }
      ClientError e = ClientError.of(ar.cause());
      // a member not (yet) able to register anyone (not started, own registration not applied): another seed may
      send(rc, e.code() == ErrorCode.INTERNAL ? ClientError.unavailable(ar.cause().getMessage()) : e);
    });
  }

  private void heartbeat(RoutingContext rc) {
    ManagementEndpoint m = requireManagement();
    JsonObject body = bodyObject(rc);
    long nodeId = requiredLong(body, "node_id", 1, Long.MAX_VALUE);
    if (!m.isManagementLeader()) {
      send(rc, HttpErrors.SERVICE_UNAVAILABLE, notLeader(m));
      return;
    }
    Bridge.onCurrentContext(() -> m.handleHeartbeat(nodeId)).onComplete(ar -> {
      if (ar.succeeded()) {
        send(rc, OK, new JsonObject().put("success", true).put("leader_node_id", m.nodeId()));
      } else {
        // lost the leadership meanwhile
        send(rc, HttpErrors.SERVICE_UNAVAILABLE, notLeader(m));
      }
    });
  }

  private static JsonObject notLeader(ManagementEndpoint m) {
    Discovery d = Discovery.of(m);
    return HttpErrors.toJson(new ClientError(ErrorCode.NOT_LEADER, d.notLeaderMessage()))
        .put("leader_node_id", d.leaderId() == 0 ? null : d.leaderId())
        .put("leader_address", d.leaderAddress());
  }

  private ManagementEndpoint requireManagement() {
    if (management == null) {
      throw ClientError.unavailable("this node serves no management endpoint").exception();
    }
    return management;
  }
}
