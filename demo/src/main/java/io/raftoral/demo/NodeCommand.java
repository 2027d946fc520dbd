package io.raftoral.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftoral.admin.NodeAdmin;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.grpc.api.AdminGrpcApi;
import io.raftoral.grpc.api.GrpcApiOptions;
import io.raftoral.grpc.api.WorkflowGrpcApi;
import io.raftoral.grpc.transport.GrpcTransport;
import io.raftoral.grpc.transport.GrpcTransportOptions;
import io.raftoral.http.api.ConsoleRoutes;
import io.raftoral.http.api.AdminHttpApi;
import io.raftoral.http.api.HttpApiOptions;
import io.raftoral.http.api.HttpEventRoutes;
import io.raftoral.http.api.HttpManagementClient;
import io.raftoral.http.api.WorkflowHttpApi;
import io.raftoral.http.metrics.MetricsEndpoint;
import io.raftoral.http.metrics.NodeMetrics;
import io.raftoral.http.peer.HttpPeerRequests;
import io.raftoral.http.transport.HttpTransport;
import io.raftoral.http.transport.HttpTransportOptions;
import io.raftoral.lmdb.LmdbDurability;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.lmdb.LmdbStoreOptions;
import io.raftoral.management.ManagementOptions;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.FaultInjectingTransport;
import io.raftoral.transport.PeerAddresses;
import io.raftoral.transport.Transport;
import io.raftoral.transport.TransportTlsOptions;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs a node with the quickstart's flags. One port ({@code --listen}) serves everything: the node-to-node Raft
 * transport ({@code --transport grpc}: gRPC {@code raftoral.v1.RaftTransport}; {@code http}: {@code POST
 * /raft/v1/batch}), the HTTP API ({@code /workflow/...}, {@code /discovery/...}, {@code /health}) and the
 * node-to-node routing endpoint, and the Prometheus metrics ({@code GET /metrics}); gRPC and HTTP/1.1 requests are
 * told apart per request.
 *
 * <p>{@code --bootstrap} on an empty storage with {@code --peers} first asks the peers whether the cluster exists
 * ({@link FounderCheck}) and refuses with exit code 2 if one answers as a member: a founder that lost its disk must
 * join as a new node, never found a second cluster under its old id. {@code --bootstrap} alone cannot be checked.
 */
@Command(name = "raftoral", mixinStandardHelpOptions = true, version = "raftoral-node 0.1.0",
    description = {"Runs a Raftoral node. Subcommands (give them first): client, bench."},
    footer = {"", "Log level: --log-level, else the RAFTORAL_LOG or RUST_LOG environment variable, else info.",
        "Examples:", "  java -jar raftoral-node.jar --listen 127.0.0.1:7001 --bootstrap --storage-path ./data1",
        "  java -jar raftoral-node.jar --listen 127.0.0.1:7002 --peers 127.0.0.1:7001 --storage-path ./data2"})
final class NodeCommand implements Callable<Integer> {

  enum TransportKind { grpc, http }

  /**
   * The exit code of a founder refused because its cluster exists (as picocli's for a usage error: the flags do not
   * fit the situation, retrying them cannot help).
   */
  static final int EXIT_FOUNDER_REFUSED = 2;

  @Spec
  CommandSpec spec;

  @Option(names = {"-l", "--listen"}, required = true, paramLabel = "HOST:PORT",
      description = "address to listen on, e.g. 127.0.0.1:7001")
  String listen;

  @Option(names = {"-a", "--advertise"}, paramLabel = "HOST:PORT",
      description = "address other nodes reach this one at (default: the listen address)")
  String advertise;

  @Option(names = {"-n", "--node-id"}, paramLabel = "ID",
      description = "node id (bootstrap: default 1; joining nodes get one allocated; checked against the storage)")
  Long nodeId;

  @Option(names = {"-p", "--peers"}, split = ",", paramLabel = "HOST:PORT",
      description = "comma-separated addresses of nodes to join through; with --bootstrap, the cluster's other "
          + "nodes: a founder on an empty storage that finds one of them a member refuses to found again (exit 2)")
  List<String> peers = new ArrayList<>();

  @Option(names = {"-b", "--bootstrap"}, description = "found a new cluster (the first node only; ignored on a "
      + "storage that holds a node; give --peers too so that a founder that lost its storage is refused)")
  boolean bootstrap;

  @Option(names = {"-s", "--storage-path"}, paramLabel = "DIR",
      description = "LMDB storage directory (default: in memory, lost on exit); a restart on it keeps the node id")
  Path storagePath;

