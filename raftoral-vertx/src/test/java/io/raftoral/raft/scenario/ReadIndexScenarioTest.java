package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.bytes;
import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.ReadState;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linearizable reads without log writes, Ongaro's thesis §6.4 ("Processing read-only queries more efficiently"):
 * the leader records its commit index as the read index, confirms it still leads with a round of heartbeats
 * acknowledged by a majority, and only then answers; a new leader first commits an entry of its term (its no-op,
 * §6.4 step 1); followers forward reads to the leader (§6.4.1).
 */
class ReadIndexScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  private static List<String> contexts(List<ReadState> rs) {
    return rs.stream().map(r -> ScenarioCluster.str(r.context())).toList();
  }

  @Test
  void leaderAnswersWithItsCommitIndexAfterAHeartbeatRound() {
    ScenarioCluster c = ScenarioCluster.create(3, 71);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "x");
    c.deliverAll();
    long commit = c.node(1).status().commitIndex();

    c.clearMessageLog();
    c.node(1).readIndex(bytes("r1"));
    c.processReadies();
    assertThat(c.readStates(1)).as("no answer before the quorum confirms leadership").isEmpty();
    assertThat(c.sent().stream().filter(from(1).and(type(MessageType.HEARTBEAT))))
        .hasSize(2)
        .allMatch(m -> Arrays.equals(m.context(), bytes("r1")));
    c.deliverAll();
    assertThat(c.readStates(1)).singleElement().satisfies(rs -> {
      assertThat(rs.index()).isEqualTo(commit);
      assertThat(rs.context()).isEqualTo(bytes("r1"));
    });
    assertThat(c.lastApplied(1)).isGreaterThanOrEqualTo(commit);
  }

  @Test
  void oneFollowerSufficesForTheQuorumButNoneDoesNot() {
    ScenarioCluster c = ScenarioCluster.create(3, 72);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    c.node(1).readIndex(bytes("one"));
    c.deliverAll();
    assertThat(contexts(c.readStates(1))).containsExactly("one");

    c.isolate(2);
    c.node(1).readIndex(bytes("none"));
    c.tickAll(T - 2);
    assertThat(contexts(c.readStates(1))).containsExactly("one");
  }

  @Test
  void acknowledgementsFromAMinorityDoNotAnswerTheRead() {
    ScenarioCluster c = ScenarioCluster.create(5, 70);
    assertThat(c.elect(1)).isTrue();
    c.partition(Set.of(1L, 2L), Set.of(3L), Set.of(4L), Set.of(5L));
    c.node(1).readIndex(bytes("r"));
    c.deliverAll();
    assertThat(c.countDelivered(from(2).and(type(MessageType.HEARTBEAT_RESPONSE)))).isPositive();
    assertThat(c.readStates(1)).as("2 of 5 is no quorum").isEmpty();
    c.partition(Set.of(1L, 2L, 3L), Set.of(4L), Set.of(5L));
    c.tickAll(1);
    assertThat(contexts(c.readStates(1))).containsExactly("r");
  }

  @Test
  void earlierReadsAreReleasedInOrderByALaterQuorum() {
    ScenarioCluster c = ScenarioCluster.create(3, 73);
    assertThat(c.elect(1)).isTrue();
    c.dropIf(type(MessageType.HEARTBEAT_RESPONSE));
    c.node(1).readIndex(bytes("first"));
    c.deliverAll();
    assertThat(c.readStates(1)).isEmpty();
    c.clearInterceptor();
    c.node(1).readIndex(bytes("second"));
    c.deliverAll();
    assertThat(contexts(c.readStates(1))).containsExactly("first", "second");
  }

  @Test
  void singleNodeAnswersAtOnce() {
    ScenarioCluster c = ScenarioCluster.create(1, 74);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "solo");
    c.deliverAll();
    c.node(1).readIndex(bytes("q"));
    c.deliverAll();
    assertThat(c.readStates(1)).singleElement()
        .satisfies(rs -> assertThat(rs.index()).isEqualTo(c.node(1).status().commitIndex()));
  }

  @Test
  void followerForwardsTheReadAndGetsTheLeadersCommitIndex() {
    ScenarioCluster c = ScenarioCluster.create(3, 75);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "x");
    c.deliverAll();
    long commit = c.node(1).status().commitIndex();
    c.clearMessageLog();
    c.node(2).readIndex(bytes("f1"));
    c.deliverAll();
    assertThat(c.countSent(from(2).and(to(1)).and(type(MessageType.READ_INDEX)))).isEqualTo(1);
    assertThat(c.countSent(from(1).and(to(2)).and(type(MessageType.READ_INDEX_RESPONSE)))).isEqualTo(1);
    assertThat(c.readStates(2)).singleElement().satisfies(rs -> {
      assertThat(rs.index()).isEqualTo(commit);
      assertThat(rs.context()).isEqualTo(bytes("f1"));
    });
    assertThat(c.readStates(1)).isEmpty();
    assertThat(c.lastApplied(2)).isGreaterThanOrEqualTo(commit);
  }

  @Test
  void followerWithoutLeaderRefusesReads() {
    ScenarioCluster c = ScenarioCluster.create(3, 76);
    assertThatThrownBy(() -> c.node(2).readIndex(bytes("q"))).isInstanceOf(NotLeaderException.class);
  }

  @ParameterizedTest(name = "checkQuorum={0}")
  @ValueSource(booleans = {true, false})
  void leaderCutOffFromTheQuorumNeverAnswers(boolean checkQuorum) {
    ScenarioCluster c = ScenarioCluster.create(3, 77, cfg -> cfg.setCheckQuorum(checkQuorum));
    assertThat(c.elect(1)).isTrue();
    c.isolate(1);
    c.node(1).readIndex(bytes("stale"));
    // Meanwhile the majority elects a new leader and commits a write the old leader never sees.
    assertThat(c.tickAllUntil(() -> c.leader() == 2 || c.leader() == 3, 20 * T)).isNotNegative();
    long leader = c.leader();
    c.propose(leader, "newer");
    c.deliverAll();
    c.tickAll(5 * T);
    assertThat(c.readStates(1)).isEmpty();
    if (!checkQuorum) {
      assertThat(c.node(1).isLeader()).as("still believes it leads").isTrue();
    }
    c.heal();
    c.tickAll(3);
    assertThat(c.node(1).isLeader()).isFalse();
    assertThat(c.readStates(1)).as("the deposed leader's read is dropped, never answered").isEmpty();
    // The real leader's reads reflect the newer write.
    c.node(leader).readIndex(bytes("fresh"));
    c.deliverAll();
    assertThat(c.readStates(leader)).singleElement()
        .satisfies(rs -> assertThat(rs.index()).isEqualTo(c.node(leader).status().commitIndex()));
  }

  @Test
  void newLeaderAnswersOnlyAfterCommittingItsNoOp() {
    ScenarioCluster c = ScenarioCluster.create(3, 78);
    assertThat(c.elect(1)).isTrue();
    long written = c.propose(1, "a");
    c.deliverAll();
    c.crash(1);
    c.dropIf(type(MessageType.APPEND)); // the new leader's no-op cannot replicate yet
    assertThat(c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 20 * T)).isNotNegative();
    long leader = c.leader();
    long noop = c.node(leader).status().lastIndex();
    assertThat(c.node(leader).status().commitIndex()).isLessThan(noop);

    c.clearMessageLog();
    c.node(leader).readIndex(bytes("n1"));
    c.tickAll(3);
    assertThat(c.readStates(leader)).isEmpty();
    assertThat(c.sent().stream().filter(type(MessageType.HEARTBEAT)))
        .as("no leadership confirmation before the no-op commits")
        .noneMatch(m -> Arrays.equals(m.context(), bytes("n1")));

    c.clearInterceptor();
    c.tickAll(2);
    assertThat(c.node(leader).status().commitIndex()).isEqualTo(noop);
    assertThat(c.readStates(leader)).singleElement().satisfies(rs -> {
      assertThat(rs.index()).isEqualTo(noop).isGreaterThan(written);
      assertThat(rs.context()).isEqualTo(bytes("n1"));
    });
  }

  @Test
  void learnerAcknowledgementsDoNotConfirmLeadership() {
    ScenarioCluster c = ScenarioCluster.create(3, 79);
    assertThat(c.elect(1)).isTrue();
    c.addNode(4);
    c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    c.deliverAll();
    c.isolate(2);
    c.isolate(3);
    c.clearMessageLog();
    c.node(1).readIndex(bytes("learner-only"));
    c.tickAll(T - 2);
    assertThat(c.countSent(from(4).and(type(MessageType.HEARTBEAT_RESPONSE))
        .and(m -> Arrays.equals(m.context(), bytes("learner-only"))))).isPositive();
    assertThat(c.readStates(1)).isEmpty();
    c.heal();
    c.tickAll(1);
    assertThat(contexts(c.readStates(1))).containsExactly("learner-only");
  }
}
