package io.raftoral.grpc.api;

import static io.raftoral.testkit.PingPongCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftoral.admin.NodeAdmin;
import io.raftoral.grpc.api.proto.AdminGrpcClient;
import io.raftoral.grpc.api.proto.BackupNodeRequest;
import io.raftoral.grpc.api.proto.DrainNodeRequest;
import io.raftoral.grpc.api.proto.DrainProgress;
import io.raftoral.grpc.api.proto.GetTopologyRequest;
import io.raftoral.grpc.api.proto.GroupInfo;
import io.raftoral.grpc.api.proto.MemberInfo;
import io.raftoral.grpc.api.proto.NodeInfo;
import io.raftoral.grpc.api.proto.NodeRef;
import io.raftoral.grpc.api.proto.RemoveNodeRequest;
import io.raftoral.grpc.api.proto.RemoveNodeResponse;
import io.raftoral.grpc.api.proto.TakeSnapshotRequest;
import io.raftoral.grpc.api.proto.TakeSnapshotResponse;
import io.raftoral.grpc.api.proto.TopologyResponse;
import io.raftoral.grpc.api.proto.TransferLeadershipRequest;
import io.raftoral.group.RaftPreset;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.AdminTestCluster;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.testkit.PingPongCluster;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.StartOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code raftoral.Admin} of three whole nodes, each on its own gRPC server (loopback, ephemeral port; the nodes
 * talk Raft in-JVM): topology, leadership transfer, snapshot, removal of a killed node, drain, and the refusals.
 */
class AdminGrpcApiTest {

  private static final long CALL_TIMEOUT_MILLIS = 90_000;
  private static final long POLL_MILLIS = 100;

