package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.management.ManagementCommand.CreateCluster;
import io.raftoral.management.ManagementCommand.MarkFailed;
import io.raftoral.management.ManagementCommand.RemoveCluster;
import io.raftoral.management.ManagementCommand.RemoveNode;
import io.raftoral.raft.Membership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The cluster manager's rules, as pure functions of the management state. */
class ClusterManagerTest {

  private static final ManagementOptions OPTIONS = new ManagementOptions().setMergeUndersizedClusters(true);

  @Test
  void theFirstNodeGetsTheFirstExecutionCluster() {
    ManagementSim sim = new ManagementSim();
    long first = sim.join("n1");
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).containsExactly(new CreateCluster(1, Set.of(first)));
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(first)));
    assertThat(sim.round()).isEmpty();
  }

  @Test
  void nothingIsDecidedBeforeAnyNodeRegistered() {
    assertThat(ClusterManager.decide(ManagementView.EMPTY, Membership.EMPTY, 1000, 0, OPTIONS)).isEmpty();
  }

  @Test
  void sevenNodesJoiningOneAtATimeFillSplitAndFill() {
    ManagementSim sim = new ManagementSim();
    List<Map<Long, Set<Long>>> layouts = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      sim.join("n" + i);
      sim.settle();
      layouts.add(sim.layout());
      assertRules(sim);
    }
    assertThat(layouts.get(0)).isEqualTo(Map.of(1L, Set.of(1L)));
    assertThat(layouts.get(2)).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L)));
    // no cluster is created for a lone node once one exists: it joins the smallest cluster...
    assertThat(layouts.get(3)).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 4L)));
    assertThat(layouts.get(4)).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 4L, 5L)));
    // ...until the sixth member splits it into 3 + 3; the sixth node never joins cluster 1, it founds cluster 2
    assertThat(layouts.get(5)).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)));
    assertThat(sim.view.clusters().get(2L).founders()).containsExactly(4L, 5L, 6L);
    assertThat(layouts.get(6)).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 7L), 2L, Set.of(4L, 5L, 6L)));
  }

  @Test
  void aClusterOfSixSplitsIntoThreeAndThree() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 5; i++) {
      sim.join("n" + i);
    }
    sim.settle();
    // five registered at once: three found cluster 1 at bootstrap, the other two join it
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 4L, 5L)));
    sim.join("n6");
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).contains(new CreateCluster(2, Set.of(4L, 5L, 6L)),
        new ManagementCommand.SetDesiredMembers(1, Set.of(1L, 2L, 3L)));
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)));
  }

  @Test
  void unplacedNodesEnoughForAClusterFoundANewOne() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 3; i++) {
      sim.join("n" + i);
    }
    sim.settle();
    for (int i = 4; i <= 6; i++) {
      sim.join("n" + i);
    }
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).containsExactly(new CreateCluster(2, Set.of(4L, 5L, 6L)));
  }

  @Test
  void aFailedMemberIsReplacedFromAClusterAboveTheTargetSize() {
    ManagementSim sim = sevenNodes();
    sim.now += OPTIONS.getFailureTimeoutMillis() + 1;
    sim.heartbeatAllBut(Set.of(5L));
    sim.now += 1;
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).contains(new MarkFailed(5, 1_000_000));
    assertThat(sim.view.nodes().get(5L).state()).isEqualTo(NodeState.FAILED);
    // cluster 2 lost node 5; cluster 1 had a fourth member to give
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 6L, 7L)));
    assertRules(sim);
  }

  @Test
  void aFailedMemberIsReplacedByAnUnplacedNode() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 3; i++) {
      sim.join("n" + i);
    }
    sim.settle();
    sim.now += OPTIONS.getFailureTimeoutMillis() + 1;
    sim.heartbeatAllBut(Set.of(2L));
    sim.join("n4");
    sim.round();
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 3L, 4L)));
  }

  @Test
  void withoutMergingAnUndersizedClusterIsKeptAndRefilledByTheNextJoiner() {
    ManagementSim sim = new ManagementSim(new ManagementOptions());
    for (int i = 1; i <= 6; i++) {
      sim.join("n" + i);
      sim.settle();
    }
    sim.apply(new ManagementCommand.NodeLeaving(5));
    sim.apply(new ManagementCommand.NodeLeaving(6));
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).doesNotContain(new RemoveCluster(2));
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L)));
    sim.settle();
    sim.join("n7");
    sim.settle();
    assertThat(sim.layout().get(2L)).hasSize(2).contains(4L);
  }

  @Test
  void aClusterBelowTheTargetSizeIsMergedWhenNoNodeCanBeSpared() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 6; i++) {
      sim.join("n" + i);
      sim.settle();
    }
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)));
    sim.apply(new ManagementCommand.NodeLeaving(5));
    sim.apply(new ManagementCommand.NodeLeaving(6));
    List<ManagementCommand> decision = sim.round();
    assertThat(decision).contains(new RemoveCluster(2));
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 4L)));
    // once nothing refers to them and they are out of cluster 0, the leavers are forgotten
    sim.settle();
    assertThat(sim.view.nodes().keySet()).containsExactly(1L, 2L, 3L, 4L);
    assertRules(sim);
  }

  @Test
  void aLeavingNodeIsRemovedOnlyOnceNothingRefersToIt() {
    ManagementSim sim = sevenNodes();
    sim.apply(new ManagementCommand.NodeLeaving(7));
    // still reported as a member of cluster 1, and still in cluster 0: not forgotten yet
    List<ManagementCommand> first = ClusterManager.decide(sim.view, sim.managementMembership(), sim.now,
        sim.leaderSince, OPTIONS);
    assertThat(first).doesNotContain(new RemoveNode(7));
    sim.round();
    assertThat(sim.layout().get(1L)).doesNotContain(7L);
    // reported membership updated by the sim: no cluster refers to 7; but cluster 0 still has it as a member
    Membership stillInClusterZero = new Membership(Set.of(1L, 2L, 3L, 4L, 5L), Set.of(6L, 7L));
    assertThat(ClusterManager.decide(sim.view, stillInClusterZero, sim.now, sim.leaderSince, OPTIONS))
        .doesNotContain(new RemoveNode(7));
    assertThat(ClusterManager.decide(sim.view, sim.managementMembership(), sim.now, sim.leaderSince, OPTIONS))
        .containsExactly(new RemoveNode(7));
  }

  @Test
  void aNodePausedForLessThanTheTimeoutIsNotDeclaredDead() {
    ManagementSim sim = sevenNodes();
    long lastSeen = sim.now;
    sim.now = lastSeen + OPTIONS.getFailureTimeoutMillis();
    sim.heartbeatAllBut(Set.of(3L));
    assertThat(sim.round()).isEmpty();
    sim.heartbeat(3); // it resumes just in time
    sim.now += OPTIONS.getFailureTimeoutMillis();
    sim.heartbeatAllBut(Set.of());
    assertThat(sim.round()).isEmpty();
    // one millisecond more than the timeout without a heartbeat, and it is
    sim.now += OPTIONS.getFailureTimeoutMillis() + 1;
    sim.heartbeatAllBut(Set.of(3L));
    assertThat(sim.round()).contains(new MarkFailed(3, sim.now - OPTIONS.getFailureTimeoutMillis() - 1));
  }

  @Test
  void aNewLeaderWaitsAFullTimeoutBeforeJudgingAnyone() {
    ManagementSim sim = sevenNodes();
    // nobody was heard from for a long time, but this leader took office only just now
    sim.now += 10 * OPTIONS.getFailureTimeoutMillis();
    sim.leaderSince = sim.now - 1;
    assertThat(sim.round()).isEmpty();
    sim.now = sim.leaderSince + OPTIONS.getFailureTimeoutMillis() + 1;
    assertThat(sim.round()).filteredOn(c -> c instanceof MarkFailed).hasSize(7);
  }

  @Test
  void aClusterWhoseMembersAllFailedIsLeftAloneAndRevivedMembersArePlacedAgain() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 6; i++) {
      sim.join("n" + i);
      sim.settle();
    }
    sim.now += OPTIONS.getFailureTimeoutMillis() + 1;
    sim.heartbeatAllBut(Set.of(4L, 5L, 6L));
    sim.settle();
    assertThat(sim.layout()).as("nothing could reconcile cluster 2; it is kept for when its members return")
        .isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)));
    sim.heartbeat(4, 5, 6);
    assertThat(sim.view.nodesIn(NodeState.ALIVE)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    sim.settle();
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L), 2L, Set.of(4L, 5L, 6L)));
  }

  @Test
  void managementMembersAreTheAliveNodesAndLeaversStillReferred() {
    ManagementSim sim = sevenNodes();
    sim.apply(new ManagementCommand.NodeLeaving(7));
    assertThat(ClusterManager.managementMembers(sim.view)).contains(7L);
    sim.round();
    assertThat(ClusterManager.managementMembers(sim.view)).doesNotContain(7L).hasSize(6);
  }

  /**
   * Property-style: random joins, failures, returns and graceful leaves (seeded), each followed by manager rounds;
   * after every event the layout obeys the rules and the manager settles.
   */
  @Test
  void randomMembershipHistoriesAlwaysSettleIntoALayoutThatObeysTheRules() {
    for (long seed = 1; seed <= 200; seed++) {
      Random random = new Random(seed);
      ManagementSim sim = new ManagementSim();
      Map<Long, Boolean> silent = new HashMap<>();
      int joined = 0;
      for (int step = 0; step < 60; step++) {
        int event = random.nextInt(10);
        TreeSet<Long> alive = new TreeSet<>(sim.view.nodesIn(NodeState.ALIVE));
        if (event < 4 || alive.isEmpty()) {
          sim.join("n" + (++joined));
        } else if (event < 6) {
          silent.put(pick(random, alive), true);
        } else if (event < 8 && !silent.isEmpty()) {
          silent.remove(pick(random, new TreeSet<>(silent.keySet())));
        } else if (alive.size() > 1) {
          long leaver = pick(random, alive);
          sim.apply(new ManagementCommand.NodeLeaving(leaver));
        }
        sim.now += random.nextInt((int) OPTIONS.getFailureTimeoutMillis());
        sim.heartbeatAllBut(silent.keySet());
        try {
          sim.settle();
          assertRules(sim);
        } catch (AssertionError e) {
          throw new AssertionError("seed " + seed + ", step " + step + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private static long pick(Random random, TreeSet<Long> ids) {
    return new ArrayList<>(ids).get(random.nextInt(ids.size()));
  }

  private static ManagementSim sevenNodes() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 7; i++) {
      sim.join("n" + i);
      sim.settle();
    }
    return sim;
  }

  /** The layout rules that hold once the manager has settled. */
  private static void assertRules(ManagementSim sim) {
    ManagementView v = sim.view;
    Set<Long> alive = v.nodesIn(NodeState.ALIVE);
    Map<Long, Integer> placements = new HashMap<>();
    for (ExecutionCluster c : v.clusters().values()) {
      boolean dormant = c.desiredMembers().stream().noneMatch(alive::contains) && !c.desiredMembers().isEmpty();
      if (dormant) {
        // (a leaving member of a cluster whose other members all failed waits for them: nothing can remove it)
        assertThat(c.desiredMembers()).as("a dormant cluster holds only failed and leaving nodes")
            .allMatch(id -> v.nodes().get(id).state() != NodeState.ALIVE)
            .anyMatch(id -> v.nodes().get(id).state() == NodeState.FAILED);
        continue;
      }
      assertThat(alive).as("cluster %d wants only alive nodes", c.id()).containsAll(c.desiredMembers());
      assertThat(c.desiredMembers().size()).as("cluster %d below the split threshold", c.id())
          .isLessThan(sim.options.getSplitThreshold());
      if (alive.size() >= sim.options.getTargetClusterSize()) {
        assertThat(c.desiredMembers().size()).as("cluster %d at least at the target size: %s", c.id(), sim.layout())
            .isGreaterThanOrEqualTo(sim.options.getTargetClusterSize());
      }
      c.desiredMembers().forEach(id -> placements.merge(id, 1, Integer::sum));
    }
    for (long id : alive) {
      assertThat(placements.getOrDefault(id, 0)).as("node %d in exactly one cluster: %s", id, sim.layout())
          .isEqualTo(1);
    }
    if (!alive.isEmpty()) {
      assertThat(v.clusters()).isNotEmpty();
    }
  }
}
