package io.raftoral.testkit;

import io.raftoral.admin.NodeAdmin;
import io.raftoral.group.RaftPreset;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementOptions;
import io.raftoral.management.NodeState;
import io.raftoral.node.NodeOptions;
import io.raftoral.node.RaftoralNode;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.TreeMap;

/**
 * Three whole nodes ({@link LocalRaftoralCluster}) with admin operations on or off, settled: every node knows three
 * alive nodes, cluster 0 has three voters and execution cluster 1 reported its three voters. What the REST and
 * gRPC admin tests serve their APIs over.
 */
public final class AdminTestCluster {

  /** Generous: a loaded 2-core machine may take long to elect and place. */
  public static final long WAIT_MILLIS = 60_000;
  public static final int SIZE = 3;

  public final LocalRaftoralCluster cluster;
  private final Vertx vertx;

  private AdminTestCluster(Vertx vertx, boolean adminEnabled) {
    this.vertx = vertx;
    NodeOptions template = new NodeOptions().setPreset(RaftPreset.TESTING).setAdminEnabled(adminEnabled)
        .setManagement(new ManagementOptions().setHeartbeatIntervalMillis(50).setReconcileIntervalMillis(20)
            .setFailureTimeoutMillis(1_500))
        .setWorkflow(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500));
    this.cluster = new LocalRaftoralCluster(vertx, PingPongCluster::registry, template);
  }

  /** Starts three nodes and waits until they are settled. */
  public static Future<AdminTestCluster> start(Vertx vertx, boolean adminEnabled) {
    AdminTestCluster c = new AdminTestCluster(vertx, adminEnabled);
    return c.cluster.bootstrap().compose(n -> c.cluster.join()).compose(n -> c.cluster.join())
        .compose(n -> c.cluster.await(c::settled, WAIT_MILLIS, "3 nodes settled"))
        .map(v -> c);
  }

  private boolean settled() {
    Map<String, RaftoralNode> nodes = cluster.nodes();
    if (nodes.size() != SIZE) {
      return false;
    }
    for (RaftoralNode n : nodes.values()) {
      if (n.view().nodesIn(NodeState.ALIVE).size() != SIZE) {
        return false;
      }
      ExecutionCluster one = n.view().clusters().get(1L);
      if (one == null || one.reportedVoters().size() != SIZE
          || n.management().managementVoters().size() != SIZE) {
        return false;
      }
    }
    return true;
  }

  /** The admin commands of every live node, by node id. */
  public Map<Long, NodeAdmin> admins() {
    Map<Long, NodeAdmin> all = new TreeMap<>();
    cluster.nodes().forEach((address, n) -> all.put(n.nodeId(), new NodeAdmin(vertx, n, cluster.store(address))));
    return all;
  }

  /** The address of node {@code id}. */
  public String address(long id) {
    return cluster.nodes().entrySet().stream().filter(e -> e.getValue().nodeId() == id).findFirst()
        .orElseThrow().getKey();
  }

  public Future<Void> close() {
    return cluster.close();
  }
}
