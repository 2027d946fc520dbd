package io.raftoral.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.management.ManagementCommand.Batch;
import io.raftoral.management.ManagementCommand.CreateCluster;
import io.raftoral.management.ManagementCommand.Heartbeat;
import io.raftoral.management.ManagementCommand.MarkFailed;
import io.raftoral.management.ManagementCommand.NodeLeaving;
import io.raftoral.management.ManagementCommand.RegisterNode;
import io.raftoral.management.ManagementCommand.RemoveCluster;
import io.raftoral.management.ManagementCommand.RemoveNode;
import io.raftoral.management.ManagementCommand.ReportMembership;
import io.raftoral.management.ManagementCommand.SetDesiredMembers;
import io.raftoral.management.ManagementCommand.SetMetadata;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The management state machine: deterministic, idempotent registration, guarded commands, snapshots. */
class ManagementStateMachineTest {

  private static ManagementResult apply(ManagementStateMachine sm, long index, ManagementCommand c) {
    // through the codec, as Raft delivers commands
    return sm.apply(index, ManagementCommand.CODEC.decode(ManagementCommand.CODEC.encode(c)));
  }

  @Test
  void registrationAllocatesDistinctIdsAndIsIdempotent() {
    ManagementStateMachine sm = new ManagementStateMachine();
    assertThat(apply(sm, 1, new RegisterNode("a:1", "r1", 1)).value()).isEqualTo(1);
    assertThat(apply(sm, 2, new RegisterNode("b:1", "r2", 0)).value()).isEqualTo(2);
    assertThat(apply(sm, 3, new RegisterNode("c:1", "r3", 0)).value()).isEqualTo(3);
    // a retry of the same request keeps its id; a restart at the same address that proves its storage (asks for
    // its stored id) too
    assertThat(apply(sm, 4, new RegisterNode("b:1", "r2", 0)).value()).isEqualTo(2);
    assertThat(apply(sm, 5, new RegisterNode("c:1", "r9", 3)).value()).isEqualTo(3);
    // a node insisting on a taken id is refused; on a free one it gets it, and allocation goes on past it
    ManagementResult taken = apply(sm, 6, new RegisterNode("d:1", "r4", 2));
    assertThat(taken.accepted()).isFalse();
    assertThat(taken.reason()).contains("belongs to b:1");
    assertThat(apply(sm, 7, new RegisterNode("d:1", "r4", 10)).value()).isEqualTo(10);
    assertThat(apply(sm, 8, new RegisterNode("e:1", "r5", 0)).value()).isEqualTo(11);
    assertThat(sm.view().nodes().keySet()).containsExactly(1L, 2L, 3L, 10L, 11L);
    assertThat(sm.view().appliedIndex()).isEqualTo(8);
  }

  @Test
  void aRegistrationByAddressWithoutProofOfStorageNeverGetsTheOldIdBack() {
    ManagementStateMachine sm = new ManagementStateMachine();
    apply(sm, 1, new RegisterNode("a:1", "ra", 1));
    apply(sm, 2, new RegisterNode("b:1", "rb", 0));
    apply(sm, 3, new CreateCluster(1, Set.of(1L, 2L)));
    long topology = sm.view().topologyVersion();
    // b:1 restarts on an empty storage: any id will do, it must not be node 2 again
    ManagementResult fresh = apply(sm, 4, new RegisterNode("b:1", "rb-after-disk-loss", 0));
    assertThat(fresh.accepted()).isTrue();
    assertThat(fresh.value()).isEqualTo(3);
    assertThat(sm.view().nodes().get(2L).state()).as("the lost identity is replaced").isEqualTo(NodeState.FAILED);
    assertThat(sm.view().nodes().get(3L).state()).isEqualTo(NodeState.ALIVE);
    assertThat(sm.view().topologyVersion()).as("a topology change for the cluster manager").isGreaterThan(topology);
    // again (a second disk loss): a newer id still, never one of the lost ones
    assertThat(apply(sm, 5, new RegisterNode("b:1", "rb-again", 0)).value()).isEqualTo(4);
    assertThat(sm.view().nodes().get(3L).state()).isEqualTo(NodeState.FAILED);
    // a retry of that registration gets the same new id; the node with storage of id 4 keeps it
    assertThat(apply(sm, 6, new RegisterNode("b:1", "rb-again", 0)).value()).isEqualTo(4);
    assertThat(apply(sm, 7, new RegisterNode("b:1", "rb-restart", 4)).value()).isEqualTo(4);
    // a stale storage of a replaced id cannot take the address back
    assertThat(apply(sm, 8, new RegisterNode("b:1", "rb-stale", 2)).accepted()).isFalse();
    assertThat(sm.view().nodes().get(4L).state()).isEqualTo(NodeState.ALIVE);
  }

