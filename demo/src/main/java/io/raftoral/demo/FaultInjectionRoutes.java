package io.raftoral.demo;

import io.raftoral.transport.FaultInjectingTransport;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code POST /admin/faults/partition} {@code {"blocked_peers": [2, 3]}}: this node's Raft transport drops
 * everything it sends to those node ids from now on (an empty list heals); {@code GET /admin/faults} shows the
 * current firewall. Mounted only on a node started with {@code --fault-injection} (the fault harness's partitions:
 * each side of a partition blocks the other). Only the Raft transport is cut; management calls still pass.
 */
final class FaultInjectionRoutes {

  private static final long MAX_BODY_BYTES = 64 * 1024;

  private final AtomicReference<FaultInjectingTransport> transport = new AtomicReference<>();
  private volatile List<Long> blocked = List.of();

  /** The node's transport, once the node has built it. */
  void attach(FaultInjectingTransport faults) {
    transport.set(faults);
  }

  FaultInjectionRoutes mount(Router router) {
    router.get("/admin/faults").handler(this::show);
    router.post("/admin/faults/partition").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
        .handler(this::partition);
    return this;
  }

  private void show(RoutingContext rc) {
    rc.json(new JsonObject().put("blocked_peers", new JsonArray(new ArrayList<>(blocked))));
  }

  private void partition(RoutingContext rc) {
    FaultInjectingTransport faults = transport.get();
    if (faults == null) {
      error(rc, 503, "the node's transport is not up yet");
      return;
    }
    List<Long> peers = new ArrayList<>();
    try {
      JsonObject body = rc.body().asJsonObject();
      JsonArray list = body == null ? null : body.getJsonArray("blocked_peers");
      if (list == null) {
        error(rc, 400, "body must be {\"blocked_peers\": [node ids]}");
        return;
      }
      for (Object o : list) {
        if (!(o instanceof Number n)) {
          error(rc, 400, "blocked_peers must hold node ids (numbers), got " + o);
          return;
        }
        peers.add(n.longValue());
      }
    } catch (DecodeException | ClassCastException e) {
      error(rc, 400, "malformed JSON body: " + e.getMessage());
      return;
    }
    faults.unblockAll().block(peers.toArray(Long[]::new));
    blocked = List.copyOf(peers);
    show(rc);
  }

  private static void error(RoutingContext rc, int status, String message) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("success", false).put("error", message).encode());
  }
}
