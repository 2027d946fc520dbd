package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.management.ManagementCommand.RegisterNode;
import io.raftoral.management.ManagementCommand.SetDraining;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An operator's drain: the node leaves every group without being declared failed, and comes back when undrained. */
class DrainingTest {

  @Test
  void aDrainedNodeIsReplacedEverywhereButNeverDeclaredFailedAndIsPlacedAgainWhenUndrained() {
    ManagementSim sim = new ManagementSim();
    for (int i = 1; i <= 4; i++) {
      sim.join("n" + i);
      sim.settle();
    }
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 2L, 3L, 4L)));

    assertThat(sim.apply(new SetDraining(2, true)).accepted()).isTrue();
    sim.settle();
    assertThat(sim.view.node(2).orElseThrow().state()).isEqualTo(NodeState.DRAINING);
    assertThat(sim.layout()).isEqualTo(Map.of(1L, Set.of(1L, 3L, 4L)));
    assertThat(ClusterManager.managementMembers(sim.view)).doesNotContain(2L);

    // silent for far longer than the failure timeout (stopped for maintenance): still draining, not failed
    sim.now += sim.options.getFailureTimeoutMillis() * 10;
    sim.heartbeatAllBut(Set.of(2L));
    sim.settle();
    assertThat(sim.view.node(2).orElseThrow().state()).isEqualTo(NodeState.DRAINING);
    // a restart registers it again: it stays draining
    assertThat(sim.apply(new RegisterNode("n2", "restart-n2", 2)).accepted()).isTrue();
    assertThat(sim.view.node(2).orElseThrow().state()).isEqualTo(NodeState.DRAINING);

    assertThat(sim.apply(new SetDraining(2, false)).accepted()).isTrue();
    sim.heartbeat(2);
    sim.settle();
    assertThat(sim.view.node(2).orElseThrow().state()).isEqualTo(NodeState.ALIVE);
    assertThat(sim.layout().get(1L)).contains(2L);
  }

  @Test
  void onlyAliveNodesAreDrainedAndUnknownOnesRefused() {
    ManagementSim sim = new ManagementSim();
    sim.join("n1");
    sim.join("n2");
    assertThat(sim.apply(new SetDraining(9, true)).accepted()).isFalse();
    assertThat(sim.apply(new ManagementCommand.NodeLeaving(2)).accepted()).isTrue();
    assertThat(sim.apply(new SetDraining(2, true)).accepted()).isFalse();
    // idempotent
    assertThat(sim.apply(new SetDraining(1, true)).accepted()).isTrue();
    assertThat(sim.apply(new SetDraining(1, true)).accepted()).isTrue();
    assertThat(sim.view.node(1).orElseThrow().state()).isEqualTo(NodeState.DRAINING);
  }
}
