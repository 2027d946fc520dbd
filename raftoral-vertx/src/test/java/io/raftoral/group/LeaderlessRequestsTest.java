package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a node cut off from the majority (so knowing no leader) keeps for the next leader: at most
 * {@code maxRequestsAwaitingLeader} requests, and never those whose callers gave up.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderlessRequestsTest {

  private static final long GROUP = 12;
  private static final long WAIT = 10_000;
  /** Proposals made under load by the isolated node during the partition; their callers all give up. */
  private static final int GIVEN_UP_PROPOSALS = 300;
  private static final Duration GIVE_UP_AFTER = Duration.ofMillis(200);
  /** The waiting limit of the bounded test, and how many proposals beyond it are made. */
  private static final int AWAITING_LIMIT = 5;
  private static final int BEYOND_LIMIT = 3;

  @Test
  void proposalsWhoseCallersGaveUpDuringALongPartitionAreNeverReplayed(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] isolated = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, RaftPreset.TESTING.groupOptions(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> isolateAFollower(c, leader, isolated))
        .compose(v -> {
          List<Future<?>> givenUp = new ArrayList<>();
          for (int i = 0; i < GIVEN_UP_PROPOSALS; i++) {
            givenUp.add(Bridge.future(c.group(isolated[0], GROUP).propose(KvCommand.put("given-up-" + i, "x"),
                GIVE_UP_AFTER)).map(r -> (Throwable) null).otherwise(e -> e));
          }
          return Future.all(givenUp);
        })
        .compose(outcomes -> {
          ctx.verify(() -> outcomes.<Throwable>list().forEach(e ->
              assertThat(e).as("a proposal of a node that knows no leader").isInstanceOf(TimeoutException.class)));
          c.heal();
          return c.await(() -> c.group(isolated[0], GROUP).status().leaderId() != RaftNode.NONE, WAIT,
              "the isolated node learning the leader");
        })
        // proposed after the replays a leaderless node would make: once applied everywhere, so would they be
        .compose(v -> Bridge.future(c.group(isolated[0], GROUP).propose(KvCommand.put("after", "heal"))))
        .compose(v -> c.await(() -> c.liveNodeIds().stream()
                .allMatch(id -> "heal".equals(c.kv(id, GROUP).get("after"))), WAIT,
            "every replica applying the proposal made after the partition"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.liveNodeIds()) {
            for (int i = 0; i < GIVEN_UP_PROPOSALS; i++) {
              assertThat(c.kv(id, GROUP).get("given-up-" + i)).as("given-up-" + i + " on node " + id).isNull();
            }
          }
          ctx.completeNow();
        })));
  }

  @Test
  void requestsBeyondTheLimitAwaitingALeaderAreRefusedAtOnce(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    // through JSON, as from a configuration file
    RaftGroupOptions options = new RaftGroupOptions(RaftPreset.TESTING.groupOptions().toJson()
        .mergeIn(new JsonObject().put("maxRequestsAwaitingLeader", AWAITING_LIMIT)));
    long[] isolated = new long[1];
    List<Future<Committed<String>>> waiting = new ArrayList<>();
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, options, 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> isolateAFollower(c, leader, isolated))
        .compose(v -> {
          RaftGroup<KvCommand, String> g = c.group(isolated[0], GROUP);
          for (int i = 0; i < AWAITING_LIMIT; i++) {
            waiting.add(Bridge.future(g.propose(KvCommand.put("waits-" + i, "x"), Duration.ofMillis(WAIT))));
          }
          List<Future<?>> beyond = new ArrayList<>();
          for (int i = 0; i < BEYOND_LIMIT; i++) {
            beyond.add(Bridge.future(g.propose(KvCommand.put("beyond-" + i, "x"), Duration.ofMillis(WAIT)))
                .map(r -> (Throwable) null).otherwise(e -> e));
          }
          return Future.all(beyond);
        })
        .compose(outcomes -> {
          ctx.verify(() -> outcomes.<Throwable>list().forEach(e -> assertThat(e)
              .as("a proposal beyond the limit, refused before the partition heals")
              .isInstanceOf(RaftException.class).hasMessageContaining("waiting for a leader")));
          // reads wait in the same line
          return Bridge.future(c.group(isolated[0], GROUP).read(() -> "read")).map(r -> (Throwable) null)
              .otherwise(e -> e);
        })
        .compose(readOutcome -> {
          ctx.verify(() -> assertThat(readOutcome).as("a read beyond the limit")
              .isInstanceOf(RaftException.class).hasMessageContaining("waiting for a leader"));
          c.heal();
          return Future.all(waiting);
        })
        .compose(v -> c.await(() -> c.liveNodeIds().stream()
                .allMatch(id -> appliedAll(c, id, "waits-", AWAITING_LIMIT)), WAIT,
            "every replica applying the proposals that waited within the limit"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : c.liveNodeIds()) {
            for (int i = 0; i < BEYOND_LIMIT; i++) {
              assertThat(c.kv(id, GROUP).get("beyond-" + i)).as("beyond-" + i + " on node " + id).isNull();
            }
          }
          ctx.completeNow();
        })));
  }

  private static boolean appliedAll(LocalRaftCluster c, long node, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      if (c.kv(node, GROUP).get(prefix + i) == null) {
        return false;
      }
    }
    return true;
  }

  /** Cuts a follower of {@code leader} off from the others and waits until it knows no leader. */
  private static Future<Void> isolateAFollower(LocalRaftCluster c, long leader, long[] isolated) {
    isolated[0] = c.liveNodeIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
    Set<Long> others = new TreeSet<>(c.liveNodeIds());
    others.remove(isolated[0]);
    c.partition(Set.of(isolated[0]), others);
    // campaigning, not merely leaderless: a follower that has not heard its new leader yet shows no leader too, and
    // the leader's first message, let through just before the partition, could still reach it after this wait
    return c.await(() -> c.group(isolated[0], GROUP).status().leaderId() == RaftNode.NONE
            && c.group(isolated[0], GROUP).status().role() != Role.FOLLOWER, WAIT,
        "the isolated follower giving up on its leader and campaigning");
  }
}
