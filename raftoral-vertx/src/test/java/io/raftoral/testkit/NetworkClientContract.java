package io.raftoral.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.client.RemoteApiException;
import io.raftoral.management.Discovery;
import io.raftoral.management.ManagementClient;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * What every protocol's network clients (HTTP, gRPC) must do against a node serving a {@link PingPongCluster} and a
 * {@link FakeManagementEndpoint}: each workflow operation round-trips, each error answer comes back as the
 * exception an in-process call fails with, the first node that cannot be connected to is passed over, and the
 * management client tries the seeds in turn. Each protocol's API test runs these with its own clients.
 */
public final class NetworkClientContract {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SHORT_WAIT = Duration.ofMillis(200);
  /** An address nobody listens on: connections to it are refused. */
  private static final String NOBODY = "127.0.0.1:1";

  private NetworkClientContract() {
  }

  /** The item of {@code uni}, waited for at most {@value #CALL_TIMEOUT}-ish (30 s). */
  public static <T> T get(Uni<T> uni) {
    return uni.await().atMost(CALL_TIMEOUT);
  }

  /**
   * Start, wait, status, list, a failing workflow, a wait that times out, terminate, and the error answers
   * (unregistered type, id conflict, unknown id, input that is not JSON).
   *
   * @param clients the protocol's client of the nodes at the given addresses
   * @param node the address of a node of a {@link PingPongCluster} (execution cluster 1); the client is given a
   *     node that refuses connections first, and must move on to this one
   * @param foreverId an id not used yet, for a workflow that never ends
   * @param invalidInputMessage what the protocol's answer to input that is not JSON says
   */
  public static void workflowClientRoundTripsEveryOperation(
      Function<List<String>, ? extends JsonWorkflowClient> clients, String node, String foreverId,
      String invalidInputMessage) throws Exception {
    JsonWorkflowClient client = clients.apply(List.of(NOBODY, node));
    try {
      roundTrips(client, foreverId, invalidInputMessage);
    } finally {
      close(client);
    }
  }