  @Option(names = {"-t", "--transport"}, defaultValue = "grpc", paramLabel = "grpc|http",
      description = "node-to-node transport: grpc or http (default: ${DEFAULT-VALUE})")
  TransportKind transport;

  @Option(names = "--preset", defaultValue = "DEVELOPMENT", paramLabel = "NAME",
      description = "Raft timing: DEVELOPMENT (50 ms ticks), TESTING (10 ms), PRODUCTION (100 ms); "
          + "default ${DEFAULT-VALUE}")
  RaftPreset preset;

  @Option(names = "--owner-timeout-ms", defaultValue = "3000", paramLabel = "MS",
      description = "time without contact after which a workflow owner's workflows move (default ${DEFAULT-VALUE})")
  long ownerTimeoutMillis;

  @Option(names = "--failure-timeout-ms", defaultValue = "10000", paramLabel = "MS",
      description = "time without heartbeats after which the management leader declares a node failed and replaces "
          + "it in its clusters (default ${DEFAULT-VALUE})")
  long failureTimeoutMillis;

  @Option(names = "--durability", defaultValue = "POWER_LOSS", paramLabel = "POWER_LOSS|PROCESS_CRASH",
      description = "with --storage-path: what an acknowledged write survives; PROCESS_CRASH saves an fsync per "
          + "write but may corrupt the store on a power cut (default: ${DEFAULT-VALUE})")
  LmdbDurability durability;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "this node's certificate (enables TLS)")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "this node's private key")
  Path tlsKey;

  @Option(names = "--tls-ca", split = ",", paramLabel = "PEM", description = "trusted CA certificates (PEM)")
  List<Path> tlsCa = new ArrayList<>();

  @Option(names = "--tls-mutual", description = "nodes must present client certificates to each other")
  boolean tlsMutual;

  @Option(names = "--admin-enabled", description = "serve the operator commands (/admin, raftoral.Admin, "
      + "'admin ...'); with TLS, callers must present a client certificate the node trusts")
  boolean adminEnabled;

  @Option(names = "--log-level", paramLabel = "LEVEL", description = "trace, debug, info, warn or error")
  String logLevel;

  @Option(names = "--fault-injection", description = "for the fault harness: serve POST /admin/faults/partition, "
      + "which cuts this node's Raft transport to chosen peers (off by default; never on in production)")
  boolean faultInjection;

  @Option(names = "--leave-on-shutdown",
      description = "on SIGTERM, leave the cluster for good (default: stop, keeping the place for a restart)")
  boolean leaveOnShutdown;

  @Option(names = "--tracing", description = "export OpenTelemetry traces (REST and gRPC requests, forwarded "
      + "requests, workflow runs and their checkpoints), configured by the standard OTEL_* environment variables "
      + "(default: OTLP to localhost:4318); also on when OTEL_SDK_DISABLED=false is set. Off by default")
  boolean tracing;

  /** The tracing SDK, when on (flushed and closed at shutdown). */
  private OpenTelemetrySdk openTelemetry;

  @Override
  public Integer call() throws Exception {
    configureLogging();
    SocketAddress listenAddress = parseAddress("--listen", listen);
    String advertised = advertise != null ? advertise : listen;
    parseAddress("--advertise", advertised);
    for (String p : peers) {
      parseAddress("--peers", p);
    }
    boolean hasStoredNode = storagePath != null && Files.isDirectory(storagePath)
        && Files.exists(storagePath.resolve("data.mdb"));
    if (!bootstrap && peers.isEmpty() && !hasStoredNode) {
      throw new ParameterException(spec.commandLine(), "a new node needs --bootstrap (the first node) or --peers "
          + "(to join); only a restart on a --storage-path that holds a node's data needs neither");
    }
    TransportTlsOptions tls = new TransportTlsOptions();
    if (tlsCert != null || tlsKey != null || !tlsCa.isEmpty()) {
      if (tlsCert == null || tlsKey == null || tlsCa.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "TLS needs --tls-cert, --tls-key and --tls-ca together");
      }
      tls.setEnabled(true).setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString()).setMutual(tlsMutual);
      tlsCa.forEach(p -> tls.addTrustedCaPath(p.toString()));
      try {
        tls.validate();
      } catch (RuntimeException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    // Vert.x reports its own metrics (HTTP, event bus, pools) to the registry the node's meters go to: GET /metrics
    PrometheusMeterRegistry metrics = NodeMetrics.newRegistry();
    openTelemetry = NodeTracing.wanted(tracing) ? NodeTracing.fromEnvironment() : null;
    Vertx vertx = NodeTracing.vertx(openTelemetry, metrics);
    if (bootstrap && !hasStoredNode && !peers.isEmpty()) {
      String member = await(FounderCheck.existingMember(vertx, tls, peers));
      if (member != null) {
        System.err.println("error: --bootstrap on an empty storage, but " + member + " is a member of an existing "
            + "cluster: this node lost its storage (or never founded it). Founding again would reuse a Raft identity "
            + "with an empty log. Start it without --bootstrap, with --peers, to join as a new node.");
        vertx.close();
        return EXIT_FOUNDER_REFUSED;
      }
    }
    Router router = Router.router(vertx);
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
        .setMaxMessageSize(GrpcTransportOptions.DEFAULT_MAX_FRAME_BYTES));
    HttpServerOptions serverOptions = new HttpServerOptions().setTcpNoDelay(true);
    tls.applyTo(serverOptions);
    if (adminEnabled && tls.isEnabled() && !tls.isMutual()) {
      // admin calls must show a client certificate; the workflow API stays open to clients without one
      serverOptions.setClientAuth(ClientAuth.REQUEST);
    }
    HttpServer server = vertx.createHttpServer(serverOptions).requestHandler(req -> {
      String contentType = req.getHeader("content-type");
      if (req.version() == HttpVersion.HTTP_2 && contentType != null && contentType.startsWith("application/grpc")) {
        grpc.handle(req);
      } else {
        router.handle(req);
      }
    });
    try {
      await(server.listen(listenAddress.port(), listenAddress.host()));
    } catch (Exception e) {
      System.err.println("error: cannot listen on " + listen + ": " + rootMessage(e));
      vertx.close();
      return 1;
    }

    LogStore store;
    if (storagePath != null) {
      try {
        store = LmdbLogStore.open(vertx, storagePath, new LmdbStoreOptions().setDurability(durability));
      } catch (RuntimeException e) {
        System.err.println("error: cannot open storage " + storagePath + ": " + rootMessage(e));
        vertx.close();
        return 1;
      }
    } else {
      store = new InMemoryLogStore(vertx);
    }

    PeerAddresses addresses = new PeerAddresses();
    if (!peers.isEmpty()) {
      // only a new node waits for its peers: a founder or a restarted node must not wait for nodes that wait for it
      seedAddresses(vertx, tls, addresses, !bootstrap && !hasStoredNode);
    }
    // Heartbeats go to the management leader: found through the peers, or through this node itself (its
    // discovery answer names the leader) when it bootstraps or restarts without --peers.
    List<String> seeds = new ArrayList<>(peers);
    seeds.add(advertised);
    HttpManagementClient management = new HttpManagementClient(vertx,
        HttpManagementClient.seedOptions(seeds).setTls(tls));
    HttpPeerRequests peerRequests = new HttpPeerRequests(vertx, router, tls, 30_000);
    NodeOptions options = new NodeOptions().setAdvertiseAddress(advertised).setBootstrap(bootstrap)
        .setPreset(preset).setWorkflow(new WorkflowRuntimeOptions()
            .setOwnerTimeoutMillis(ownerTimeoutMillis))
        .setManagement(new ManagementOptions().setFailureTimeoutMillis(failureTimeoutMillis))
        .setAdminEnabled(adminEnabled)
        .setOpenTelemetry(openTelemetry);
    if (nodeId != null) {
      options.setNodeId(nodeId);
    }
    FaultInjectionRoutes faults = faultInjection ? new FaultInjectionRoutes().mount(router) : null;
    RaftoralNode node = new RaftoralNode(options, store, id -> withFaults(faults, vertx,
        transport(vertx, id, addresses, tls, router, grpc)),
        management, peerRequests, DemoWorkflows.registry()).maintainPeerAddresses(addresses).meterRegistry(metrics);
    try {
      await(vertx.deployVerticle(node));
    } catch (Exception e) {
      System.err.println("error: node failed to start: " + rootMessage(e));
      vertx.close();
      return 1;
    }
    new WorkflowHttpApi(node.jsonWorkflows(), node.management(), new HttpApiOptions()).mount(router);
    new MetricsEndpoint(metrics).mount(router);
    new HttpEventRoutes(node.events()).mount(router);
    new ConsoleRoutes().mount(router);
    // the gRPC API (raftoral.WorkflowManagement, raftoral.RaftService, grpc.health.v1, reflection) on the same port,
    // whatever the Raft transport: gRPC calls are told apart by their content type above
    new WorkflowGrpcApi(vertx, node.jsonWorkflows(), node.management(), new GrpcApiOptions())
        .events(node.events()).addTo(grpc);
    // operator commands: mounted always, refused (403 / PERMISSION_DENIED) unless --admin-enabled
    NodeAdmin admin = new NodeAdmin(vertx, node, store);
    new AdminHttpApi(admin, new HttpApiOptions()).mount(router);
    new AdminGrpcApi(admin).addTo(grpc);
    System.err.printf("Node %d is ready (%s transport, listening on %s, advertised as %s%s)%n", node.nodeId(),
        transport, listen, advertised, storagePath == null ? ", in-memory storage" : ", storage " + storagePath);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, node, store), "raftoral-shutdown"));
    return 0;
  }

  /** The transport itself, or wrapped so that the fault harness can partition this node. */
  private static Transport withFaults(FaultInjectionRoutes faults, Vertx vertx, Transport transport) {
    if (faults == null) {
      return transport;
    }
    FaultInjectingTransport wrapped = new FaultInjectingTransport(vertx, transport, transport.nodeId());
    faults.attach(wrapped);
    return wrapped;
  }

  private Transport transport(Vertx vertx, long id, PeerAddresses addresses, TransportTlsOptions tls, Router router,
      GrpcServer grpc) {
    if (transport == TransportKind.http) {
      return new HttpTransport(vertx, id, addresses, new HttpTransportOptions().setTls(tls)).mount(router);
    }
    return new GrpcTransport(vertx, id, addresses, new GrpcTransportOptions().setTls(tls)).bind(grpc);
  }

  /**
   * Fetches the node directory from the first peer that answers, so this node can answer the others at once. Peers
   * started at the same time may not listen yet: with {@code wait} (a new node joining), the peers are tried again
   * every half second for up to {@value #SEED_WAIT_MILLIS} ms. Without the directory a new node could not answer
   * cluster 0's leader (it learns addresses from cluster 0's state, which it only gets by answering), so it would
   * join but learn nothing. Once started, the node itself asks its peers again every second until it knows the
   * directory ({@link RaftoralNode#maintainPeerAddresses}).
   */
  private void seedAddresses(Vertx vertx, TransportTlsOptions tls, PeerAddresses addresses, boolean wait)
      throws InterruptedException {
    long deadline = wait ? System.currentTimeMillis() + SEED_WAIT_MILLIS : 0;
    while (!seedAddressesOnce(vertx, tls, addresses) && System.currentTimeMillis() < deadline) {
      Thread.sleep(500); // the CLI's main thread, before the node starts
    }
  }

  private static final long SEED_WAIT_MILLIS = 30_000;

  private boolean seedAddressesOnce(Vertx vertx, TransportTlsOptions tls, PeerAddresses addresses) {
    HttpClientOptions o = new HttpClientOptions().setConnectTimeout(2_000);
    tls.applyTo(o);
    HttpClient client = vertx.createHttpClient(o);
    try {
      for (String peer : peers) {
        SocketAddress a = PeerAddresses.parse(peer);
        try {
          JsonObject d = await(client.request(HttpMethod.GET, a.port(), a.host(), "/discovery/peers")
              .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> b.toJsonObject()));
          JsonArray list = d.getJsonArray("peers", new JsonArray());
          for (Object o2 : list) {
            JsonObject n = (JsonObject) o2;
            addresses.put(n.getLong("node_id"), n.getString("address"));
          }
          return true;
        } catch (Exception e) {
          LoggerFactory.getLogger(NodeCommand.class).warn("discovery through {} failed: {}", peer, rootMessage(e));
        }
      }
      return false;
    } finally {
      client.close();
    }
  }

  /** SIGTERM: stop the node (or leave for good), close the storage (its last writes are already synced), then Vert.x. */
  private void stop(Vertx vertx, RaftoralNode node, LogStore store) {
    CountDownLatch done = new CountDownLatch(1);
    Future<?> stopping = leaveOnShutdown ? Bridge.future(node.shutdown()) : vertx.undeploy(node.deploymentID());
    stopping.eventually(() -> store.close()).onComplete(ar -> vertx.close().onComplete(x -> {
      if (openTelemetry != null) {
        openTelemetry.close();
      }
      done.countDown();
    }));
    try {
      done.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SocketAddress parseAddress(String option, String value) {
    try {
      return PeerAddresses.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": '" + value + "' is not HOST:PORT ("
          + e.getMessage() + ")");
    }
  }

  private void configureLogging() {
    String level = logLevel != null ? logLevel
        : System.getenv("RAFTORAL_LOG") != null ? System.getenv("RAFTORAL_LOG") : System.getenv("RUST_LOG");
    if (level == null || level.isBlank()) {
      return;
    }
    Level parsed = Level.toLevel(level.trim(), null);
    if (parsed == null) {
      throw new ParameterException(spec.commandLine(), "unknown log level '" + level
          + "' (trace, debug, info, warn, error)");
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(parsed);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }
}
