package io.raftoral.node.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementView;
import io.raftoral.node.InJvmPeerRequests;
import io.raftoral.node.PeerRequests;
import io.raftoral.node.RaftoralNode;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A start routed by a node is one start whatever the network does: retried after an outcome-unknown failure it
 * is the same workflow, and a caller id started through nodes that see different sets of execution clusters
 * lands in one of them only.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RoutedStartTest {

  private static final long WAIT = 30_000;
  /** The id of a router that is a member of no execution cluster: every call it makes is forwarded. */
  private static final long OUTSIDER_NODE_ID = 999;
  /** Caller ids started through both routers: enough that some map to each cluster under any rule. */
  private static final int CALLER_IDS = 12;

  private static WorkflowRegistry registry() {
    return WorkflowRegistry.create().register("ping_pong", 1, String.class, String.class,
        (in, ctx) -> ctx.checkpoint("pong", "pong"));
  }

  private static <T> Future<T> fut(Uni<T> uni) {
    return Bridge.future(uni);
  }

  private static Future<Void> nodes(LocalRaftoralCluster c, int joining) {
    Future<Void> f = c.bootstrap().mapEmpty();
    for (int i = 0; i < joining; i++) {
      f = f.compose(v -> c.join().mapEmpty());
    }
    return f;
  }

  /** Execution clusters whose desired members all are voters, by id. */
  private static List<Long> formedClusters(RaftoralNode n) {
    List<Long> ids = new ArrayList<>();
    for (ExecutionCluster ec : n.view().clusters().values()) {
      if (!ec.desiredMembers().isEmpty() && ec.reportedVoters().equals(ec.desiredMembers())) {
        ids.add(ec.id());
      }
    }
    return ids;
  }

  /** {@code view} with only the execution clusters {@code keep} (a node that has not learnt of the others). */
  private static ManagementView only(ManagementView view, List<Long> keep) {
    TreeMap<Long, ExecutionCluster> clusters = new TreeMap<>(view.clusters());
    clusters.keySet().retainAll(keep);
    return new ManagementView(view.nodes(), clusters, view.metadata(), view.registrations(), view.nextNodeId(),
        view.nextClusterId(), view.topologyVersion(), view.appliedIndex());
  }

  private static RoutingWorkflowClient outsider(Vertx vertx, Supplier<ManagementView> view, PeerRequests peers) {
    return new RoutingWorkflowClient(vertx, OUTSIDER_NODE_ID, Map.of(), view, peers, registry());
  }

  /** Peer requests that lose the answer of the first start after the member committed it. */
  private static final class LosesFirstStartAnswer implements PeerRequests {
    private final PeerRequests real;
    final AtomicInteger startsSent = new AtomicInteger();

    LosesFirstStartAnswer(PeerRequests real) {
      this.real = real;
    }

    @Override
    public Future<JsonObject> request(long nodeId, String address, JsonObject request) {
      Future<JsonObject> reply = real.request(nodeId, address, request);
      if ("start".equals(request.getString("op")) && startsSent.getAndIncrement() == 0) {
        return reply.transform(ar -> Future.failedFuture(new TimeoutException("answer lost")));
      }
      return reply;
    }

    @Override
    public Future<Void> serve(long nodeId, Function<JsonObject, Future<JsonObject>> handler) {
      return real.serve(nodeId, handler);
    }

    @Override
    public Future<Void> close() {
      return real.close();
    }
  }

  @Test
  void aStartWhoseAnswerIsLostIsRetriedAsTheSameWorkflow(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedStartTest::registry);
    RaftoralNode[] a = new RaftoralNode[1];
    LosesFirstStartAnswer peers = new LosesFirstStartAnswer(new InJvmPeerRequests(vertx));
    nodes(c, 2)
        .compose(v -> c.await(() -> formedClusters(c.node("node-a")).size() == 1, WAIT, "one execution cluster"))
        .compose(v -> {
          a[0] = c.node("node-a");
          return fut(outsider(vertx, a[0]::view, peers).start("ping_pong", 1, "\"ping\"", new StartOptions()));
        })
        .compose(started -> fut(a[0].jsonWorkflows().list(WorkflowFilter.all())).map(all -> {
          ctx.verify(() -> {
            assertThat(peers.startsSent).as("the start was retried").hasValueGreaterThan(1);
            assertThat(all).extracting(WorkflowStatus::workflowId).containsExactly(started.workflowId());
          });
          return all;
        }))
        .onComplete(ctx.succeeding(v -> c.close().onComplete(x -> ctx.completeNow())));
  }

  @Test
  void aCallerIdStartedThroughNodesWithDifferentViewsLandsInOneClusterOnly(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RoutedStartTest::registry);
    nodes(c, 5)
        .compose(v -> c.await(() -> formedClusters(c.node("node-a")).size() == 2, WAIT, "two execution clusters"))
        .compose(v -> {
          RaftoralNode a = c.node("node-a");
          List<Long> clusters = formedClusters(a);
          PeerRequests peers = new InJvmPeerRequests(vertx);
          // one router has not learnt of the second cluster yet (it was just split off), the other has
          RoutingWorkflowClient lagging = outsider(vertx, () -> only(a.view(), clusters.subList(0, 1)), peers);
          RoutingWorkflowClient current = outsider(vertx, a::view, peers);
          Future<Void> f = Future.succeededFuture();
          for (int i = 0; i < CALLER_IDS; i++) {
            StartOptions id = new StartOptions().setWorkflowId("order-" + i);
            f = f.compose(x -> fut(lagging.start("ping_pong", 1, "\"ping\"", id))
                .compose(first -> fut(current.start("ping_pong", 1, "\"ping\"", id)).compose(again -> {
                  ctx.verify(() -> assertThat(again.executionClusterId()).as(id.getWorkflowId())
                      .isEqualTo(first.executionClusterId()));
                  return elsewhere(current, id.getWorkflowId(), clusters, first.executionClusterId());
                })));
          }
          return f;
        })
        .onComplete(ctx.succeeding(v -> c.close().onComplete(x -> ctx.completeNow())));
  }

  /** Succeeds when no execution cluster but {@code home} knows {@code workflowId}. */
  private static Future<Void> elsewhere(RoutingWorkflowClient router, String workflowId, List<Long> clusters,
      long home) {
    List<Future<Void>> reads = new ArrayList<>();
    for (long other : clusters) {
      if (other != home) {
        reads.add(fut(router.status(workflowId, other)).transform(ar -> ar.failed()
            && ar.cause() instanceof WorkflowNotFoundException ? Future.succeededFuture()
            : Future.failedFuture(new AssertionError(workflowId + " also exists in cluster " + other))));
      }
    }
    return Future.all(reads).mapEmpty();
  }
}
