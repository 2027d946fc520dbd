package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idle groups quiesce ({@link RaftGroupOptions#setQuiesceWhenIdle(boolean)}): the leader stops heartbeating and
 * the followers their election timers, node-level liveness standing in. A proposal wakes the group; the death or
 * isolation of the quiesced leader's node is noticed through node liveness, and the others elect a new leader.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuiescenceTest {

  private static final long GROUP = 9;
  private static final long[] NODES = {1, 2, 3};
  private static final long WAIT = 30_000;

  private static RaftGroupOptions opts() {
    return RaftPreset.TESTING.groupOptions().setQuiesceWhenIdle(true);
  }

  private static Future<Void> awaitQuiesced(LocalRaftCluster c, Set<Long> nodes) {
    return c.await(() -> nodes.stream().allMatch(n -> c.node(n).host.isQuiesced(GROUP)), WAIT,
        "group " + GROUP + " quiesced on nodes " + nodes);
  }

  private static Future<Void> awaitValue(LocalRaftCluster c, Set<Long> nodes, String key, String value) {
    return c.await(() -> nodes.stream().allMatch(n -> value.equals(c.kv(n, GROUP).get(key))), WAIT,
        key + "=" + value + " applied on nodes " + nodes);
  }

  private static Set<Long> all() {
    return Set.of(NODES[0], NODES[1], NODES[2]);
  }

  private static Set<Long> allBut(long node) {
    Set<Long> rest = new HashSet<>(all());
    rest.remove(node);
    return rest;
  }

  @Test
  void aQuiescedGroupWakesOnAProposalAndElectsANewLeaderWhenTheLeadersNodeDies(Vertx vertx,
      VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] oldLeader = new long[1];
    c.startNodes(NODES)
        .compose(v -> c.startGroup(GROUP, opts(), NODES))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("a", "1"))))
        .compose(v -> awaitValue(c, all(), "a", "1"))
        .compose(v -> awaitQuiesced(c, all()))
        .compose(v -> {
          oldLeader[0] = c.leader(GROUP);
          long follower = allBut(oldLeader[0]).iterator().next();
          // Through a follower: the forward wakes the leader, which replicates and commits as usual.
          return Bridge.future(c.group(follower, GROUP).propose(KvCommand.put("b", "2")));
        })
        .compose(v -> awaitValue(c, all(), "b", "2"))
        .compose(v -> awaitQuiesced(c, all()))
        .compose(v -> {
          oldLeader[0] = c.leader(GROUP);
          return c.kill(oldLeader[0]);
        })
        .compose(v -> c.await(() -> {
          long l = c.leader(GROUP);
          return l != RaftNode.NONE && l != oldLeader[0];
        }, WAIT, "a new leader after the quiesced leader's node died"))
        .compose(v -> Bridge.future(c.group(c.leader(GROUP), GROUP).propose(KvCommand.put("c", "3"))))
        .compose(v -> awaitValue(c, allBut(oldLeader[0]), "c", "3"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.leader(GROUP)).isNotEqualTo(oldLeader[0]);
          ctx.completeNow();
        })));
  }

  @Test
  void aQuiescedLeaderCutOffFromItsQuorumStepsDownAndTheOthersElectANewOne(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] oldLeader = new long[1];
    c.startNodes(NODES)
        .compose(v -> c.startGroup(GROUP, opts(), NODES))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("a", "1"))))
        .compose(v -> awaitValue(c, all(), "a", "1"))
        .compose(v -> awaitQuiesced(c, all()))
        .compose(v -> {
          oldLeader[0] = c.leader(GROUP);
          c.partition(Set.of(oldLeader[0]), allBut(oldLeader[0]));
          return c.await(() -> {
            long l = c.leader(GROUP);
            return l != RaftNode.NONE && l != oldLeader[0];
          }, WAIT, "a new leader on the majority side");
        })
        .compose(v -> c.await(() -> c.group(oldLeader[0], GROUP).status().role() != Role.LEADER, WAIT,
            "the isolated quiesced leader stepping down (CheckQuorum)"))
        .compose(v -> Bridge.future(c.group(c.leader(GROUP), GROUP).propose(KvCommand.put("b", "2"))))
        .compose(v -> {
          c.heal();
          return awaitValue(c, all(), "b", "2");
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.kv(oldLeader[0], GROUP).get("b")).isEqualTo("2");
          ctx.completeNow();
        })));
  }
}