  private Vertx vertx;
  private AdminTestCluster cluster;
  private GrpcClient grpc;
  private final Map<Long, HostPort> nodes = new TreeMap<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    grpc = GrpcClient.client(vertx);
    cluster = await(AdminTestCluster.start(vertx, true));
    for (Map.Entry<Long, NodeAdmin> e : cluster.admins().entrySet()) {
      nodes.put(e.getKey(), serve(e.getValue()));
    }
  }

  @AfterEach
  void stop() throws Exception {
    await(grpc.close());
    await(cluster.close());
    await(vertx.close());
  }

  private HostPort serve(NodeAdmin admin) throws Exception {
    GrpcServer server = GrpcServer.server(vertx);
    new AdminGrpcApi(admin).addTo(server);
    HttpServer http = await(vertx.createHttpServer().requestHandler(server).listen(0, "127.0.0.1"));
    return new HostPort("127.0.0.1", http.actualPort());
  }

  @Test
  void topologyTransferAndSnapshot() throws Exception {
    TopologyResponse t = topology(1);
    assertThat(t.getNodesList()).hasSize(3).allMatch(n -> n.getState().equals("ALIVE"));
    assertThat(group(t, 0).getVotersList()).hasSize(3);
    GroupInfo one = group(t, 1);
    assertThat(one.getVotersList()).hasSize(3);

    long leader = group(pollTopology(1, x -> group(x, 1).getLeader() > 0, "a leader of cluster 1"), 1).getLeader();
    long target = leader == 3 ? 2 : 3;
    long bystander = 6 - leader - target;
    GrpcApiException refused = failure(bystander, AdminGrpcClient.TransferLeadership,
        TransferLeadershipRequest.newBuilder().setGroupId(1).setToNodeId(target).build());
    assertThat(refused.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    call(leader, AdminGrpcClient.TransferLeadership,
        TransferLeadershipRequest.newBuilder().setGroupId(1).setToNodeId(target).build());
    pollTopology(bystander, x -> group(x, 1).getLeader() == target, "node " + target + " leads cluster 1");

    RaftoralNode node = cluster.cluster.nodeById(2);
    for (int i = 0; i < 3; i++) {
      await(node.jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
          .flatMap(s -> node.jsonWorkflows().await(s.workflowId(), s.executionClusterId(), Duration.ofSeconds(30))));
    }
    long before = member(group(topology(2), 1), 2).getSnapshotIndex();
    TakeSnapshotResponse taken = call(2, AdminGrpcClient.TakeSnapshot,
        TakeSnapshotRequest.newBuilder().setGroupId(1).build());
    assertThat(taken.getSnapshotIndex()).isGreaterThan(before);
  }

  @Test
  void aKilledNodeIsRemoved() throws Exception {
    GrpcApiException healthy = failure(1, AdminGrpcClient.RemoveNode,
        RemoveNodeRequest.newBuilder().setNodeId(2).build());
    assertThat(healthy.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    await(cluster.cluster.kill(cluster.address(3)));
    pollTopology(1, t -> node(t, 3).getState().equals("FAILED"), "node 3 declared failed");
    RemoveNodeResponse removed = call(1, AdminGrpcClient.RemoveNode,
        RemoveNodeRequest.newBuilder().setNodeId(3).setWaitSeconds(60).build());
    assertThat(removed.getRemoved()).isTrue();
    assertThat(topology(1).getNodesList()).hasSize(2);
  }

  @Test
  void aDrainedNodeLeavesEveryMembership() throws Exception {
    DrainProgress p = call(2, AdminGrpcClient.DrainNode,
        DrainNodeRequest.newBuilder().setNodeId(2).setWaitSeconds(60).build());
    assertThat(p.getDone()).as(p.toString()).isTrue();
    TopologyResponse t = topology(1);
    assertThat(group(t, 1).getVotersList()).doesNotContain(2L);
    assertThat(group(t, 0).getVotersList()).doesNotContain(2L);
    assertThat(call(3, AdminGrpcClient.GetDrainStatus, NodeRef.newBuilder().setNodeId(2).build()).getState())
        .isEqualTo("DRAINING");
  }

  @Test
  void badInputUnknownNodesAndGroupsAndDisabledAdminAreRefused() throws Exception {
    assertThat(failure(1, AdminGrpcClient.TransferLeadership,
        TransferLeadershipRequest.newBuilder().setGroupId(1).build()).status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(failure(1, AdminGrpcClient.BackupNode, BackupNodeRequest.newBuilder().setPath("rel").build())
        .status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(failure(1, AdminGrpcClient.DrainNode, DrainNodeRequest.newBuilder().setNodeId(0).build()).status())
        .isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(failure(1, AdminGrpcClient.DrainNode, DrainNodeRequest.newBuilder().setNodeId(99).build()).status())
        .isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(failure(1, AdminGrpcClient.TakeSnapshot, TakeSnapshotRequest.newBuilder().setGroupId(42).build())
        .status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(topology(1).getNodesList()).hasSize(3);

    LocalRaftoralCluster off = new LocalRaftoralCluster(vertx, PingPongCluster::registry,
        new NodeOptions().setPreset(RaftPreset.TESTING).setClusterName("admin-off"));
    try {
      RaftoralNode n = await(off.bootstrap());
      HostPort at = serve(new NodeAdmin(vertx, n, off.store("node-a")));
      Throwable t = catchThrowable(() -> await(GrpcCalls.unary(grpc, at, AdminGrpcClient.GetTopology,
          GetTopologyRequest.getDefaultInstance(), CALL_TIMEOUT_MILLIS))).getCause();
      assertThat(t).isInstanceOf(GrpcApiException.class);
      assertThat(((GrpcApiException) t).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
      assertThat(((GrpcApiException) t).errorCode()).isEqualTo("PERMISSION_DENIED");
    } finally {
      await(off.close());
    }
  }

  // ----- helpers ------------------------------------------------------------------------------------------------

  private <Req, Resp> Resp call(long node, ServiceMethod<Resp, Req> method, Req request) throws Exception {
    return await(GrpcCalls.unary(grpc, nodes.get(node), method, request, CALL_TIMEOUT_MILLIS));
  }

  private <Req, Resp> GrpcApiException failure(long node, ServiceMethod<Resp, Req> method, Req request) {
    Throwable t = catchThrowable(() -> call(node, method, request));
    t = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    assertThat(t).isInstanceOf(GrpcApiException.class);
    return (GrpcApiException) t;
  }

  private TopologyResponse topology(long node) throws Exception {
    return call(node, AdminGrpcClient.GetTopology, GetTopologyRequest.getDefaultInstance());
  }

  private TopologyResponse pollTopology(long node, Predicate<TopologyResponse> condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + AdminTestCluster.WAIT_MILLIS;
    TopologyResponse last = null;
    while (System.currentTimeMillis() < deadline) {
      last = topology(node);
      if (condition.test(last)) {
        return last;
      }
      await(vertx.timer(POLL_MILLIS));
    }
    throw new AssertionError("timed out waiting for " + what + "; last topology " + last);
  }

  private static GroupInfo group(TopologyResponse t, long id) {
    return t.getGroupsList().stream().filter(g -> g.getGroupId() == id).findFirst()
        .orElseThrow(() -> new AssertionError("no group " + id));
  }

  private static NodeInfo node(TopologyResponse t, long id) {
    return t.getNodesList().stream().filter(n -> n.getId() == id).findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id));
  }

  private static MemberInfo member(GroupInfo g, long id) {
    return g.getMembersList().stream().filter(m -> m.getNodeId() == id).findFirst()
        .orElseThrow(() -> new AssertionError("no member " + id));
  }
}
