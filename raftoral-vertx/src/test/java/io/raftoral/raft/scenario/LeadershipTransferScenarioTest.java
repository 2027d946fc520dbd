package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.ProposalDroppedException;
import io.raftoral.raft.RaftNode;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer, Ongaro's thesis §3.10: the leader stops accepting client requests, brings the target's log up
 * to date, then sends it TimeoutNow so it starts an election at once (bypassing PreVote and leader leases); the
 * transfer is abandoned after an election timeout if it does not complete.
 */
class LeadershipTransferScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  private static boolean isTransferVote(Message m) {
    return m.type() == MessageType.VOTE && Arrays.equals(m.context(), Message.CAMPAIGN_TRANSFER);
  }

  @Test
  void transferToAnUpToDateFollowerCompletesWithoutTicksOrPreVote() {
    ScenarioCluster c = ScenarioCluster.create(3, 81);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "before");
    c.deliverAll();
    long term = c.node(1).term();

    c.clearMessageLog();
    c.node(1).transferLeadership(2);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(2);
    c.deliverAll();
    assertThat(c.leader()).isEqualTo(2);
    assertThat(c.node(2).term()).isEqualTo(term + 1);
    assertThat(c.node(1).leaderId()).isEqualTo(2);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(RaftNode.NONE);
    assertThat(c.countSent(from(1).and(to(2)).and(type(MessageType.TIMEOUT_NOW)))).isEqualTo(1);
    assertThat(c.countSent(type(MessageType.PRE_VOTE))).as("no PreVote round").isZero();
    assertThat(c.sent().stream().filter(type(MessageType.VOTE))).hasSize(2).allMatch(m -> isTransferVote(m));
    // Node 3 was inside its leader lease, yet granted the vote: a transfer overrides the lease.
    assertThat(c.sent().stream().filter(from(3).and(type(MessageType.VOTE_RESPONSE)))).singleElement()
        .matches(m -> !m.reject());

    c.propose(2, "after");
    c.deliverAll();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("before", "after");
    }
  }

  @Test
  void transferToALaggingFollowerFirstCatchesItUp() {
    ScenarioCluster c = ScenarioCluster.create(3, 82);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    for (int i = 0; i < 10; i++) {
      c.propose(1, "e" + i);
    }
    c.deliverAll();
    c.heal();
    long last = c.node(1).status().lastIndex();
    assertThat(c.node(3).status().lastIndex()).isLessThan(last);

    c.clearMessageLog();
    c.node(1).transferLeadership(3);
    c.processReadies();
    assertThat(c.countSent(type(MessageType.TIMEOUT_NOW))).as("not before it caught up").isZero();
    c.deliverAll();
    assertThat(c.leader()).isEqualTo(3);

    List<Message> sent = c.sent();
    int timeoutNow = indexOf(sent, type(MessageType.TIMEOUT_NOW).and(to(3)));
    int caughtUp = indexOf(sent, m -> m.type() == MessageType.APPEND_RESPONSE && m.from() == 3 && !m.reject()
        && m.index() == last);
    assertThat(caughtUp).isNotNegative().isLessThan(timeoutNow);
    c.deliverAll();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).hasSize(10);
    }
  }

  private static int indexOf(List<Message> ms, Predicate<Message> p) {
    for (int i = 0; i < ms.size(); i++) {
      if (p.test(ms.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void proposalsAreRefusedWhileATransferIsInProgress() {
    ScenarioCluster c = ScenarioCluster.create(3, 83);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    c.node(1).transferLeadership(3);
    long last = c.node(1).status().lastIndex();
    assertThatThrownBy(() -> c.propose(1, "x")).isInstanceOf(ProposalDroppedException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfigChange(ConfigChange.addLearner(4)))
        .isInstanceOf(ProposalDroppedException.class);
    // A proposal forwarded by a follower is dropped too (the follower cannot know).
    assertThat(c.propose(2, "fwd")).isZero();
    c.deliverAll();
    assertThat(c.node(1).status().lastIndex()).isEqualTo(last);
    assertThat(c.appliedData(1)).isEmpty();
  }

  @Test
  void transferToAnUnreachableNodeIsAbandonedAfterAnElectionTimeout() {
    ScenarioCluster c = ScenarioCluster.create(3, 84);
    assertThat(c.elect(1)).isTrue();
    long term = c.node(1).term();
    c.isolate(3);
    c.node(1).transferLeadership(3);
    c.tickAll(T - 1);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(3);
    assertThatThrownBy(() -> c.propose(1, "too-early")).isInstanceOf(ProposalDroppedException.class);
    c.tickAll(1);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(RaftNode.NONE);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.node(1).term()).isEqualTo(term);
    c.propose(1, "resumed");
    c.deliverAll();
    assertThat(c.appliedData(2)).containsExactly("resumed");
  }

  @Test
  void invalidTransfers() {
    ScenarioCluster c = ScenarioCluster.create(3, 85);
    assertThat(c.elect(1)).isTrue();
    assertThatThrownBy(() -> c.node(2).transferLeadership(3)).isInstanceOf(NotLeaderException.class);
    assertThatThrownBy(() -> c.node(1).transferLeadership(9)).isInstanceOf(IllegalArgumentException.class);
    c.node(1).transferLeadership(1); // to itself: nothing happens
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(RaftNode.NONE);
    c.propose(1, "ok");
    c.deliverAll();
    assertThat(c.appliedData(3)).containsExactly("ok");
  }
}