  @Test
  void aNodeThatRejoinsWithItsOwnIdIsAliveAgainEvenWithARequestIdItUsedBefore() {
    ManagementStateMachine sm = new ManagementStateMachine();
    apply(sm, 1, new RegisterNode("a:1", "ra", 1));
    apply(sm, 2, new RegisterNode("b:1", "rb", 0));
    apply(sm, 3, new Heartbeat(2, 100));
    String rejoin = Discovery.rejoinRequestId("b:1", 2);
    assertThat(apply(sm, 4, new RegisterNode("b:1", rejoin, 2)).value()).isEqualTo(2);
    apply(sm, 5, new MarkFailed(2, 100));
    assertThat(sm.view().node(2).orElseThrow().state()).isEqualTo(NodeState.FAILED);
    long topology = sm.view().topologyVersion();
    // the same rejoin again, once the node was declared failed: alive again (a request id alone would be a no-op)
    assertThat(apply(sm, 6, new RegisterNode("b:1", rejoin, 2)).value()).isEqualTo(2);
    assertThat(sm.view().node(2).orElseThrow().state()).isEqualTo(NodeState.ALIVE);
    assertThat(sm.view().topologyVersion()).isEqualTo(topology + 1);
    assertThat(sm.view().registrations()).containsEntry(rejoin, 2L).hasSize(3);
    // removed from the directory, it gets its record back with its id
    apply(sm, 7, new MarkFailed(2, 100));
    apply(sm, 8, new RemoveNode(2));
    assertThat(sm.view().node(2)).isEmpty();
    assertThat(apply(sm, 9, new RegisterNode("b:1", rejoin, 2)).value()).isEqualTo(2);
    assertThat(sm.view().node(2).orElseThrow().alive()).isTrue();
    // an id another address holds is refused
    assertThat(apply(sm, 10, new RegisterNode("c:1", Discovery.rejoinRequestId("c:1", 2), 2)).accepted()).isFalse();
  }

