package io.raftoral.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftoral.group.RaftPreset;
import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.http.api.HttpManagementClient;
import io.raftoral.http.api.WorkflowHttpApi;
import io.raftoral.http.metrics.PrometheusText.Family;
import io.raftoral.http.metrics.PrometheusText.Sample;
import io.raftoral.http.peer.HttpPeerRequests;
import io.raftoral.http.transport.HttpTransport;
import io.raftoral.http.transport.HttpTransportOptions;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.PingPongCluster;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three whole nodes as the node command assembles them (each its own Vert.x with Micrometer metrics, LMDB storage,
 * the HTTP transport, the HTTP API and {@code GET /metrics} on one port): ping_pong runs through every node, then
 * each node's {@code /metrics} is fetched over a real socket, parsed as the Prometheus text format, and its figures
 * must have moved: workflows started and completed, commit latencies, LMDB fsyncs, transport bytes per peer, and
 * Vert.x's own HTTP server metrics. No workflow id appears as a label value.
 */
class MetricsScrapeTest {

  private static final int NODES = 3;
  private static final int WORKFLOWS_PER_NODE = 3;
  private static final long WAIT_MILLIS = 60_000;
  private static final long POLL_MILLIS = 100;

  @TempDir
  Path dir;

  private final List<MetricsNode> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      // HTTP/1.1: the JDK client otherwise tries an h2c upgrade on every new connection to a node
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  /** One node: its Vert.x, registry, store, HTTP server and the node itself. */
  private record MetricsNode(Vertx vertx, PrometheusMeterRegistry registry, LmdbLogStore store, HttpServer server,
      RaftoralNode node) {
    String address() {
      return "127.0.0.1:" + server.actualPort();
    }
  }

  private MetricsNode startNode(int index, MetricsNode seed) throws Exception {
    PrometheusMeterRegistry registry = NodeMetrics.newRegistry();
    Vertx vertx = NodeMetrics.vertx(new VertxOptions(), registry);
    Router router = Router.router(vertx);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    String address = "127.0.0.1:" + server.actualPort();
    LmdbLogStore store = LmdbLogStore.open(vertx, dir.resolve("node" + index));
    PeerAddresses addresses = new PeerAddresses();
    List<String> seeds = new ArrayList<>();
    if (seed != null) {
      addresses.put(seed.node().nodeId(), seed.address());
      seeds.add(seed.address());
    }
    seeds.add(address);
    TransportTlsOptions tls = new TransportTlsOptions();
    HttpManagementClient management = new HttpManagementClient(vertx,
        HttpManagementClient.seedOptions(seeds).setTls(tls));
    HttpPeerRequests peers = new HttpPeerRequests(vertx, router, tls, HttpPeerRequests.DEFAULT_TIMEOUT_MILLIS);
    NodeOptions options = new NodeOptions().setAdvertiseAddress(address).setBootstrap(seed == null)
        .setPreset(RaftPreset.DEVELOPMENT);
    RaftoralNode node = new RaftoralNode(options, store,
        id -> new HttpTransport(vertx, id, addresses, new HttpTransportOptions().setTls(tls)).mount(router),
        management, peers, PingPongCluster.registry()).maintainPeerAddresses(addresses).meterRegistry(registry);
    await(vertx.deployVerticle(node));
    new WorkflowHttpApi(node.jsonWorkflows(), node.management(), new HttpApiOptions()).mount(router);
    new MetricsEndpoint(registry).mount(router);
    MetricsNode n = new MetricsNode(vertx, registry, store, server, node);
    nodes.add(n);
    return n;
  }

  @AfterEach
  void stop() throws Exception {
    for (MetricsNode n : nodes) {
      // A group undeploying itself while the node goes (a reconciliation in flight) fails the node's undeploy with
      // "Already undeployed": it is gone all the same (see RoutingNodes); closing Vert.x finishes the job.
      await(n.vertx().undeploy(n.node().deploymentID()).recover(e -> Future.succeededFuture())
          .eventually(() -> n.store().close()));
      await(n.vertx().close());
    }
  }

