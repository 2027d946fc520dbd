package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KeyValueStore;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A five-voter group on the real runtime: it tolerates two failures, fails over, and restarted nodes catch up. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FiveNodeGroupTest {

  private static final long GROUP = 5;
  private static final long WAIT = 10_000;
  private static final RaftGroupOptions OPTS = RaftPreset.TESTING.groupOptions();

  /** Proposes {@code count} puts {@code prefix<i>} through the live nodes in turn (followers forward them). */
  private static Future<Void> putAll(LocalRaftCluster c, String prefix, int count) {
    List<Long> via = new ArrayList<>(c.liveNodeIds());
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      puts.add(Bridge.future(c.group(via.get(i % via.size()), GROUP).propose(KvCommand.put(prefix + i, "v" + i))));
    }
    return Future.all(puts).mapEmpty();
  }

  private static boolean hasAll(KeyValueStore kv, String prefix, int count) {
    if (kv == null) {
      return false;
    }
    for (int i = 0; i < count; i++) {
      if (!("v" + i).equals(kv.get(prefix + i))) {
        return false;
      }
    }
    return true;
  }

  private static Future<Void> awaitEveryLiveReplica(LocalRaftCluster c, String prefix, int count) {
    return c.await(() -> c.liveNodeIds().stream().allMatch(id -> hasAll(c.kv(id, GROUP), prefix, count)), WAIT,
        "every live replica applying " + count + " '" + prefix + "' puts");
  }

  private static Future<Void> startFiveNodeGroup(LocalRaftCluster c) {
    return c.startNodes(1, 2, 3, 4, 5)
        .compose(v -> c.startGroup(GROUP, OPTS, 1, 2, 3, 4, 5))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .mapEmpty();
  }

  @Test
  void electsExactlyOneLeaderAndReplicatesToAllFive(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] agreed = new long[1];
    startFiveNodeGroup(c)
        .compose(v -> putAll(c, "k", 50))
        .compose(v -> awaitEveryLiveReplica(c, "k", 50))
        // every node agrees on the leader once the heartbeats of the current term reached it
        .compose(v -> c.await(() -> {
          long leader = c.leader(GROUP);
          agreed[0] = leader;
          return leader != RaftNode.NONE
              && c.nodeIds().stream().allMatch(id -> c.group(id, GROUP).leaderId() == leader);
        }, WAIT, "all five nodes agreeing on the leader"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          long leader = agreed[0];
          // election safety: at most one leader per term (whatever elections a busy machine may have caused since)
          Map<Long, Long> leadersPerTerm = c.nodeIds().stream()
              .map(id -> c.group(id, GROUP).status())
              .filter(s -> s.role() == Role.LEADER)
              .collect(Collectors.groupingBy(s -> s.term(), Collectors.counting()));
          assertThat(leadersPerTerm.values()).allMatch(n -> n == 1);
          assertThat(c.group(leader, GROUP).membership().voters()).containsExactly(1L, 2L, 3L, 4L, 5L);
          assertThat(c.group(leader, GROUP).membership().quorum()).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void survivesTwoKilledNodesAndRestartedNodesCatchUpFromTheirStores(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    List<Long> killed = new ArrayList<>();
    startFiveNodeGroup(c)
        .compose(v -> putAll(c, "before", 20))
        .compose(v -> awaitEveryLiveReplica(c, "before", 20))
        .compose(v -> {
          long leader = c.leader(GROUP);
          c.nodeIds().stream().filter(id -> id != leader).limit(2).forEach(killed::add);
          return Future.all(c.kill(killed.get(0)), c.kill(killed.get(1)));
        })
        // 3 of 5 voters are a quorum: the group still commits
        .compose(v -> putAll(c, "during", 20))
        .compose(v -> awaitEveryLiveReplica(c, "during", 20))
        .compose(v -> Future.all(c.restart(killed.get(0)), c.restart(killed.get(1))))
        // restarted on their stores, with no members given: they resume from what they had persisted
        .compose(v -> Future.all(c.startGroupOn(killed.get(0), GROUP, OPTS),
            c.startGroupOn(killed.get(1), GROUP, OPTS)))
        .compose(v -> awaitEveryLiveReplica(c, "during", 20))
        .compose(v -> putAll(c, "after", 20))
        .compose(v -> awaitEveryLiveReplica(c, "after", 20))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.liveNodeIds()).containsExactly(1L, 2L, 3L, 4L, 5L);
          for (long id : killed) {
            KeyValueStore kv = c.kv(id, GROUP);
            assertThat(hasAll(kv, "before", 20)).as("node %d kept what it had before the kill", id).isTrue();
            assertThat(kv.size()).as("node %d", id).isEqualTo(60);
            assertThat(c.group(id, GROUP).membership().voters()).containsExactly(1L, 2L, 3L, 4L, 5L);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void leaderKillFailsOverAndTheRestartedLeaderCatchesUp(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] oldLeader = new long[1];
    long[] oldTerm = new long[1];
    startFiveNodeGroup(c)
        .compose(v -> putAll(c, "before", 20))
        .compose(v -> awaitEveryLiveReplica(c, "before", 20))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> {
          oldLeader[0] = leader;
          oldTerm[0] = c.group(oldLeader[0], GROUP).status().term();
          return c.kill(oldLeader[0]);
        })
        // "within a few election timeouts": a generous deadline, no timing assertion
        .compose(v -> c.await(() -> {
          long l = c.leader(GROUP);
          return l != RaftNode.NONE && l != oldLeader[0];
        }, WAIT, "a new leader after the leader's crash"))
        .compose(v -> putAll(c, "during", 20))
        .compose(v -> awaitEveryLiveReplica(c, "during", 20))
        // a second crash (a follower this time): 3 of 5 remain, still a quorum
        .compose(v -> {
          long leader = c.leader(GROUP);
          long follower = c.liveNodeIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
          return c.kill(follower).map(follower);
        })
        .compose(follower -> putAll(c, "two-down", 10).map(follower))
        .compose(follower -> Future.all(c.restart(oldLeader[0]), c.restart(follower)).map(follower))
        .compose(follower -> Future.all(c.startGroupOn(oldLeader[0], GROUP, OPTS),
            c.startGroupOn(follower, GROUP, OPTS)))
        .compose(v -> awaitEveryLiveReplica(c, "during", 20))
        .compose(v -> awaitEveryLiveReplica(c, "two-down", 10))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .onComplete(ctx.succeeding(leader -> ctx.verify(() -> {
          assertThat(c.group(leader, GROUP).status().term()).isGreaterThan(oldTerm[0]);
          assertThat(c.kv(oldLeader[0], GROUP).size()).isEqualTo(50);
          for (long id : Set.of(1L, 2L, 3L, 4L, 5L)) {
            assertThat(c.kv(id, GROUP).size()).as("node %d", id).isEqualTo(50);
          }
          ctx.completeNow();
        })));
  }
}
