package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nodes killed, declared failed and restarted on their storage are taken back (issue #12 item 1): alive again in
 * the leader's directory, every cluster back to full strength, every node's view agreeing with the leader's. The
 * nodes reach the management leader as over the network ({@link InJvmSeedClient}): through their seeds (the founder,
 * which is among the killed, and themselves) and the directory they know.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RestartHealingTest {

  private static final Map<Long, Set<Long>> FIVE_IN_ONE = Map.of(1L, Set.of(1L, 2L, 3L, 4L, 5L));
  private static final long FAILURE_TIMEOUT_MILLIS = 1_500;
  /** Short enough that a node killed in a test is removed from the directory while it is down. */
  private static final long SHORT_RETENTION_MILLIS = 2_000;
  /** The founder (every node's seed) and the last node: a minority of five. */
  private static final long FOUNDER = 1;
  private static final long LAST = 5;

  private static ManagementOptions options() {
    return new ManagementOptions().setMergeUndersizedClusters(true).setHeartbeatIntervalMillis(50)
        .setReconcileIntervalMillis(20).setFailureTimeoutMillis(FAILURE_TIMEOUT_MILLIS);
  }

  private static Future<Void> fiveNodes(ManagedCluster c) {
    return c.bootstrap(FOUNDER)
        .compose(s -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.join())
        .compose(id -> c.awaitConverged(FIVE_IN_ONE));
  }

  private static Future<Void> awaitOutOfClusters(ManagedCluster c, Set<Long> gone) {
    return c.await(() -> c.view() != null && gone.stream().allMatch(id -> c.view().node(id)
            .map(n -> n.state() == NodeState.FAILED).orElse(true))
        && c.raftMembership(1) != null && gone.stream().noneMatch(c.raftMembership(1)::contains)
        && c.raftMembership(0) != null && gone.stream().noneMatch(c.raftMembership(0)::contains),
        "nodes " + gone + " declared failed and out of clusters 0 and 1");
  }

  @Test
  void aMinorityKilledDeclaredFailedAndRestartedOnItsStorageIsTakenBackAndEveryViewConverges(Vertx vertx,
      VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx, options(), true);
    fiveNodes(c)
        .compose(v -> c.kill(FOUNDER).compose(x -> c.kill(LAST)))
        .compose(v -> awaitOutOfClusters(c, Set.of(FOUNDER, LAST)))
        .compose(v -> c.restart(FOUNDER).compose(x -> c.restart(LAST)))
        .compose(v -> c.awaitConverged(FIVE_IN_ONE))
        .compose(v -> c.awaitViewsAgree())
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.view().nodesIn(NodeState.ALIVE)).containsExactly(1L, 2L, 3L, 4L, 5L);
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aNodeRemovedFromTheDirectoryWhileItWasDownRejoinsWithItsOwnIdAndIsPlacedAgain(Vertx vertx,
      VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx, options().setFailedNodeRetentionMillis(SHORT_RETENTION_MILLIS),
        true);
    fiveNodes(c)
        .compose(v -> c.kill(LAST))
        .compose(v -> c.await(() -> c.view() != null && c.view().node(LAST).isEmpty(),
            "node " + LAST + " removed from the directory"))
        .compose(v -> c.restart(LAST))
        .compose(v -> c.awaitConverged(FIVE_IN_ONE))
        .compose(v -> c.awaitViewsAgree())
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(c.view().nodesIn(NodeState.ALIVE)).containsExactly(1L, 2L, 3L, 4L, 5L);
          assertThat(c.services.get(LAST).notReadyReason()).isNull();
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  @Test
  void aRestartedNodeThatIsNoMemberAndCannotReachTheLeaderSaysItIsNotReadyUntilItIsTakenBack(Vertx vertx,
      VertxTestContext ctx) {
    ManagedCluster c = new ManagedCluster(vertx, options(), true);
    fiveNodes(c)
        .compose(v -> c.kill(LAST))
        .compose(v -> awaitOutOfClusters(c, Set.of(LAST)))
        .compose(v -> {
          c.pause(LAST);
          return c.restart(LAST);
        })
        .compose(s -> c.await(() -> s.notReadyReason() != null, "the isolated node not ready"))
        .compose(v -> {
          ctx.verify(() -> assertThat(c.services.get(LAST).notReadyReason())
              .contains("cannot reach the management leader"));
          c.resume(LAST);
          return c.awaitConverged(FIVE_IN_ONE);
        })
        .compose(v -> c.awaitViewsAgree())
        .compose(v -> c.await(() -> c.services.get(LAST).notReadyReason() == null, "the node ready again"))
        .onComplete(ctx.succeeding(v -> c.close().onComplete(x -> ctx.completeNow())));
  }
}
