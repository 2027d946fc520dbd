package io.raftoral.http.api;

import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementView;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.testkit.PingPongCluster;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Three whole nodes in one JVM (in-JVM Raft transport, see {@link LocalRaftoralCluster}), each serving its HTTP API
 * ({@link WorkflowHttpApi}, {@code GET /events}, and whatever {@code extraRoutes} adds) on a real loopback socket.
 * Workflows: the quickstart's {@code ping_pong} and {@code forever}, and {@code countdown} (one checkpointed step
 * per count, each a little slow, so that a run can be watched).
 */
final class HttpNodes {

  /** How long one countdown step takes. */
  static final Duration STEP = Duration.ofMillis(150);

  private final Vertx vertx;
  private final LocalRaftoralCluster cluster;
  private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();
  private final Consumer<Router> extraRoutes;

  HttpNodes(Vertx vertx, Consumer<Router> extraRoutes) {
    this.vertx = vertx;
    this.cluster = new LocalRaftoralCluster(vertx, HttpNodes::registry);
    this.extraRoutes = extraRoutes;
  }

  static WorkflowRegistry registry() {
    WorkflowRegistry r = PingPongCluster.registry();
    return r.register("countdown", 1, Integer.class, Integer.class, (n, ctx) -> countdown(ctx, n));
  }

  private static Uni<Integer> countdown(WorkflowContext ctx, int n) {
    if (n <= 0) {
      return Uni.createFrom().item(0);
    }
    return ctx.compute("tick-" + n, Integer.class, () -> Uni.createFrom().item(n - 1).onItem().delayIt().by(STEP))
        .flatMap(next -> countdown(ctx, next));
  }

  /** Starts three nodes and waits until they form one execution cluster with a leader. */
  HttpNodes start() throws Exception {
    await(cluster.bootstrap().compose(n -> cluster.join()).compose(n -> cluster.join()));
    await(cluster.await(this::settled, 60_000, "3 nodes in one execution cluster with a leader"));
    for (Map.Entry<String, RaftoralNode> e : cluster.nodes().entrySet()) {
      servers.put(e.getKey(), await(serve(e.getValue())));
    }
    return this;
  }

  private Future<HttpServer> serve(RaftoralNode node) {
    Router router = Router.router(vertx);
    new WorkflowHttpApi(node.jsonWorkflows(), node.management(), new HttpApiOptions()).mount(router);
    new HttpEventRoutes(node.events()).mount(router);
    if (extraRoutes != null) {
      extraRoutes.accept(router);
    }
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1");
  }

  private boolean settled() {
    Map<String, RaftoralNode> nodes = cluster.nodes();
    if (nodes.size() != 3) {
      return false;
    }
    ManagementView v = nodes.values().iterator().next().view();
    if (v.nodes().size() != 3 || v.clusters().isEmpty()) {
      return false;
    }
    ExecutionCluster c = v.clusters().values().iterator().next();
    return c.reportedVoters().size() == 3 && nodes.values().stream().allMatch(n -> n.localRuntimes().values()
        .stream().anyMatch(rt -> rt.group().leaderId() != 0));
  }

  /** Node addresses ("node-a", ...) with their HTTP ports. */
  Map<String, Integer> ports() {
    Map<String, Integer> out = new TreeMap<>();
    servers.forEach((a, s) -> out.put(a, s.actualPort()));
    return out;
  }

  int port(String address) {
    return servers.get(address).actualPort();
  }

  RaftoralNode node(String address) {
    return cluster.node(address);
  }

  LocalRaftoralCluster cluster() {
    return cluster;
  }

  /** Kills the node at {@code address} (a power cut) and closes its HTTP server. */
  void kill(String address) throws Exception {
    HttpServer s = servers.remove(address);
    await(cluster.kill(address));
    if (s != null) {
      await(s.close());
    }
  }

  void close() throws Exception {
    for (HttpServer s : servers.values()) {
      await(s.close());
    }
    await(cluster.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
