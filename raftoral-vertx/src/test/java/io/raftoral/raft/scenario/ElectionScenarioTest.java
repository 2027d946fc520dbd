package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Leader election, Raft paper §5.2 ("Leader election"): randomized election timeouts, one vote per server per term,
 * majority wins, candidates step down when they lose, and split votes resolve. The durable vote is §5 Figure 2
 * ("Persistent state on all servers: currentTerm, votedFor").
 */
class ElectionScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5})
  void clusterElectsExactlyOneLeaderAndKeepsIt(int n) {
    for (long seed = 1; seed <= 20; seed++) {
      ScenarioCluster c = ScenarioCluster.create(n, seed);
      int rounds = c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 10 * T);
      assertThat(rounds).as("seed %d: a leader within 10 election timeouts", seed).isBetween(T, 10 * T);
      assertThat(c.leaders()).as("seed %d", seed).hasSize(1);
      long leader = c.leader();
      long term = c.node(leader).term();
      for (long id : c.ids()) {
        assertThat(c.node(id).term()).as("seed %d node %d term", seed, id).isEqualTo(term);
        assertThat(c.node(id).leaderId()).as("seed %d node %d leader", seed, id).isEqualTo(leader);
      }
      // A healthy leader keeps its followers from campaigning (§5.2: heartbeats reset election timeouts).
      c.clearMessageLog();
      c.tickAll(10 * T);
      assertThat(c.leader()).isEqualTo(leader);
      assertThat(c.node(leader).term()).isEqualTo(term);
      assertThat(c.countSent(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))).isZero();
    }
  }

  @Test
  void followerHearingNoLeaderCampaignsAfterItsRandomizedTimeout() {
    Set<Integer> timeouts = new HashSet<>();
    for (long seed = 1; seed <= 10; seed++) {
      ScenarioCluster c = ScenarioCluster.create(3, seed);
      for (long id : c.ids()) {
        RaftNode n = c.node(id);
        int ticks = c.tickUntil(id, () -> n.role() != Role.FOLLOWER, 3 * T);
        // §5.2 / RaftConfig: timeout drawn from [electionTicks, 2 * electionTicks).
        assertThat(ticks).as("seed %d node %d", seed, id).isBetween(T, 2 * T - 1);
        assertThat(n.role()).isEqualTo(Role.PRE_CANDIDATE);
        timeouts.add(ticks);
      }
    }
    assertThat(timeouts).as("timeouts are randomized").hasSizeGreaterThan(3);
  }

  @Test
  void followerDoesNotCampaignBeforeItsTimeout() {
    ScenarioCluster c = ScenarioCluster.create(3, 7);
    for (int i = 0; i < T - 1; i++) {
      c.tick(1);
      c.deliverAll();
    }
    assertThat(c.node(1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(c.countSent(from(1))).isZero();
  }

  @Test
  void voteIsGrantedAtMostOncePerTerm() {
    ScenarioCluster c = ScenarioCluster.create(3, 3, cfg -> cfg.setPreVote(false));
    // Nodes 1 and 2 both become candidates of the same term before any message moves.
    c.tickUntil(1, () -> c.node(1).role() == Role.CANDIDATE, 3 * T);
    c.tickUntil(2, () -> c.node(2).role() == Role.CANDIDATE, 3 * T);
    long term = c.node(1).term();
    assertThat(c.node(2).term()).isEqualTo(term);
    c.deliverAll();

    List<Message> from3 = c.sent().stream().filter(from(3).and(type(MessageType.VOTE_RESPONSE))).toList();
    assertThat(from3).hasSize(2);
    // Node 1's request reached node 3 first: granted; node 2's, in the same term: refused.
    assertThat(from3.get(0).to()).isEqualTo(1);
    assertThat(from3.get(0).reject()).isFalse();
    assertThat(from3.get(1).to()).isEqualTo(2);
    assertThat(from3.get(1).reject()).isTrue();
    assertThat(c.diskHardState(3).vote()).isEqualTo(1);
    assertThat(c.diskHardState(3).term()).isEqualTo(term);
    // Candidates voted for themselves and refuse each other.
    assertThat(c.sent().stream().filter(from(1).and(to(2)).and(type(MessageType.VOTE_RESPONSE))))
        .allMatch(Message::reject);
    assertThat(c.leaders()).containsExactly(1L);

    // A repeated request from the candidate it voted for is granted again (idempotent), another's is not.
    c.clearMessageLog();
    c.stepDirect(Message.builder(MessageType.VOTE, 2, 3).term(term).logTerm(99).index(99).build());
    c.deliverAll();
    assertThat(c.sent().stream().filter(from(3).and(type(MessageType.VOTE_RESPONSE)))).allMatch(Message::reject);
  }

  @Test
  void candidateThatLosesStepsDown() {
    ScenarioCluster c = ScenarioCluster.create(3, 5, cfg -> cfg.setPreVote(false).setCheckQuorum(false));
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    for (int i = 0; i < 3; i++) {
      c.propose(1, "x" + i);
    }
    c.deliverAll();
    c.heal();
    long oldTerm = c.node(1).term();

    // Node 3 has a stale log: both others refuse their vote (§5.4.1) and it returns to follower (§5.2).
    c.clearMessageLog();
    c.tickUntil(3, () -> c.node(3).role() == Role.CANDIDATE, 3 * T);
    c.deliverAll();
    assertThat(c.sent().stream().filter(to(3).and(type(MessageType.VOTE_RESPONSE))))
        .hasSize(2)
        .allMatch(Message::reject);
    assertThat(c.node(3).role()).isEqualTo(Role.FOLLOWER);
    assertThat(c.node(3).term()).isEqualTo(oldTerm + 1);
    // Without PreVote the higher term deposes the old leader (the disruption PreVote exists to avoid).
    assertThat(c.leaders()).isEmpty();

    int rounds = c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 10 * T);
    assertThat(rounds).isNotNegative();
    assertThat(c.leader()).isIn(1L, 2L);
    assertThat(c.node(c.leader()).term()).isGreaterThan(oldTerm);
    assertThat(c.appliedData(3)).containsExactly("x0", "x1", "x2");
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5})
  void splitVoteResolvesThroughRandomizedTimeouts(int n) {
    for (long seed = 1; seed <= 10; seed++) {
      ScenarioCluster c = ScenarioCluster.create(n, seed, cfg -> cfg.setPreVote(false));
      // Every node becomes a candidate of the same term before any vote request is delivered.
      for (long id : c.ids()) {
        c.tickUntil(id, () -> c.node(id).role() == Role.CANDIDATE, 3 * T);
      }
      long term = c.node(1).term();
      c.deliverAll();
      assertThat(c.leaders()).as("seed %d: everyone voted for itself", seed).isEmpty();
      for (long id : c.ids()) {
        assertThat(c.node(id).role()).as("seed %d node %d lost and stepped down", seed, id).isEqualTo(Role.FOLLOWER);
        assertThat(c.node(id).term()).isEqualTo(term);
      }
      int rounds = c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 20 * T);
      assertThat(rounds).as("seed %d: split vote resolved", seed).isNotNegative();
      assertThat(c.leaders()).hasSize(1);
      assertThat(c.node(c.leader()).term()).isGreaterThan(term);
    }
  }

  @Test
  void votePersistsAcrossRestartSoNoSecondVoteInTheSameTerm() {
    ScenarioCluster c = ScenarioCluster.create(3, 11, cfg -> cfg.setPreVote(false));
    c.isolate(2);
    c.dropIf(type(MessageType.VOTE_RESPONSE).and(to(1)));
    c.tickUntil(1, () -> c.node(1).role() == Role.CANDIDATE, 3 * T);
    long term = c.node(1).term();
    c.deliverAll();
    assertThat(c.sent().stream().filter(from(3).and(type(MessageType.VOTE_RESPONSE))))
        .singleElement().matches(m -> !m.reject());

    c.crash(3);
    RaftNode restarted = c.restart(3);
    assertThat(restarted.term()).isEqualTo(term);
    assertThat(c.diskHardState(3).vote()).isEqualTo(1);

    // Node 2 campaigns in the very same term: the restarted node 3 must not vote again.
    c.heal();
    c.clearInterceptor();
    c.clearMessageLog();
    c.tickUntil(2, () -> c.node(2).role() == Role.CANDIDATE, 3 * T);
    assertThat(c.node(2).term()).isEqualTo(term);
    c.deliverAll();
    assertThat(c.sent().stream().filter(from(3).and(to(2)).and(type(MessageType.VOTE_RESPONSE))))
        .singleElement().matches(Message::reject);
    assertThat(c.node(2).isLeader()).isFalse();
  }

  @Test
  void termsSurviveAFullClusterRestartAndNeverGoBack() {
    ScenarioCluster c = ScenarioCluster.create(3, 13);
    assertThat(c.elect(2)).isTrue();
    c.propose(2, "a");
    c.deliverAll();
    Map<Long, Long> terms = new HashMap<>();
    for (long id : c.ids()) {
      terms.put(id, c.node(id).term());
      c.crash(id);
    }
    List<Long> restartedTerms = new ArrayList<>();
    for (long id : c.ids()) {
      restartedTerms.add(c.restart(id).term());
      assertThat(c.node(id).term()).isEqualTo(terms.get(id));
      assertThat(c.node(id).role()).isEqualTo(Role.FOLLOWER);
    }
    assertThat(c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 10 * T)).isNotNegative();
    assertThat(c.node(c.leader()).term()).isGreaterThan(terms.get(2L));
    c.deliverAll();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("a");
    }
  }
}
