package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.async.Bridge;
import io.raftoral.examples.kv.KvCommand;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** When a group last heard from each peer ({@link RaftGroup#millisSinceContact}) is kept for its members only. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContactTimesTest {

  private static final long GROUP = 13;
  private static final long WAIT = 10_000;

  @Test
  void aRemovedMemberIsForgotten(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    long[] removed = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> c.startGroup(GROUP, RaftPreset.TESTING.groupOptions(), 1, 2, 3))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> Bridge.future(c.group(leader, GROUP).propose(KvCommand.put("a", "1"))))
        .compose(v -> {
          long leader = c.leader(GROUP);
          removed[0] = leader == 3 ? 2 : 3;
          return c.await(() -> c.group(leader, GROUP).millisSinceContact(removed[0]) < Long.MAX_VALUE, WAIT,
              "the leader hearing from its follower");
        })
        .compose(v -> c.changeMembership(GROUP, g -> g.remove(removed[0]), m -> !m.contains(removed[0]), WAIT))
        .compose(v -> c.await(() -> remaining(c, removed[0]).stream()
                .noneMatch(id -> c.group(id, GROUP).membership().contains(removed[0])), WAIT,
            "no remaining member referring to node " + removed[0]))
        // the removed node still runs the group and may write to the others: they do not record it any more
        .compose(v -> Bridge.future(c.group(c.leader(GROUP), GROUP).propose(KvCommand.put("b", "2"))))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          for (long id : remaining(c, removed[0])) {
            assertThat(c.group(id, GROUP).millisSinceContact(removed[0])).as("node " + id)
                .isEqualTo(Long.MAX_VALUE);
          }
          ctx.completeNow();
        })));
  }

  private static Set<Long> remaining(LocalRaftCluster c, long removed) {
    Set<Long> ids = new TreeSet<>(c.liveNodeIds());
    ids.remove(removed);
    return ids;
  }
}