  @Test
  void idsNeverCollideWhateverTheOrderOfRegistrations() {
    Random random = new Random(42);
    for (int run = 0; run < 50; run++) {
      ManagementStateMachine sm = new ManagementStateMachine();
      Set<Long> ids = new HashSet<>();
      List<ManagementCommand> regs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        regs.add(new RegisterNode("n" + i, "req" + i, random.nextInt(4) == 0 ? 1 + random.nextInt(30) : 0));
      }
      Collections.shuffle(regs, random);
      long index = 0;
      for (ManagementCommand c : regs) {
        ManagementResult r = apply(sm, ++index, c);
        if (r.accepted()) {
          assertThat(ids.add(r.value())).as("id %d allocated twice", r.value()).isTrue();
        }
      }
      assertThat(sm.view().nodes()).hasSize(ids.size());
    }
  }

  @Test
  void heartbeatsMoveLastSeenForwardAndReviveFailedNodes() {
    ManagementStateMachine sm = new ManagementStateMachine();
    apply(sm, 1, new RegisterNode("a", "r", 0));
    apply(sm, 2, new Heartbeat(1, 500));
    apply(sm, 3, new Heartbeat(1, 400));
    assertThat(sm.view().nodes().get(1L).lastSeenMillis()).isEqualTo(500);
    long version = sm.view().topologyVersion();
    assertThat(apply(sm, 4, new MarkFailed(1, 499)).accepted()).as("heard from since").isFalse();
    assertThat(apply(sm, 5, new MarkFailed(1, 500)).accepted()).isTrue();
    assertThat(sm.view().nodes().get(1L).state()).isEqualTo(NodeState.FAILED);
    assertThat(sm.view().topologyVersion()).isEqualTo(version + 1);
    apply(sm, 6, new Heartbeat(1, 900));
    assertThat(sm.view().nodes().get(1L).state()).isEqualTo(NodeState.ALIVE);
    assertThat(apply(sm, 7, new Heartbeat(99, 900)).accepted()).isFalse();
  }

  @Test
  void clustersAreCreatedWithTheNextIdOnlyAndBatchesAreAllOrNothing() {
    ManagementStateMachine sm = new ManagementStateMachine();
    apply(sm, 1, new RegisterNode("a", "ra", 0));
    apply(sm, 2, new RegisterNode("b", "rb", 0));
    assertThat(apply(sm, 3, new CreateCluster(2, Set.of(1L))).accepted()).isFalse();
    assertThat(apply(sm, 4, new CreateCluster(1, Set.of(1L, 2L))).value()).isEqualTo(1);
    assertThat(apply(sm, 5, new CreateCluster(1, Set.of(1L))).accepted()).as("a stale decision").isFalse();
    long version = sm.view().topologyVersion();
    ManagementResult stale = apply(sm, 6, new Batch(version - 1, List.of(new SetDesiredMembers(1, Set.of(1L)))));
    assertThat(stale.accepted()).isFalse();
    ManagementResult partly = apply(sm, 7, new Batch(version, List.of(new SetDesiredMembers(1, Set.of(1L)),
        new SetDesiredMembers(1, Set.of(1L, 77L)))));
    assertThat(partly.accepted()).isFalse();
    assertThat(sm.view().clusters().get(1L).desiredMembers()).as("nothing of a refused batch applied")
        .containsExactly(1L, 2L);
    assertThat(apply(sm, 8, new Batch(version, List.of(new SetDesiredMembers(1, Set.of(1L))))).accepted()).isTrue();
    assertThat(sm.view().clusters().get(1L).desiredMembers()).containsExactly(1L);
    assertThat(sm.view().clusters().get(1L).founders()).containsExactly(1L, 2L);
  }

  @Test
  void reportsOnlyMoveForwardAndLeaversAreRemovedOnceUnreferenced() {
    ManagementStateMachine sm = new ManagementStateMachine();
    apply(sm, 1, new RegisterNode("a", "ra", 0));
    apply(sm, 2, new RegisterNode("b", "rb", 0));
    apply(sm, 3, new CreateCluster(1, Set.of(1L, 2L)));
    assertThat(apply(sm, 4, new ReportMembership(1, Set.of(1L, 2L), Set.of(), 10)).accepted()).isTrue();
    assertThat(apply(sm, 5, new ReportMembership(1, Set.of(1L), Set.of(), 9)).accepted()).isFalse();
    assertThat(apply(sm, 6, new RemoveNode(2)).accepted()).as("alive").isFalse();
    apply(sm, 7, new NodeLeaving(2));
    assertThat(sm.view().nodes().get(2L).state()).isEqualTo(NodeState.LEAVING);
    apply(sm, 8, new SetDesiredMembers(1, Set.of(1L)));
    assertThat(apply(sm, 9, new RemoveNode(2)).accepted()).as("still reported").isFalse();
    apply(sm, 10, new ReportMembership(1, Set.of(1L), Set.of(), 12));
    assertThat(apply(sm, 11, new RemoveNode(2)).accepted()).isTrue();
    assertThat(sm.view().nodes().keySet()).containsExactly(1L);
    assertThat(sm.view().registrations()).doesNotContainKey("rb");
    // its id is not reused
    assertThat(apply(sm, 12, new RegisterNode("b", "rb2", 0)).value()).isEqualTo(3);
    assertThat(apply(sm, 13, new RemoveCluster(1)).accepted()).isTrue();
    assertThat(sm.view().clusters()).isEmpty();
  }

  @Test
  void snapshotRestoresTheSameStateOnAnotherReplica() {
    ManagementStateMachine sm = new ManagementStateMachine();
    long i = 0;
    for (int n = 0; n < 5; n++) {
      apply(sm, ++i, new RegisterNode("n" + n, "r" + n, 0));
      apply(sm, ++i, new Heartbeat(n + 1, 1000 + n));
    }
    apply(sm, ++i, new CreateCluster(1, Set.of(1L, 2L, 3L)));
    apply(sm, ++i, new CreateCluster(2, Set.of(4L, 5L)));
    apply(sm, ++i, new ReportMembership(1, Set.of(1L, 2L), Set.of(3L), 77));
    apply(sm, ++i, new NodeLeaving(5));
    apply(sm, ++i, new MarkFailed(4, 1003));
    apply(sm, ++i, new SetMetadata("name", "prod"));
    apply(sm, ++i, new SetMetadata("gone", "x"));
    apply(sm, ++i, new SetMetadata("gone", null));

    ManagementStateMachine other = new ManagementStateMachine();
    List<ManagementView> seen = new ArrayList<>();
    other.onChange(seen::add);
    other.restore(sm.snapshot());
    assertThat(other.view()).isEqualTo(sm.view());
    assertThat(seen).containsExactly(sm.view());
    assertThat(other.view().metadata()).containsExactly(Map.entry("name", "prod"));
    // and both go on identically
    ManagementCommand next = new RegisterNode("n9", "r9", 0);
    assertThat(apply(other, i + 1, next)).isEqualTo(apply(sm, i + 1, next));
    assertThat(other.view()).isEqualTo(sm.view());
    assertThat(other.snapshot()).isEqualTo(sm.snapshot());
  }

  @Test
  void everyCommandSurvivesTheCodec() {
    List<ManagementCommand> all = List.of(new RegisterNode("a", "r", 3), new Heartbeat(1, 2), new MarkFailed(1, 2),
        new NodeLeaving(1), new RemoveNode(1), new CreateCluster(1, Set.of(1L, 2L)),
        new SetDesiredMembers(1, Set.of(3L)), new RemoveCluster(1),
        new ReportMembership(1, Set.of(1L), Set.of(2L), 5), new SetMetadata("k", null),
        new Batch(4, List.of(new NodeLeaving(2), new Batch(-1, List.of()))));
    for (ManagementCommand c : all) {
      assertThat(ManagementCommand.CODEC.decode(ManagementCommand.CODEC.encode(c))).isEqualTo(c);
    }
    assertThat(new String(ManagementCommand.CODEC.encode(new NodeLeaving(7)))).contains("\"type\":\"NodeLeaving\"");
    assertThatThrownBy(() -> ManagementCommand.CODEC.decode("{\"type\":\"Nope\"}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManagementStateMachine().restore("garbage".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionsRoundTripThroughJsonAndRefuseInconsistentSettings() {
    ManagementOptions o = new ManagementOptions().setMaxVoters(3).setTargetClusterSize(5).setSplitThreshold(10)
        .setHeartbeatIntervalMillis(100).setFailureTimeoutMillis(1000).setReconcileIntervalMillis(50)
        .setMaxLearnerLagEntries(7).setFailedNodeRetentionMillis(60_000);
    assertThat(new ManagementOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    assertThat(new ManagementOptions(o.toJson()).getFailedNodeRetentionMillis()).isEqualTo(60_000);
    assertThat(new ManagementOptions(new JsonObject()).getFailedNodeRetentionMillis())
        .isEqualTo(ManagementOptions.DEFAULT_FAILED_NODE_RETENTION_MILLIS);
    assertThatThrownBy(() -> new ManagementOptions().setFailedNodeRetentionMillis(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ManagementOptions().toJson().getInteger("maxVoters")).isEqualTo(5);
    assertThatThrownBy(() -> new ManagementOptions().setSplitThreshold(5).validate())
        .hasMessageContaining("splitThreshold");
    assertThatThrownBy(() -> new ManagementOptions().setFailureTimeoutMillis(1500).validate())
        .hasMessageContaining("failureTimeoutMillis");
    assertThatThrownBy(() -> new ManagementOptions().setMaxVoters(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionsCopyCarriesEveryField() {
    ManagementOptions o = new ManagementOptions().setMaxVoters(3).setTargetClusterSize(5).setSplitThreshold(10)
        .setHeartbeatIntervalMillis(100).setFailureTimeoutMillis(1000).setReconcileIntervalMillis(50)
        .setMaxLearnerLagEntries(7).setMergeUndersizedClusters(true).setFailedNodeRetentionMillis(60_000);
    assertThat(new ManagementOptions(o).toJson()).isEqualTo(o.toJson());
    assertThatThrownBy(() -> new ManagementOptions(new ManagementOptions().setSplitThreshold(5)))
        .hasMessageContaining("splitThreshold");
  }
}
