package io.raftoral.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementView;
import io.raftoral.node.impl.CallerIdPlacement;
import io.raftoral.raft.Membership;
import io.raftoral.testkit.LocalRaftoralCluster;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Whole nodes in one JVM: bootstrap, joins, placement into execution clusters, routing of workflow calls from any
 * node, failure of a member, restart on storage, graceful shutdown.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RaftoralNodeTest {

  private static final long WAIT = 30_000;

  static WorkflowRegistry registry() {
    return WorkflowRegistry.create()
        .register("ping_pong", 1, String.class, String.class, (in, ctx) -> "ping".equals(in)
            ? ctx.checkpoint("pong", "pong")
            : Uni.createFrom().failure(new IllegalArgumentException("expected \"ping\", got \"" + in + "\"")))
        .register("countdown", 1, Integer.class, Integer.class, (n, ctx) -> countdown(ctx, n));
  }

  private static Uni<Integer> countdown(WorkflowContext ctx, int n) {
    if (n == 0) {
      return Uni.createFrom().item(0);
    }
    return ctx.compute("tick-" + n, Integer.class, () -> Uni.createFrom().item(n - 1)
        .onItem().delayIt().by(Duration.ofMillis(20)))
        .flatMap(next -> countdown(ctx, next));
  }

  private static <T> Future<T> fut(Uni<T> uni) {
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }

  private static Future<Void> joinOneByOne(LocalRaftoralCluster c, int count) {
    Future<Void> f = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      f = f.compose(v -> c.join().mapEmpty());
    }
    return f;
  }

  /** Every node is in exactly one execution cluster of 3 to 5 members, and Raft agrees with the desired layout. */
  private static boolean settled(LocalRaftoralCluster c, int nodes) {
    RaftoralNode any = c.nodes().values().iterator().next();
    ManagementView v = any.view();
    if (v.nodes().size() != nodes) {
      return false;
    }
    Map<Long, Integer> placements = new HashMap<>();
    for (ExecutionCluster ec : v.clusters().values()) {
      if (ec.desiredMembers().isEmpty()) {
        continue;
      }
      if (ec.desiredMembers().size() < 3 || ec.desiredMembers().size() > 5
          || !ec.reportedVoters().equals(ec.desiredMembers()) || !ec.reportedLearners().isEmpty()) {
        return false;
      }
      ec.desiredMembers().forEach(id -> placements.merge(id, 1, Integer::sum));
    }
    return placements.size() == nodes && placements.values().stream().allMatch(k -> k == 1);
  }

  private static Membership cluster0(LocalRaftoralCluster c) {
    for (RaftoralNode n : c.nodes().values()) {
      if (n.management().isManagementLeader()) {
        return n.management().managementGroup().membership();
      }
    }
    return Membership.EMPTY;
  }

  @Test
  void sevenNodesJoiningOneByOneArePlacedAndServeWorkflowsFromEveryNode(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    c.bootstrap()
        .compose(n -> joinOneByOne(c, 6))
        .compose(v -> c.await(() -> settled(c, 7) && cluster0(c).voters().size() == 5
            && cluster0(c).learners().size() == 2, WAIT, "7 nodes placed, 5 voters and 2 learners in cluster 0"))
        .compose(v -> {
          // ping_pong through every node; every result is readable from every node
          List<Future<WorkflowStatus>> runs = new ArrayList<>();
          for (RaftoralNode n : c.nodes().values()) {
            runs.add(fut(n.jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
                .flatMap(s -> n.jsonWorkflows().await(s.workflowId(), s.executionClusterId(),
                    Duration.ofSeconds(10)))));
          }
          return Future.all(runs).map(cf -> cf.<WorkflowStatus>list());
        })
        .compose(results -> {
          ctx.verify(() -> {
            assertThat(results).allMatch(s -> s.state() == WorkflowState.COMPLETED && "\"pong\"".equals(s.resultJson()));
            assertThat(results.stream().map(WorkflowStatus::executionClusterId).distinct().count())
                .as("workflows ran in more than one execution cluster").isGreaterThan(1);
          });
          List<Future<WorkflowStatus>> reads = new ArrayList<>();
          for (WorkflowStatus s : results) {
            for (RaftoralNode n : c.nodes().values()) {
              reads.add(fut(n.jsonWorkflows().status(s.workflowId(), null)));
            }
          }
          return Future.all(reads).map(cf -> cf.<WorkflowStatus>list());
        })
        .compose(reads -> {
          ctx.verify(() -> assertThat(reads).allMatch(s -> s.state() == WorkflowState.COMPLETED));
          return fut(c.node("node-c").jsonWorkflows().list(WorkflowFilter.all()));
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all).hasSize(7);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aWorkflowStartedOutsideItsClusterCompletesAndAFailureIsReported(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    c.bootstrap()
        .compose(n -> joinOneByOne(c, 5))
        .compose(v -> c.await(() -> settled(c, 6) && c.nodes().values().stream()
            .allMatch(n -> n.localRuntimes().size() == 1), WAIT, "two clusters of 3"))
        .compose(v -> {
          RaftoralNode via = c.node("node-a");
          long home = via.localRuntimes().keySet().iterator().next();
          // an id placed in the other cluster
          List<Long> clusters = via.view().clusters().values().stream()
              .filter(ec -> !ec.desiredMembers().isEmpty()).map(ExecutionCluster::id).sorted().toList();
          String id = null;
          for (int i = 0; id == null; i++) {
            String candidate = "wf-" + i;
            if (CallerIdPlacement.clusterFor(candidate, clusters) != home) {
              id = candidate;
            }
          }
          return fut(via.jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions().setWorkflowId(id)))
              .map(s -> {
                ctx.verify(() -> assertThat(s.executionClusterId()).isNotEqualTo(home));
                return s;
              });
        })
        .compose(s -> fut(c.node("node-b").jsonWorkflows().await(s.workflowId(), null, Duration.ofSeconds(10))))
        .compose(s -> {
          ctx.verify(() -> assertThat(s.resultJson()).isEqualTo("\"pong\""));
          return fut(c.node("node-d").jsonWorkflows().start("ping_pong", 1, "\"pong\"", new StartOptions()))
              .compose(st -> fut(c.node("node-e").jsonWorkflows()
                  .await(st.workflowId(), null, Duration.ofSeconds(10))));
        })
        .onComplete(ctx.succeeding(failed -> ctx.verify(() -> {
          assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
          assertThat(failed.errorType()).isEqualTo(IllegalArgumentException.class.getName());
          assertThat(failed.errorMessage()).isEqualTo("expected \"ping\", got \"pong\"");
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aKilledMemberIsReplacedWorkflowsKeepCompletingAndItComesBackWithItsId(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    long[] victimId = new long[1];
    String[] longRun = new String[1];
    c.bootstrap()
        .compose(n -> joinOneByOne(c, 3))
        .compose(v -> c.await(() -> settled(c, 4), WAIT, "4 nodes placed"))
        .compose(v -> fut(c.node("node-a").jsonWorkflows().start("countdown", 1, "40", new StartOptions())))
        .compose(s -> {
          longRun[0] = s.workflowId();
          victimId[0] = c.node("node-c").nodeId();
          return c.kill("node-c");
        })
        .compose(v -> c.await(() -> {
          ManagementView view = c.node("node-a").view();
          return view.clusters().values().stream().noneMatch(ec -> ec.desiredMembers().contains(victimId[0]))
              && view.clusters().values().stream().anyMatch(ec -> ec.reportedVoters().size() >= 3);
        }, WAIT, "the killed member to be replaced"))
        .compose(v -> fut(c.node("node-b").jsonWorkflows().await(longRun[0], null, Duration.ofSeconds(20))))
        .compose(s -> {
          ctx.verify(() -> assertThat(s.resultJson()).isEqualTo("0"));
          return fut(c.node("node-d").jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
              .flatMap(st -> c.node("node-d").jsonWorkflows().await(st.workflowId(), null, Duration.ofSeconds(10))));
        })
        .compose(s -> c.restart("node-c"))
        .onComplete(ctx.succeeding(back -> ctx.verify(() -> {
          assertThat(back.nodeId()).isEqualTo(victimId[0]);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aNodeThatLostItsStorageComesBackWithANewIdAndReplacesItsOldSelf(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    long[] lostId = new long[1];
    int[] votersBefore = new int[1];
    c.bootstrap()
        .compose(n -> joinOneByOne(c, 3))
        .compose(v -> c.await(() -> settled(c, 4), WAIT, "4 nodes placed"))
        .compose(v -> {
          lostId[0] = c.node("node-c").nodeId();
          votersBefore[0] = cluster0(c).voters().size();
          return c.kill("node-c");
        })
        // at once, before the cluster manager noticed the failure: the dangerous moment to rejoin as the old voter
        .compose(v -> c.restartOnEmptyStorage("node-c"))
        .compose(back -> {
          ctx.verify(() -> assertThat(back.nodeId()).as("a node without its storage gets a new id")
              .isNotEqualTo(lostId[0]));
          long newId = back.nodeId();
          return c.await(() -> {
            ManagementView view = c.node("node-a").view();
            boolean oldGone = view.clusters().values().stream().noneMatch(ec -> ec.refersTo(lostId[0]))
                && !cluster0(c).contains(lostId[0]);
            boolean newPlaced = view.clusters().values().stream()
                .anyMatch(ec -> ec.reportedVoters().contains(newId) && ec.reportedVoters().size() == 4);
            return oldGone && newPlaced && cluster0(c).voters().size() == votersBefore[0];
          }, WAIT, "node " + lostId[0] + " replaced by node " + newId + " at full strength");
        })
        .compose(v -> fut(c.node("node-c").jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
            .flatMap(st -> c.node("node-a").jsonWorkflows().await(st.workflowId(), null, Duration.ofSeconds(10)))))
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.resultJson()).isEqualTo("\"pong\"");
          ManagementView view = c.node("node-a").view();
          assertThat(view.nodes().containsKey(lostId[0]) && view.nodes().get(lostId[0]).alive())
              .as("the lost identity is not alive").isFalse();
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void nodesJoiningAtTheSameMomentGetDistinctIds(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    c.bootstrap()
        .compose(n -> Future.all(c.join(), c.join(), c.join(), c.join(), c.join()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          Set<Long> ids = new HashSet<>();
          for (int i = 0; i < 5; i++) {
            ids.add(all.<RaftoralNode>resultAt(i).nodeId());
          }
          assertThat(ids).hasSize(5).doesNotContain(1L);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void afterAGracefulShutdownNoMembershipRefersToTheDepartedNode(Vertx vertx, VertxTestContext ctx) {
    LocalRaftoralCluster c = new LocalRaftoralCluster(vertx, RaftoralNodeTest::registry);
    long[] departed = new long[1];
    c.bootstrap()
        .compose(n -> joinOneByOne(c, 3))
        .compose(v -> c.await(() -> settled(c, 4), WAIT, "4 nodes placed"))
        .compose(v -> {
          departed[0] = c.node("node-b").nodeId();
          return c.shutdown("node-b");
        })
        .compose(v -> c.await(() -> {
          ManagementView view = c.node("node-a").view();
          return !view.nodes().containsKey(departed[0])
              && view.clusters().values().stream().noneMatch(ec -> ec.refersTo(departed[0]))
              && !cluster0(c).contains(departed[0]);
        }, WAIT, "no membership referring to node " + departed[0]))
        .compose(v -> fut(c.node("node-d").jsonWorkflows().start("ping_pong", 1, "\"ping\"", new StartOptions())
            .flatMap(st -> c.node("node-a").jsonWorkflows().await(st.workflowId(), null, Duration.ofSeconds(10)))))
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          assertThat(s.resultJson()).isEqualTo("\"pong\"");
          for (RaftoralNode n : c.nodes().values()) {
            for (var rt : n.localRuntimes().values()) {
              assertThat(rt.group().membership().contains(departed[0])).isFalse();
            }
          }
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }
}
