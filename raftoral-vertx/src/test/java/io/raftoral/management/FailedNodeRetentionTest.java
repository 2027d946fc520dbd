package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.management.ManagementCommand.RegisterNode;
import io.raftoral.management.ManagementCommand.RemoveNode;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Failed nodes leave the node directory once the management leader has not heard from them for the retention, so
 * that a cluster whose nodes are replaced again and again keeps a directory of the size it has; and a removed node
 * that comes back registers again.
 */
class FailedNodeRetentionTest {

  private static final long FAILURE_TIMEOUT_MILLIS = 10_000;
  private static final long RETENTION_MILLIS = 60_000;
  /** Through JSON, as from a configuration file. */
  private static final ManagementOptions OPTIONS = new ManagementOptions(new JsonObject()
      .put("failureTimeoutMillis", FAILURE_TIMEOUT_MILLIS).put("failedNodeRetentionMillis", RETENTION_MILLIS));
  private static final int CLUSTER_NODES = 6;
  /** Nodes lost for good (and replaced by new ones) during the run. */
  private static final int REPLACEMENTS = 100;
  /** Time between two losses: the manager runs a round each heartbeat interval. */
  private static final long LOSS_EVERY_MILLIS = 2 * FAILURE_TIMEOUT_MILLIS;
  private static final long ROUND_EVERY_MILLIS = OPTIONS.getHeartbeatIntervalMillis();

  @Test
  void aClusterWhoseNodesAreReplacedForeverKeepsABoundedDirectory() {
    ManagementSim sim = new ManagementSim(OPTIONS);
    TreeSet<Long> live = new TreeSet<>();
    for (int i = 1; i <= CLUSTER_NODES; i++) {
      live.add(sim.join("n" + i));
    }
    sim.settle();
    int largestDirectory = 0;
    for (int r = 0; r < REPLACEMENTS; r++) {
      // the oldest node dies for good; a new one (a new machine, or one that lost its disk) takes its place
      live.remove(live.first());
      live.add(sim.join("replacement-" + r));
      for (long t = 0; t < LOSS_EVERY_MILLIS; t += ROUND_EVERY_MILLIS) {
        sim.now += ROUND_EVERY_MILLIS;
        sim.heartbeat(live.stream().mapToLong(Long::longValue).toArray());
        sim.round();
      }
      largestDirectory = Math.max(largestDirectory, sim.view.nodes().size());
    }
    // the nodes not heard from for the retention are gone; the others may still be there
    long failedWithinRetention = RETENTION_MILLIS / LOSS_EVERY_MILLIS + 1;
    assertThat((long) largestDirectory).isLessThanOrEqualTo(CLUSTER_NODES + failedWithinRetention);
    assertThat(sim.view.nodesIn(NodeState.ALIVE)).containsExactlyElementsOf(live);
    assertThat(sim.view.registrations().values()).allMatch(id -> sim.view.nodes().containsKey(id));
  }

  @Test
  void aFailedNodeStaysForTheRetentionAndARemovedNodeThatComesBackRegistersAgain() {
    ManagementSim sim = new ManagementSim(OPTIONS);
    for (int i = 1; i <= CLUSTER_NODES; i++) {
      sim.join("n" + i);
    }
    sim.settle();
    long lost = 2;
    Set<Long> silent = Set.of(lost);
    long lastSeen = sim.now;
    sim.now = lastSeen + FAILURE_TIMEOUT_MILLIS + 1;
    sim.heartbeatAllBut(silent);
    sim.settle();
    assertThat(sim.view.node(lost).orElseThrow().state()).isEqualTo(NodeState.FAILED);
    assertThat(sim.view.referencedByAnyCluster(lost)).isFalse();

    sim.now = lastSeen + RETENTION_MILLIS;
    sim.heartbeatAllBut(silent);
    assertThat(sim.round()).as("not yet: heard from exactly the retention ago").doesNotContain(new RemoveNode(lost));
    sim.now += 1;
    sim.heartbeatAllBut(silent);
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).contains(new RemoveNode(lost));
    assertThat(sim.view.node(lost)).isEmpty();

    // it comes back (its old request id, its old address): it gets a new id, never its old one or another's
    ManagementResult again = sim.apply(new RegisterNode("n2", "req-n2", RegisterNode.ANY_NODE_ID));
    assertThat(again.accepted()).as(again.reason()).isTrue();
    long newId = again.value();
    assertThat(newId).isGreaterThan(CLUSTER_NODES);
    sim.heartbeat(newId);
    sim.settle();
    assertThat(sim.view.node(newId).orElseThrow().alive()).isTrue();
    assertThat(sim.view.clustersDesiring(newId)).as("placed again").isNotEmpty();
  }

  @Test
  void aRemovedNodeMayTakeItsOwnIdBackAndANewLeaderWaitsTheWholeRetention() {
    ManagementSim sim = new ManagementSim(OPTIONS);
    for (int i = 1; i <= CLUSTER_NODES; i++) {
      sim.join("n" + i);
    }
    sim.settle();
    long lost = 3;
    sim.now += FAILURE_TIMEOUT_MILLIS + 1;
    sim.heartbeatAllBut(Set.of(lost));
    sim.settle();
    // a leader that took office just now has not watched the node long enough
    sim.now += 10 * RETENTION_MILLIS;
    sim.leaderSince = sim.now;
    sim.heartbeatAllBut(Set.of(lost));
    assertThat(sim.round()).doesNotContain(new RemoveNode(lost));
    sim.now += RETENTION_MILLIS + 1;
    sim.heartbeatAllBut(Set.of(lost));
    assertThat(sim.round()).contains(new RemoveNode(lost));

    // a node that kept its storage (and so its Raft state) asks for its own id back
    ManagementResult back = sim.apply(new RegisterNode("n3", "rejoin-3", lost));
    assertThat(back.accepted()).as(back.reason()).isTrue();
    assertThat(back.value()).isEqualTo(lost);
    sim.heartbeat(lost);
    sim.settle();
    assertThat(sim.view.clustersDesiring(lost)).isNotEmpty();
  }
}
