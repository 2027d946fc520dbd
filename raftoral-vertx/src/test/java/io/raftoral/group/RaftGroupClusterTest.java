package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaftGroupClusterTest {

  private static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();

  @Test
  void threeNodesElectOneLeaderAndReplicateToEveryReplica(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(7, OPTS, 1, 2, 3))
        .compose(v -> c.awaitLeader(7, 5_000))
        .compose(leader -> {
          List<Future<?>> puts = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            // proposals through every node: followers forward to the leader transparently
            long via = 1 + (i % 3);
            puts.add(Bridge.future(c.group(via, 7).propose(KvCommand.put("k" + i, "v" + i))));
          }
          return Future.all(puts);
        })
        .compose(v -> c.await(() -> c.nodeIds().stream().allMatch(id -> c.node(id).kv.get(7L).size() == 50), 5_000,
            "every replica applied 50 puts"))
        .compose(v -> Bridge.future(c.group(2, 7).read(() -> c.node(2).kv.get(7L).get("k49"))))
        .onComplete(ctx.succeeding(value -> ctx.verify(() -> {
          assertThat(value).isEqualTo("v49");
          assertThat(c.node(1).host.metrics().unknownClusterMessages()).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void leaderCrashFailsOverAndNothingCommittedIsLost(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] oldLeader = new long[1];
    c.startNodes(1, 2, 3, 4, 5)
        .compose(v -> c.startGroup(7, OPTS, 1, 2, 3, 4, 5))
        .compose(v -> c.awaitLeader(7, 5_000))
        .compose(leader -> {
          oldLeader[0] = leader;
          return Bridge.future(c.group(leader, 7).propose(KvCommand.put("before", "crash")));
        })
        .compose(v -> c.kill(oldLeader[0]))
        .compose(v -> c.await(() -> {
          long l = c.leader(7);
          return l != 0 && l != oldLeader[0];
        }, 5_000, "a new leader"))
        .compose(v -> Bridge.future(c.group(c.leader(7), 7).propose(KvCommand.put("after", "crash"))))
        .compose(v -> Bridge.future(c.group(c.leader(7), 7).read(() -> c.node(c.leader(7)).kv.get(7L).get("before"))))
        .onComplete(ctx.succeeding(value -> ctx.verify(() -> {
          assertThat(value).isEqualTo("crash");
          ctx.completeNow();
        })));
  }

  @Test
  void minorityCannotCommitAndHealedClusterDoesNotDiverge(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] leader = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(7, OPTS, 1, 2, 3))
        .compose(v -> c.awaitLeader(7, 5_000))
        .compose(l -> {
          leader[0] = l;
          Set<Long> others = new TreeSet<>(Set.of(1L, 2L, 3L));
          others.remove(l);
          c.partition(Set.of(l), others);
          // the isolated leader cannot commit
          return Bridge.future(c.group(l, 7).propose(KvCommand.put("minority", "x"), Duration.ofMillis(500)))
              .transform(ar -> {
                assertThat(ar.failed()).as("a proposal on the minority side fails").isTrue();
                return c.await(() -> {
                  long nl = c.leader(7);
                  return nl != 0 && nl != leader[0];
                }, 5_000, "a leader on the majority side");
              });
        })
        .compose(v -> Bridge.future(c.group(c.leader(7), 7).propose(KvCommand.put("majority", "y"))))
        .compose(v -> {
          c.heal();
          return c.await(() -> c.nodeIds().stream().allMatch(id -> "y".equals(c.node(id).kv.get(7L).get("majority"))),
              5_000, "the healed node catching up");
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.nodeIds()) {
            assertThat(c.node(id).kv.get(7L).get("minority")).as("node " + id).isNull();
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aNodeWhoseStoreFailsStaysUpAndCatchesUpWhenTheStoreRecovers(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] follower = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(7, OPTS, 1, 2, 3))
        .compose(v -> c.awaitLeader(7, 5_000))
        .compose(leader -> {
          follower[0] = leader == 1 ? 2 : 1;
          c.node(follower[0]).store.crash(); // every write now fails, like a full disk
          List<Future<?>> puts = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            puts.add(Bridge.future(c.group(leader, 7).propose(KvCommand.put("k" + i, "v"))));
          }
          return Future.all(puts);
        })
        .compose(v -> {
          c.node(follower[0]).store.recover(); // space is back
          return c.await(() -> c.node(follower[0]).kv.get(7L).size() == 20, 10_000, "the follower catching up");
        })
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }
}
