package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Preventing disruptions, Ongaro's thesis §9.6 (PreVote: a server only increments its term once a majority says it
 * could win) and §6.2 (CheckQuorum: a leader that has not heard from a majority for an election timeout steps down),
 * together with the leader leases of §4.2.3 (a server that heard from a leader within the minimum election timeout
 * ignores vote requests), which is what keeps removed servers from disrupting the cluster.
 */
class PreVoteCheckQuorumScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  @Test
  void partitionedFollowerKeepsItsTermAndRejoinsWithoutDisruptingTheLeader() {
    ScenarioCluster c = ScenarioCluster.create(3, 91);
    assertThat(c.elect(1)).isTrue();
    long term = c.node(1).term();
    c.isolate(3);
    c.clearMessageLog();
    for (int i = 0; i < 10 * T; i++) {
      c.tickAll(1);
      assertThat(c.node(3).term()).as("PreVote: term unchanged while partitioned").isEqualTo(term);
    }
    assertThat(c.countSent(from(3).and(type(MessageType.PRE_VOTE)))).as("it did try").isPositive();
    assertThat(c.countSent(from(3).and(type(MessageType.VOTE)))).isZero();
    c.propose(1, "meanwhile");
    c.deliverAll();

    c.heal();
    c.tickAll(3);
    assertThat(c.leader()).isEqualTo(1);
    for (long id : c.ids()) {
      assertThat(c.node(id).term()).as("node %d", id).isEqualTo(term);
      assertThat(c.node(id).leaderId()).isEqualTo(1);
    }
    assertThat(c.node(3).role()).isEqualTo(Role.FOLLOWER);
    assertThat(c.appliedData(3)).containsExactly("meanwhile");
  }

  /** The problem PreVote solves, for contrast: without it the rejoining server forces a new election. */
  @Test
  void withoutPreVoteOrCheckQuorumARejoiningFollowerDisruptsTheLeader() {
    ScenarioCluster c = ScenarioCluster.create(3, 92, cfg -> cfg.setPreVote(false).setCheckQuorum(false));
    assertThat(c.elect(1)).isTrue();
    long term = c.node(1).term();
    c.isolate(3);
    c.tickAll(10 * T);
    assertThat(c.node(3).term()).isGreaterThan(term + 2);
    c.heal();
    c.tickAll(5 * T);
    assertThat(c.node(c.leader()).term()).isGreaterThan(term + 2);
  }

  @Test
  void leaderCutOffFromTheMajorityStepsDownWithinTwoElectionTimeouts() {
    ScenarioCluster c = ScenarioCluster.create(3, 93);
    assertThat(c.elect(1)).isTrue();
    c.isolate(1);
    int rounds = c.tickAllUntil(() -> !c.node(1).isLeader(), 5 * T);
    // Quorum activity is checked once per election timeout over the window just ended; the followers' last acks
    // (at tick 0) count for the first window, so the leader steps down at the end of the second one.
    assertThat(rounds).isBetween(T, 2 * T);
    assertThat(c.node(1).role()).isEqualTo(Role.FOLLOWER);
    assertThat(c.node(1).leaderId()).isEqualTo(RaftNode.NONE);
    assertThat(c.tickAllUntil(() -> c.leader() == 2 || c.leader() == 3, 20 * T)).isNotNegative();
  }

  @Test
  void withoutCheckQuorumAnIsolatedLeaderKeepsBelievingItLeads() {
    ScenarioCluster c = ScenarioCluster.create(3, 94, cfg -> cfg.setCheckQuorum(false));
    assertThat(c.elect(1)).isTrue();
    c.isolate(1);
    c.tickAll(10 * T);
    assertThat(c.node(1).isLeader()).isTrue();
  }

  @Test
  void leaderThatLosesOnlyAMinorityKeepsLeading() {
    ScenarioCluster c = ScenarioCluster.create(5, 95);
    assertThat(c.elect(1)).isTrue();
    long term = c.node(1).term();
    c.isolate(4);
    c.isolate(5);
    c.tickAll(10 * T);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.node(1).term()).isEqualTo(term);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"VOTE", "PRE_VOTE"})
  void serversInsideTheLeaderLeaseIgnoreVoteRequests(String kind) {
    MessageType t = MessageType.valueOf(kind);
    ScenarioCluster c = ScenarioCluster.create(3, 96);
    assertThat(c.elect(1)).isTrue();
    long term = c.node(1).term();
    long lastIndex = c.node(2).status().lastIndex();
    c.clearMessageLog();
    // A request from node 3 with a higher term and an up-to-date log, to a follower and to the leader.
    for (long target : new long[] {1, 2}) {
      c.stepDirect(Message.builder(t, 3, target).term(term + 1).index(lastIndex + 5).logTerm(term).build());
    }
    c.deliverAll();
    assertThat(c.node(2).term()).isEqualTo(term);
    assertThat(c.node(1).term()).isEqualTo(term);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.countSent(to(3).and(type(MessageType.VOTE_RESPONSE).or(type(MessageType.PRE_VOTE_RESPONSE)))))
        .isZero();

    // The same request marked as a leadership transfer overrides the lease.
    c.stepDirect(Message.builder(MessageType.VOTE, 3, 2).term(term + 1).index(lastIndex + 5).logTerm(term)
        .context(Message.CAMPAIGN_TRANSFER).build());
    c.deliverAll();
    assertThat(c.node(2).term()).isEqualTo(term + 1);
    assertThat(c.sent().stream().filter(from(2).and(to(3)).and(type(MessageType.VOTE_RESPONSE)))).singleElement()
        .matches(m -> !m.reject());
  }

  @ParameterizedTest(name = "preVote={0}, reachableDuringRemoval={1}")
  @CsvSource({"true,false", "false,false", "true,true", "false,true"})
  void removedServerCannotDisruptTheCluster(boolean preVote, boolean reachable) {
    ScenarioCluster c = ScenarioCluster.create(3, 97, cfg -> cfg.setPreVote(preVote));
    assertThat(c.elect(1)).isTrue();
    if (!reachable) {
      c.isolate(3);
    }
    c.node(1).proposeConfigChange(ConfigChange.remove(3));
    c.deliverAll();
    long term = c.node(1).term();
    // The leader keeps replicating to 3 until the removal commits, so a reachable 3 learns of it; an unreachable
    // one does not, and keeps believing it is a voter.
    assertThat(c.node(3).membership().voters().contains(3L)).isEqualTo(!reachable);

    c.heal();
    c.clearMessageLog();
    c.tickAll(20 * T);
    assertThat(c.countSent(from(3).and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))))
        .as("only a server that missed its removal keeps campaigning").matches(n -> reachable ? n == 0 : n > 0);
    assertThat(c.countSent(from(1).and(to(3)))).as("nothing is sent to a server whose removal committed").isZero();
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.node(1).term()).isEqualTo(term);
    assertThat(c.node(2).term()).isEqualTo(term);
    c.propose(1, "undisturbed");
    c.deliverAll();
    assertThat(c.appliedData(2)).containsExactly("undisturbed");
  }

  @Test
  void learnerActivityDoesNotSatisfyCheckQuorum() {
    ScenarioCluster c = ScenarioCluster.create(3, 99);
    assertThat(c.elect(1)).isTrue();
    c.addNode(4);
    c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    c.deliverAll();
    c.partition(Set.of(1L, 4L), Set.of(2L, 3L));
    int rounds = c.tickAllUntil(() -> !c.node(1).isLeader(), 5 * T);
    assertThat(rounds).isBetween(T, 2 * T);
  }
}
