package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.group.Committed;
import io.raftoral.group.RaftGroup;
import io.raftoral.raft.Membership;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The management layer on the real runtime, several nodes in one JVM: nodes register and are placed, execution
 * clusters reconcile their Raft membership toward the desired one, failed nodes are replaced, leavers disappear.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ManagementClusterTest {

  /** Joins {@code count} nodes one after the other, each once the previous one has been placed. */
  private static Future<Void> joinOneAtATime(ManagedCluster c, int count, List<Map<Long, Set<Long>>> expected) {
    Future<Void> f = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      Map<Long, Set<Long>> layout = expected.get(i);
      f = f.compose(v -> c.join()).compose(id -> c.awaitConverged(layout));
    }
    return f;
  }

  @SuppressWarnings("unchecked")
  private static RaftGroup<KvCommand, String> kv(ManagedCluster c, long nodeId, long clusterId) {
    return (RaftGroup<KvCommand, String>) (RaftGroup<?, ?>) c.local.node(nodeId).host.group(clusterId);
  }

  @Test
  void sevenNodesJoiningOneAtATimeArePlacedByTheRulesAndAFailedMemberIsReplaced(Vertx vertx,
      VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    List<Map<Long, Set<Long>>> layouts = List.of(
        Map.of(1L, Set.of(1L, 2L)),
        Map.of(1L, Set.of(1L, 2L, 3L)),
        Map.of(1L, Set.of(1L, 2L, 3L, 4L)),
        Map.of(1L, Set.of(1L, 2L, 3L, 4L, 5L)),
        Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)),
        Map.of(1L, Set.of(1L, 2L, 3L, 7L), 2L, Set.of(4L, 5L, 6L)));
    long[] victim = new long[1];
    List<Future<Committed<String>>> writes = new ArrayList<>();
    c.bootstrap(1)
        .compose(s -> c.awaitConverged(Map.of(1L, Set.of(1L))))
        .compose(v -> joinOneAtATime(c, 6, layouts))
        .compose(v -> {
          ctx.verify(() -> {
            Membership zero = c.raftMembership(0);
            assertThat(zero.voters()).as("cluster 0 voters").hasSize(5);
            assertThat(zero.learners()).as("cluster 0 learners").hasSize(2);
            ManagementView view = c.view();
            assertThat(view.nodes().keySet()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(view.nodes().values()).allMatch(NodeRecord::alive);
          });
          // nodes 4 and 5 moved from cluster 1 to cluster 2 at the split: their copy of cluster 1 is deleted
          return c.await(() -> storedGroups(c, 4).equals(Set.of(0L, 2L)) && storedGroups(c, 5).equals(Set.of(0L, 2L)),
              "the split-off members deleting cluster 1's data");
        })
        .compose(v -> {
          // Kill a member of cluster 2 (not the management leader, to keep the test short), while cluster 2
          // takes writes; node 7 (cluster 1's fourth member) must take its place.
          long managementLeader = c.managementLeader().nodeId();
          victim[0] = Set.of(4L, 5L, 6L).stream().filter(id -> id != managementLeader).findFirst().orElseThrow();
          return c.kill(victim[0]);
        })
        .compose(v -> {
          long writer = Set.of(4L, 5L, 6L).stream().filter(id -> id != victim[0]).findFirst().orElseThrow();
          for (int i = 0; i < 20; i++) {
            writes.add(Bridge.future(kv(c, writer, 2).propose(KvCommand.put("k" + i, "v" + i))));
          }
          Set<Long> survivors = new HashSet<>(Set.of(4L, 5L, 6L, 7L));
          survivors.remove(victim[0]);
          return c.awaitConverged(Map.of(1L, Set.of(1L, 2L, 3L), 2L, survivors));
        })
        .compose(v -> Future.all(writes))
        .compose(v -> Bridge.future(kv(c, 7, 2).propose(KvCommand.put("after", "replacement"))))
        .compose(v -> c.await(() -> c.hosting(2).stream().allMatch(id ->
            "replacement".equals(c.local.kv(id, 2).get("after")) && "v19".equals(c.local.kv(id, 2).get("k19"))),
            "every member of cluster 2, the replacement included, applying the writes"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          ManagementView view = c.view();
          assertThat(view.nodes().get(victim[0]).state()).isEqualTo(NodeState.FAILED);
          assertThat(c.raftMembership(0).members()).doesNotContain(victim[0]);
          assertThat(c.raftMembership(0).voters()).as("a learner promoted in the failed voter's place").hasSize(5);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void concurrentRegistrationsNeverGetTheSameId(Vertx vertx, VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    ManagementClient client = c.network.client();
    List<Future<Long>> ids = new ArrayList<>();
    c.bootstrap(1)
        .compose(s -> c.await(() -> c.view() != null && c.view().nodes().containsKey(1L), "the founder registered"))
        .compose(v -> {
          for (int i = 0; i < 30; i++) {
            // every address registers twice at once with the same request id, as a retrying client would
            ids.add(client.register("addr-" + i, "req-" + i));
            ids.add(client.register("addr-" + i, "req-" + i));
          }
          return Future.all(ids);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          Set<Long> distinct = new HashSet<>();
          for (int i = 0; i < 30; i++) {
            long first = ids.get(2 * i).result();
            assertThat(ids.get(2 * i + 1).result()).as("a retry gets the same id").isEqualTo(first);
            assertThat(distinct.add(first)).as("id %d given twice", first).isTrue();
          }
          assertThat(distinct).doesNotContain(1L).allMatch(id -> id > 1);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aNodeLeavingGracefullyDisappearsFromEveryMembershipAndDeletesItsGroups(Vertx vertx, VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    // Node 1 founded everything and leads cluster 0 and cluster 1: leaving, it must hand both over.
    c.bootstrap(1)
        .compose(s -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.awaitConverged(Map.of(1L, Set.of(1L, 2L, 3L, 4L))))
        .compose(v -> c.local.node(1).store.groups())
        .compose(before -> {
          ctx.verify(() -> assertThat(before).contains(0L, 1L));
          return c.leave(1);
        })
        .compose(v -> {
          ctx.verify(() -> assertThat(c.local.node(1).host.groupIds()).as("a node that left hosts nothing")
              .isEmpty());
          return c.local.node(1).store.groups();
        })
        .compose(after -> {
          ctx.verify(() -> assertThat(after).as("every group's data deleted from the leaver's store")
              .doesNotContain(0L, 1L));
          return c.awaitConverged(Map.of(1L, Set.of(2L, 3L, 4L)));
        })
        .compose(v -> c.await(() -> !c.view().nodes().containsKey(1L), "node 1 removed from the directory"))
        .compose(v -> Bridge.future(kv(c, 2, 1).propose(KvCommand.put("after", "leave"))))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.services.keySet()) {
            for (long group : c.local.node(id).host.groupIds()) {
              assertThat(c.local.node(id).host.group(group).membership().members())
                  .as("group %d on node %d", group, id).doesNotContain(1L);
            }
          }
          ManagementView view = c.view();
          assertThat(view.clusters().values()).noneMatch(cl -> cl.refersTo(1L));
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aNodeCutOffForLessThanTheFailureTimeoutIsNotDeclaredDeadButOneCutOffLongerIsAndComesBack(Vertx vertx,
      VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    Map<Long, Set<Long>> layout = Map.of(1L, Set.of(1L, 2L, 3L, 4L));
    long[] victim = new long[1];
    long[] topology = new long[1];
    c.bootstrap(1)
        .compose(s -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.awaitConverged(layout))
        .compose(v -> {
          long leader = c.managementLeader().nodeId();
          victim[0] = leader == 4 ? 3 : 4;
          topology[0] = c.view().topologyVersion();
          c.pause(victim[0]);
          // a third of the failure timeout: a GC pause, a slow disk
          return c.local.await(() -> false, c.options.getFailureTimeoutMillis() / 3, "the pause")
              .otherwiseEmpty();
        })
        .compose(v -> {
          c.resume(victim[0]);
          // heard from again: the next round commits its heartbeat
          long resumedAt = System.currentTimeMillis();
          return c.await(() -> c.view().nodes().get(victim[0]).lastSeenMillis() >= resumedAt,
              "a heartbeat of node " + victim[0] + " after the pause");
        })
        .compose(v -> {
          ctx.verify(() -> {
            assertThat(c.view().topologyVersion()).as("nothing was decided about the paused node")
                .isEqualTo(topology[0]);
            assertThat(c.view().nodes().get(victim[0]).state()).isEqualTo(NodeState.ALIVE);
          });
          c.pause(victim[0]);
          return c.await(() -> c.view().nodes().get(victim[0]).state() == NodeState.FAILED,
              "node " + victim[0] + " declared failed");
        })
        .compose(v -> {
          Set<Long> rest = new HashSet<>(Set.of(1L, 2L, 3L, 4L));
          rest.remove(victim[0]);
          return c.await(() -> rest.equals(c.raftMembership(1).voters())
              && !c.raftMembership(0).contains(victim[0]), "the failed node out of clusters 0 and 1");
        })
        .compose(v -> {
          c.resume(victim[0]);
          return c.awaitConverged(layout);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.view().nodes().get(victim[0]).state()).isEqualTo(NodeState.ALIVE);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void whenTheManagementLeaderDiesAnotherNodeTakesOverAndReplacesIt(Vertx vertx, VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    long[] dead = new long[1];
    c.bootstrap(1)
        .compose(s -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.awaitConverged(Map.of(1L, Set.of(1L, 2L, 3L, 4L))))
        .compose(v -> {
          dead[0] = c.managementLeader().nodeId();
          return c.kill(dead[0]);
        })
        .compose(v -> {
          Set<Long> rest = new HashSet<>(Set.of(1L, 2L, 3L, 4L));
          rest.remove(dead[0]);
          // the new leader first waits a full failure timeout from its election, then replaces the dead one
          return c.awaitConverged(Map.of(1L, rest));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.view().nodes().get(dead[0]).state()).isEqualTo(NodeState.FAILED);
          assertThat(c.managementLeader().nodeId()).isNotEqualTo(dead[0]);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aNodeRestartedOnItsStorageWithinTheTimeoutKeepsItsIdAndItsPlace(Vertx vertx, VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx);
    Map<Long, Set<Long>> layout = Map.of(1L, Set.of(1L, 2L, 3L, 4L));
    long[] restarted = new long[1];
    long[] topology = new long[1];
    c.bootstrap(1)
        .compose(s -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.awaitConverged(layout))
        .compose(v -> Bridge.future(kv(c, 1, 1).propose(KvCommand.put("before", "restart"))))
        .compose(v -> {
          long leader = c.managementLeader().nodeId();
          restarted[0] = leader == 4 ? 3 : 4;
          topology[0] = c.view().topologyVersion();
          return c.kill(restarted[0]);
        })
        .compose(v -> c.restart(restarted[0]))
        .compose(s -> c.await(() -> c.local.kv(restarted[0], 1) != null
            && "restart".equals(c.local.kv(restarted[0], 1).get("before")), "the restarted node's group 1 back"))
        .compose(v -> Bridge.future(kv(c, restarted[0], 1).propose(KvCommand.put("after", "restart"))))
        .compose(v -> c.awaitConverged(layout))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.view().topologyVersion()).as("the restart went unnoticed by the cluster manager")
              .isEqualTo(topology[0]);
          assertThat(c.view().nodes().keySet()).containsExactly(1L, 2L, 3L, 4L);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  private static Set<Long> storedGroups(ManagedCluster c, long nodeId) {
    Future<Set<Long>> f = c.local.node(nodeId).store.groups();
    return f.isComplete() && f.succeeded() ? f.result() : Set.of();
  }
}
