package io.raftoral.testkit;

import static io.raftoral.testkit.PingPongCluster.await;

import io.raftoral.management.ExecutionCluster;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.RaftoralNode;
import io.raftoral.node.impl.RoutingWorkflowClient;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * Three whole nodes ({@link LocalRaftoralCluster}, running {@link PingPongCluster#registry()}) that form one
 * execution cluster, and the router of a node that is a member of none ({@link #outsider}): every call it makes is
 * forwarded to a member, as a call to a node outside the workflow's execution cluster is.
 */
public final class RoutingNodes {

  /** The id of the outsider: no node of the cluster has it. */
  public static final long OUTSIDER_NODE_ID = 999;
  private static final long FORMED_MILLIS = 30_000;

  public final LocalRaftoralCluster cluster;
  /** The router of a node outside every execution cluster (it sees the cluster through node-a's view). */
  public final JsonWorkflowClient outsider;

  private RoutingNodes(LocalRaftoralCluster cluster, JsonWorkflowClient outsider) {
    this.cluster = cluster;
    this.outsider = outsider;
  }

  /** Starts the three nodes and waits until every node sees the 3-member execution cluster. */
  public static RoutingNodes start(Vertx vertx) throws Exception {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, PingPongCluster::registry);
    await(c.bootstrap().compose(n -> c.join()).compose(n -> c.join())
        .compose(n -> c.await(() -> c.nodes().values().stream().allMatch(x -> x.view().clusters().values().stream()
            .map(ExecutionCluster::reportedVoters).anyMatch(voters -> voters.size() == 3)), FORMED_MILLIS,
            "one execution cluster of every node")));
    RaftoralNode a = c.node("node-a");
    RoutingWorkflowClient outsider = new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), a::view,
        new InJvmPeerRequests(vertx), PingPongCluster.registry());
    return new RoutingNodes(c, outsider);
  }

  /** The router of node-a, a member of the execution cluster. */
  public JsonWorkflowClient member() {
    return cluster.node("node-a").jsonWorkflows();
  }

  /**
   * Kills the nodes. A node whose group verticle is being undeployed by the node itself while it is killed (a
   * reconciliation in flight) fails its kill with "Already undeployed": it is gone all the same, and the Vert.x
   * instance's close undeploys whatever is left.
   */
  public void close() throws Exception {
    await(cluster.close().recover(e -> e instanceof IllegalStateException
        ? Future.succeededFuture() : Future.failedFuture(e)));
  }
}