  @Test
  void everyNodeServesParseableMetricsWhoseFiguresMove() throws Exception {
    MetricsNode first = startNode(1, null);
    for (int i = 2; i <= NODES; i++) {
      startNode(i, first);
    }
    poll(() -> nodes.stream().allMatch(n -> !n.node().localRuntimes().isEmpty()),
        "every node a member of an execution cluster");

    Set<String> workflowIds = new HashSet<>();
    for (MetricsNode n : nodes) {
      for (int i = 0; i < WORKFLOWS_PER_NODE; i++) {
        workflowIds.add(pingPong(n));
      }
    }

    int total = NODES * WORKFLOWS_PER_NODE;
    // each workflow is counted by its owner once it applied the end: poll until the sum over the nodes shows all
    poll(() -> sumOverNodes("raftoral_workflows_completed_total", s -> true) >= total,
        "every workflow counted completed");
    assertThat(sumOverNodes("raftoral_workflows_started_total", s -> true)).isGreaterThanOrEqualTo(total);

    // commit latency is timed where a command is proposed: a node that owns no workflow (starts are routed) may
    // have proposed nothing, so the figure moves on the nodes together, not necessarily on each
    double commitLatencyCount = 0;
    for (MetricsNode n : nodes) {
      Map<String, Family> metrics = scrape(n);
      String who = "node " + n.node().nodeId();
      commitLatencyCount += count(metrics, "raftoral_group_commit_latency_seconds");
      assertThat(count(metrics, "raftoral_lmdb_fsync_seconds")).as(who).isPositive();
      assertThat(count(metrics, "raftoral_lmdb_batch_size_writes")).as(who).isPositive();
      assertThat(sum(metrics, "raftoral_transport_sent_bytes_total", s -> true)).as(who).isPositive();
      assertThat(sum(metrics, "raftoral_transport_received_bytes_total", s -> true)).as(who).isPositive();
      assertThat(sum(metrics, "raftoral_host_outbound_batches_total", s -> true)).as(who).isPositive();
      assertThat(sum(metrics, "raftoral_group_term", s -> "0".equals(s.labels().get("cluster")))).as(who)
          .isPositive();
      // Vert.x's own meters, bound to the same registry: this very scrape went through its HTTP server
      assertThat(metrics.keySet()).as(who).anyMatch(name -> name.startsWith("vertx_http_server_"));
      for (Family f : metrics.values()) {
        for (Sample s : f.samples()) {
          for (String value : s.labels().values()) {
            assertThat(workflowIds).as("label values of %s on %s", s.name(), who).doesNotContain(value);
          }
        }
      }
    }
    assertThat(commitLatencyCount).as("commit latencies timed over the nodes").isPositive();
  }

  /** Runs ping_pong through {@code n} with the HTTP API (real sockets); returns its workflow id. */
  private String pingPong(MetricsNode n) throws Exception {
    HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create("http://" + n.address()
            + "/workflow/execute")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ping_pong\",\"version\":1,\"input\":\"\\\"ping\\\"\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    JsonObject s = new JsonObject(started.body());
    String id = s.getString("workflow_id");
    HttpResponse<String> waited = get(n, "/workflow/wait?workflow_id=" + id + "&execution_cluster_id="
        + s.getString("execution_cluster_id") + "&timeout_seconds=30");
    assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
    assertThat(new JsonObject(waited.body()).getString("result")).isEqualTo("\"pong\"");
    return id;
  }

  private HttpResponse<String> get(MetricsNode n, String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + n.address() + pathAndQuery)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET /metrics} of {@code n}, checked to be the Prometheus text format and parsed. */
  private Map<String, Family> scrape(MetricsNode n) throws Exception {
    HttpResponse<String> r = get(n, MetricsEndpoint.PATH);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
    return PrometheusText.parse(r.body());
  }

  private double sumOverNodes(String family, Predicate<Sample> which) {
    double total = 0;
    for (MetricsNode n : nodes) {
      try {
        total += sum(scrape(n), family, which);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return total;
  }

  private static double sum(Map<String, Family> metrics, String family, Predicate<Sample> which) {
    Family f = metrics.get(family);
    return f == null ? 0 : f.samples().stream().filter(which).mapToDouble(Sample::value).sum();
  }

  /** The summed {@code _count} of a histogram or summary family. */
  private static double count(Map<String, Family> metrics, String family) {
    Family f = metrics.get(family);
    return f == null ? 0 : f.samples().stream().filter(s -> s.name().equals(family + "_count"))
        .mapToDouble(Sample::value).sum();
  }

  private static void poll(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
