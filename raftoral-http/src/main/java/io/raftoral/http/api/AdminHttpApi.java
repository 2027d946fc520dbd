package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.call;
import static io.raftoral.http.api.HttpAnswers.send;
import static io.raftoral.http.api.HttpRequestParams.bodyObject;
import static io.raftoral.http.api.HttpRequestParams.invalid;
import static io.raftoral.http.api.HttpRequestParams.optionalString;
import static io.raftoral.http.api.HttpRequestParams.requiredLong;

import io.raftoral.admin.AdminResults.DrainProgress;
import io.raftoral.admin.NodeAdmin;
import io.raftoral.admin.Topology;
import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The operator commands of a node ({@link NodeAdmin}) over REST, under {@code /admin}:
 *
 * <pre>
 * GET  /admin/topology                                  nodes, cluster 0 and every execution cluster
 * POST /admin/groups/{group}/transfer-leadership        {"to": 2}          (ask the group's leader)
 * POST /admin/groups/{group}/snapshot                                      (this node's member)
 * POST /admin/nodes/{node}/remove                       {"force": false, "wait_seconds": 30}
 * POST /admin/nodes/{node}/drain                        {"wait_seconds": 30}
 * GET  /admin/nodes/{node}/drain                        where the drain stands
 * POST /admin/nodes/{node}/undrain
 * POST /admin/backup                                    {"path": "/var/backups/raftoral/node-1"}
 * </pre>
 *
 * <p>Every answer is JSON; errors have the API's error shape: 403 PERMISSION_DENIED when admin operations are off
 * on the node or, on a TLS connection, the caller presented no client certificate the node trusts; 404 for an
 * unknown node, group or path; 400 for bad input; 409 FAILED_PRECONDITION for a command the cluster's state forbids
 * (a healthy node without {@code force}, a transfer asked of a node that does not lead the group).
 *
 * <p>Threading: handlers run on the server's event loop and never block; a backup runs on a worker.
 */
public final class AdminHttpApi {

  private static final String GROUP = "group";
  private static final String NODE = "node";
  private static final long SECONDS_LIMIT = NodeAdmin.MAX_WAIT.toSeconds();

  private final NodeAdmin admin;
  private final HttpApiOptions options;

  public AdminHttpApi(NodeAdmin admin, HttpApiOptions options) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.options = new HttpApiOptions(Objects.requireNonNull(options, "options"));
  }

  /** Adds the {@code /admin} routes to {@code router}. */
  public Router mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.getBodyLimitBytes());
    router.route("/admin/*").handler(this::guard);
    HttpAnswers.route(router.get("/admin/topology"), null,
        rc -> call(rc, admin::topology, Topology::toJson), this::onFailure);
    HttpAnswers.route(router.post("/admin/groups/:group/transfer-leadership"), body, rc -> {
      long group = pathLong(rc, GROUP, 0);
      long to = requiredLong(body(rc), "to", 1, Long.MAX_VALUE);
      call(rc, () -> admin.transferLeadership(group, to), r -> r.toJson());
    }, this::onFailure);
    HttpAnswers.route(router.post("/admin/groups/:group/snapshot"), body, rc -> {
      long group = pathLong(rc, GROUP, 0);
      call(rc, () -> admin.snapshot(group), r -> r.toJson());
    }, this::onFailure);
    HttpAnswers.route(router.post("/admin/nodes/:node/remove"), body, rc -> {
      long node = pathLong(rc, NODE, 1);
      JsonObject b = body(rc);
      boolean force = flag(b, "force");
      Duration wait = waitSeconds(b);
      call(rc, () -> admin.removeNode(node, force, wait), r -> r.toJson());
    }, this::onFailure);
    HttpAnswers.route(router.post("/admin/nodes/:node/drain"), body, rc -> {
      long node = pathLong(rc, NODE, 1);
      Duration wait = waitSeconds(body(rc));
      call(rc, () -> admin.drain(node, wait), DrainProgress::toJson);
    }, this::onFailure);
    HttpAnswers.route(router.get("/admin/nodes/:node/drain"), null, rc -> {
      long node = pathLong(rc, NODE, 1);
      call(rc, () -> admin.drainStatus(node), DrainProgress::toJson);
    }, this::onFailure);
    HttpAnswers.route(router.post("/admin/nodes/:node/undrain"), body, rc -> {
      long node = pathLong(rc, NODE, 1);
      call(rc, () -> admin.undrain(node), DrainProgress::toJson);
    }, this::onFailure);
    HttpAnswers.route(router.post("/admin/backup"), body, rc -> {
      String path = optionalString(body(rc), "path");
      if (path == null || path.isBlank()) {
        throw invalid("missing field 'path' (an absolute directory on the node)");
      }
      Path target = parsePath(path);
      call(rc, () -> admin.backup(target), r -> r.toJson());
    }, this::onFailure);
    router.route("/admin/*").handler(rc -> send(rc, new ClientError(ErrorCode.NOT_FOUND,
        "no endpoint " + rc.request().method() + " " + rc.request().path()))).failureHandler(this::onFailure);
    return router;
  }

  /**
   * Refuses every admin request while admin operations are off, and on a TLS connection one without a client
   * certificate (the TLS layer has checked it against the trusted CAs when there is one).
   */
  private void guard(RoutingContext rc) {
    if (!admin.isEnabled()) {
      send(rc, new ClientError(ErrorCode.PERMISSION_DENIED, "admin operations are disabled on node "
          + admin.nodeId() + " (start it with --admin-enabled)"));
      return;
    }
    HttpServerRequest request = rc.request();
    if (request.isSSL() && !hasClientCertificate(request)) {
      send(rc, new ClientError(ErrorCode.PERMISSION_DENIED,
          "admin operations over TLS need a client certificate signed by a CA the node trusts"));
      return;
    }
    rc.next();
  }

  private static boolean hasClientCertificate(HttpServerRequest request) {
    try {
      return !request.connection().peerCertificates().isEmpty();
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /** The body as a JSON object; an empty body is an empty object (every admin field is optional or checked). */
  private static JsonObject body(RoutingContext rc) {
    if (rc.body() == null || rc.body().length() == 0) {
      return new JsonObject();
    }
    return bodyObject(rc);
  }

  private static long pathLong(RoutingContext rc, String name, long min) {
    String text = rc.pathParam(name);
    try {
      long value = Long.parseLong(text);
      if (value < min) {
        throw invalid("'" + name + "' must be >= " + min + ", was " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid("'" + name + "' must be a whole number, was '" + text + "'");
    }
  }

  private static boolean flag(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw invalid("field '" + field + "' must be true or false");
    }
    return b;
  }

  private static Duration waitSeconds(JsonObject body) {
    if (body.getValue("wait_seconds") == null) {
      return NodeAdmin.DEFAULT_WAIT;
    }
    return Duration.ofSeconds(requiredLong(body, "wait_seconds", 0, SECONDS_LIMIT));
  }

  private static Path parsePath(String text) {
    try {
      return Path.of(text);
    } catch (RuntimeException e) {
      throw invalid("'path' is not a path: " + text);
    }
  }

  private void onFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    if (rc.statusCode() == HttpErrors.PAYLOAD_TOO_LARGE) {
      send(rc, new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
          "request body larger than " + options.getBodyLimitBytes() + " bytes"));
    } else if (failure != null) {
      send(rc, ClientError.of(failure));
    } else {
      send(rc, ClientError.invalid("bad request (HTTP " + rc.statusCode() + ")"));
    }
  }
}