  private static void close(Object client) throws Exception {
    if (client instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  private static void roundTrips(JsonWorkflowClient client, String foreverId, String invalidInputMessage) {
    WorkflowStatus started = get(client.start("ping_pong", 1, "\"ping\"", new StartOptions()));
    assertThat(started.workflowType()).isEqualTo("ping_pong");
    assertThat(started.executionClusterId()).isEqualTo(1);
    WorkflowStatus done = get(client.await(started.workflowId(), started.executionClusterId(), CALL_TIMEOUT));
    assertThat(done.state()).isEqualTo(WorkflowState.COMPLETED);
    assertThat(done.resultJson()).isEqualTo("\"pong\"");
    assertThat(done.inputJson()).isEqualTo("\"ping\"");
    assertThat(done.endedAt()).isNotNull();
    assertThat(get(client.status(started.workflowId(), null)).state()).isEqualTo(WorkflowState.COMPLETED);
    List<WorkflowStatus> listed = get(client.list(WorkflowFilter.all().states(WorkflowState.COMPLETED)
        .workflowType("ping_pong")));
    assertThat(listed).extracting(WorkflowStatus::workflowId).contains(started.workflowId());
    assertThat(listed).extracting(WorkflowStatus::state).containsOnly(WorkflowState.COMPLETED);

    WorkflowStatus failed = get(client.start("ping_pong", 1, "\"pang\"", null)
        .flatMap(s -> client.await(s.workflowId(), null, CALL_TIMEOUT)));
    assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
    assertThat(failed.errorMessage()).contains(PingPongCluster.NOT_PING);

    WorkflowStatus forever = get(client.start("forever", 1, "\"x\"", new StartOptions().setWorkflowId(foreverId)));
    assertThatThrownBy(() -> get(client.await(foreverId, 1L, SHORT_WAIT)))
        .isInstanceOf(WorkflowWaitTimeoutException.class);
    assertThat(get(client.terminate(forever.workflowId(), 1L, "enough")).state())
        .isEqualTo(WorkflowState.TERMINATED);

    assertThatThrownBy(() -> get(client.start("nope", 3, "null", null)))
        .isInstanceOf(WorkflowNotRegisteredException.class).hasMessageContaining("'nope' version 3");
    assertThatThrownBy(() -> get(client.start("ping_pong", 1, "\"ping\"", new StartOptions().setWorkflowId(foreverId))))
        .isInstanceOf(WorkflowIdConflictException.class).hasMessageContaining(foreverId);
    assertThatThrownBy(() -> get(client.status("missing-1", null)))
        .isInstanceOf(WorkflowNotFoundException.class).hasMessageContaining("missing-1");
    assertThatThrownBy(() -> get(client.start("ping_pong", 1, "not json", null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(invalidInputMessage);
  }

  /** A client whose only node listens nowhere fails with a retryable "no node answered" of its protocol. */
  public static void aNodeNobodyListensOnIsAnUnreachableError(
      Function<List<String>, ? extends JsonWorkflowClient> clients,
      Class<? extends RemoteApiException> protocolException) throws Exception {
    JsonWorkflowClient client = clients.apply(List.of(NOBODY));
    try {
      assertThatThrownBy(() -> get(client.status("x", null))).isInstanceOf(protocolException)
          .hasMessageContaining("no node answered")
          .satisfies(e -> assertThat(((RemoteApiException) e).isRetryable()).isTrue());
    } finally {
      close(client);
    }
  }

  /**
   * The management client registers and sends heartbeats through the first seed that answers, and fails with its
   * protocol's exception naming each seed when none does.
   *
   * @param node the address of a node serving {@code management}, which allocates node id 42
   */
  public static void managementClientTriesTheSeedsInTurn(Function<List<String>, ? extends ManagementClient> clients,
      String node, FakeManagementEndpoint management, Class<? extends RemoteApiException> protocolException)
      throws Exception {
    ManagementClient client = clients.apply(List.of(NOBODY, node));
    try {
      assertThat(PingPongCluster.await(client.register("127.0.0.1:7011", "r-11"))).isEqualTo(42);
      PingPongCluster.await(client.heartbeat(4));
      assertThat(management.heartbeats).contains(4L);
    } finally {
      close(client);
    }
    ManagementClient nobody = clients.apply(List.of(NOBODY));
    try {
      assertThatThrownBy(() -> PingPongCluster.await(nobody.register("127.0.0.1:7012", "r-12")))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(protocolException)
          .hasMessageContaining("registration failed at every seed").hasMessageContaining(NOBODY);
    } finally {
      close(nobody);
    }
  }

  /**
   * A management client whose only seed is down finds the node through the directory it learned
   * ({@link ManagementClient#learnAddresses}) and rejoins there with the id of its storage (the endpoint is asked for
   * that id, under the node's rejoin request id).
   *
   * @param node the address of a node serving {@code management}, the management leader
   */
  public static void managementClientRejoinsThroughTheDirectoryItLearned(
      Function<List<String>, ? extends ManagementClient> clients, String node, FakeManagementEndpoint management)
      throws Exception {
    ManagementClient client = clients.apply(List.of(NOBODY));
    try {
      client.learnAddresses(List.of(node));
      PingPongCluster.await(client.heartbeat(6));
      assertThat(management.heartbeats).contains(6L);
      assertThat(PingPongCluster.await(client.rejoin("127.0.0.1:7016", 6))).isEqualTo(6);
      assertThat(management.registrations).contains("127.0.0.1:7016/" + Discovery.rejoinRequestId(
          "127.0.0.1:7016", 6) + "#6");
    } finally {
      close(client);
    }
  }

  /**
   * A management client fetches the directory from the first seed that serves one (the dead seed first), and fails
   * naming the seeds when none answers.
   *
   * @param node the address of a node serving {@code management}
   */
  public static void managementClientFetchesTheDirectoryFromTheSeeds(
      Function<List<String>, ? extends ManagementClient> clients, String node, FakeManagementEndpoint management,
      Class<? extends RemoteApiException> protocolException) throws Exception {
    ManagementClient client = clients.apply(List.of(NOBODY, node));
    try {
      Map<Long, String> expected = new TreeMap<>();
      management.directory.forEach((id, n) -> expected.put(id, n.address()));
      assertThat(expected).isNotEmpty();
      assertThat(PingPongCluster.await(client.directory())).isEqualTo(expected);
    } finally {
      close(client);
    }
    ManagementClient nobody = clients.apply(List.of(NOBODY));
    try {
      assertThatThrownBy(() -> PingPongCluster.await(nobody.directory()))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(protocolException)
          .hasMessageContaining("no seed served the directory").hasMessageContaining(NOBODY);
    } finally {
      close(nobody);
    }
  }
}
