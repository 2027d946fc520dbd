package io.raftoral.testkit;

import static io.raftoral.testkit.PingPongCluster.await;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.client.RemoteApiException;
import io.raftoral.client.SeedManagementClient;
import io.raftoral.management.ManagementClient;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The set-up of a network API test: a {@link PingPongCluster} whose client the API serves, a
 * {@link FakeManagementEndpoint} (node 1 leads cluster 0; nodes 1 and 2 are in the directory) for its discovery
 * endpoints, and the API on a real server (loopback, ephemeral port) started once for the test class. Subclasses
 * say how their API is served ({@link #serveApi()}) and give their protocol's clients; their own {@code @BeforeAll}
 * runs after this set-up, their {@code @AfterAll} before the tear-down. The network clients' contract
 * ({@link NetworkClientContract}) runs here, once per protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PingPongApiTest {

  /**
   * The network clients of the protocol under test.
   *
   * @param workflowClient the workflow client of the nodes at the options' addresses
   * @param managementClient the management client of the options' seeds
   * @param clientException the exception the clients fail with when no more specific one applies
   * @param invalidInputMessage what the API answers to a workflow input that is not JSON text
   */
  public record Clients(BiFunction<Vertx, NetworkClientOptions, ? extends JsonWorkflowClient> workflowClient,
      BiFunction<Vertx, NetworkClientOptions, ? extends ManagementClient> managementClient,
      Class<? extends RemoteApiException> clientException, String invalidInputMessage) {}

  private final Clients clients;

  protected Vertx vertx;
  protected PingPongCluster cluster;
  protected HttpServer server;
  protected final FakeManagementEndpoint management = new FakeManagementEndpoint(1, 1)
      .node(1, "127.0.0.1:7001").node(2, "127.0.0.1:7002");

  protected PingPongApiTest(Clients clients) {
    this.clients = clients;
  }

  /** Serves the API under test over {@link #cluster}'s client and {@link #management} on a loopback port. */
  protected abstract Future<HttpServer> serveApi();

  /** Where the API under test is reached. */
  protected String apiAddress() {
    return "127.0.0.1:" + server.actualPort();
  }

  @BeforeAll
  protected final void startPingPongNode() throws Exception {
    vertx = Vertx.vertx();
    cluster = PingPongCluster.start(vertx);
    server = await(serveApi());
  }

  @AfterAll
  protected final void stopPingPongNode() throws Exception {
    if (server != null) {
      await(server.close());
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void theManagementClientTriesTheSeedsInTurn() throws Exception {
    NetworkClientContract.managementClientTriesTheSeedsInTurn(
        seeds -> clients.managementClient().apply(vertx, SeedManagementClient.seedOptions(seeds)), apiAddress(),
        management, clients.clientException());
  }

  @Test
  void theManagementClientFetchesTheDirectoryFromTheSeeds() throws Exception {
    NetworkClientContract.managementClientFetchesTheDirectoryFromTheSeeds(
        seeds -> clients.managementClient().apply(vertx, SeedManagementClient.seedOptions(seeds)), apiAddress(),
        management, clients.clientException());
  }

  @Test
  void theManagementClientRejoinsThroughTheDirectoryItLearned() throws Exception {
    NetworkClientContract.managementClientRejoinsThroughTheDirectoryItLearned(
        seeds -> clients.managementClient().apply(vertx, SeedManagementClient.seedOptions(seeds)), apiAddress(),
        management);
  }

  @Test
  void theWorkflowClientRoundTripsEveryOperation() throws Exception {
    NetworkClientContract.workflowClientRoundTripsEveryOperation(
        this::workflowClient, apiAddress(), "client-contract-forever",
        clients.invalidInputMessage());
  }

  @Test
  void theWorkflowClientSignalsAndQueriesTheApprovalDemo() throws Exception {
    SignalQueryClientContract.signalsAndQueriesTheApprovalDemo(workflowClient(List.of(apiAddress())));
  }

  @Test
  void theWorkflowClientPagesThroughAHistory() throws Exception {
    JsonWorkflowClient client = workflowClient(List.of(apiAddress()));
    try {
      HistoryClientContract.pagesThroughAHistoryAndRefusesBadRequests(client);
    } finally {
      if (client instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  @Test
  void aNodeNobodyListensOnIsAnUnreachableError() throws Exception {
    NetworkClientContract.aNodeNobodyListensOnIsAnUnreachableError(
        this::workflowClient, clients.clientException());
  }

  private JsonWorkflowClient workflowClient(List<String> addresses) {
    return clients.workflowClient().apply(vertx, new NetworkClientOptions().setAddresses(addresses));
  }
}
