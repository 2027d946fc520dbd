package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.carriesEntries;
import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Entry;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Log replication, Raft paper §5.3 ("Log replication"): AppendEntries consistency check, followers brought in line
 * with the leader's log (Figure 7), the optimization of skipping a whole term per rejection ("fast backtracking",
 * end of §5.3), plus the etcd-style pipelining/flow control and proposal forwarding of this implementation, and the
 * rule that the leader's own copy counts towards a majority only once durable (thesis §10.2.1).
 */
class ReplicationScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5})
  void proposalsReplicateAndCommitOnAllNodes(int n) {
    ScenarioCluster c = ScenarioCluster.create(n, 1);
    assertThat(c.elect(1)).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      c.propose(1, "p" + i);
      expected.add("p" + i);
      c.deliverAll();
    }
    for (int i = 10; i < 15; i++) { // a burst without delivery in between
      c.propose(1, "p" + i);
      expected.add("p" + i);
    }
    c.deliverAll();
    long commit = c.node(1).status().commitIndex();
    assertThat(commit).isEqualTo(c.node(1).status().lastIndex());
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).as("node %d", id).isEqualTo(expected);
      assertThat(c.node(id).status().commitIndex()).isEqualTo(commit);
      assertThat(c.diskEntries(id)).isEqualTo(c.diskEntries(1));
      assertThat(c.diskHardState(id).commit()).isEqualTo(commit);
    }
  }

  @Test
  void proposeReturnsTheIndexOfTheNewEntry() {
    ScenarioCluster c = ScenarioCluster.create(3, 2);
    assertThat(c.elect(1)).isTrue();
    long last = c.node(1).status().lastIndex();
    assertThat(c.propose(1, "a")).isEqualTo(last + 1);
    assertThat(c.propose(1, "b")).isEqualTo(last + 2);
    c.deliverAll();
    Entry e = c.applied(3).get(c.applied(3).size() - 1);
    assertThat(e.index()).isEqualTo(last + 2);
    assertThat(e.term()).isEqualTo(c.node(1).term());
  }

  @Test
  void followerWithMissingEntriesCatchesUp() {
    ScenarioCluster c = ScenarioCluster.create(3, 3);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    for (int i = 0; i < 10; i++) {
      c.propose(1, "m" + i);
    }
    c.deliverAll();
    // Committed with a majority of {1,2} even though 3 is missing everything.
    assertThat(c.appliedData(1)).hasSize(10);
    assertThat(c.appliedData(3)).isEmpty();
    assertThat(c.node(3).status().lastIndex()).isLessThan(c.node(1).status().lastIndex());

    c.heal();
    c.tickAll(2);
    assertThat(c.appliedData(3)).isEqualTo(c.appliedData(1));
    assertThat(c.diskEntries(3)).isEqualTo(c.diskEntries(1));
    assertThat(c.leader()).isEqualTo(1);
  }

  /**
   * Figure 7 style: a deposed leader (1) and a follower (4) hold uncommitted entries of an old term, another
   * follower (5) misses committed entries. The new leader forces all logs to match its own.
   */
  @Test
  void conflictingUncommittedEntriesFromAnOldTermAreOverwritten() {
    ScenarioCluster c = ScenarioCluster.create(5, 4);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "c1");
    c.deliverAll();
    c.isolate(5);
    c.propose(1, "c2");
    c.deliverAll();
    long oldTerm = c.node(1).term();

    // Leader 1 is cut off with follower 4 and appends entries that can never commit.
    c.heal();
    c.partition(Set.of(1L, 4L), Set.of(2L, 3L), Set.of(5L));
    c.propose(1, "u1");
    c.propose(1, "u2");
    c.propose(1, "u3");
    c.deliverAll();
    assertThat(c.node(4).status().lastIndex()).isEqualTo(c.node(1).status().lastIndex());
    long uncommittedFrom = c.node(1).status().commitIndex() + 1;

    // The majority {2,3,5} elects a new leader (5 lacks c2, so it cannot win) which appends its own entries.
    c.partition(Set.of(1L, 4L), Set.of(2L, 3L, 5L));
    int rounds = c.tickAllUntil(() -> {
      long l = c.leader();
      return l == 2 || l == 3;
    }, 20 * T);
    assertThat(rounds).isNotNegative();
    long leader = c.leader();
    assertThat(c.node(leader).term()).isGreaterThan(oldTerm);
    c.propose(leader, "n1");
    c.propose(leader, "n2");
    c.deliverAll();
    // 4 still holds the old-term entries at indexes the new leader now uses for other entries.
    Entry stale = c.diskEntries(4).stream().filter(e -> e.index() == uncommittedFrom).findFirst().orElseThrow();
    assertThat(stale.term()).isEqualTo(oldTerm);
    assertThat(c.node(leader).status().lastIndex()).isGreaterThanOrEqualTo(uncommittedFrom);

    c.heal();
    c.tickAll(5);
    assertThat(c.leader()).isEqualTo(leader);
    for (long id : c.ids()) {
      assertThat(c.diskEntries(id)).as("node %d log\n%s", id, c.describeLogs()).isEqualTo(c.diskEntries(leader));
      assertThat(c.appliedData(id)).as("node %d", id).containsExactly("c1", "c2", "n1", "n2");
    }
  }

  /**
   * A follower whose log has 50 entries of an old term beyond the divergence point: with term-based backtracking
   * (§5.3, last paragraphs) the leader finds the match point after one rejection instead of one per entry.
   */
  @Test
  void fastBacktrackingNeedsFewRoundTrips() {
    ScenarioCluster c = ScenarioCluster.create(3, 5);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "base");
    c.deliverAll();
    long divergence = c.node(1).status().lastIndex();

    c.isolate(1);
    for (int i = 0; i < 50; i++) {
      c.propose(1, "stale" + i);
    }
    c.deliverAll();
    assertThat(c.tickAllUntil(() -> c.leader() == 2 || c.leader() == 3, 20 * T)).isNotNegative();
    long l1 = c.leader();
    for (int i = 0; i < 60; i++) {
      c.propose(l1, "new" + i);
    }
    c.deliverAll();
    // Hand leadership to the other follower so the new leader's first probe to node 1 is far past the divergence.
    long l2 = l1 == 2 ? 3 : 2;
    c.node(l1).transferLeadership(l2);
    c.deliverAll();
    assertThat(c.leader()).isEqualTo(l2);
    assertThat(c.node(l2).status().lastIndex()).isGreaterThan(divergence + 60);

    c.heal();
    c.clearMessageLog();
    c.tickAll(3);
    assertThat(c.diskEntries(1)).isEqualTo(c.diskEntries(l2));
    long rejections = c.countSent(from(1).and(type(MessageType.APPEND_RESPONSE)).and(Message::reject));
    assertThat(rejections).as("rejections before the match point is found").isBetween(1L, 2L);
    assertThat(c.appliedData(1)).doesNotContain("stale0").contains("base", "new59");
  }

  @Test
  void flowControlStopsAfterMaxInflightAppendsAndResumesOnAcks() {
    ScenarioCluster c = ScenarioCluster.create(3, 6, cfg -> cfg.setMaxInflightMessages(2));
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "warmup"); // both followers are now in the replicate (pipelining) state
    c.deliverAll();

    List<Message> heldAcks = new ArrayList<>();
    c.setInterceptor(m -> {
      if (m.from() == 2 && m.type() == MessageType.APPEND_RESPONSE) {
        heldAcks.add(m);
        return null;
      }
      return m;
    });
    c.clearMessageLog();
    for (int i = 0; i < 5; i++) {
      c.propose(1, "f" + i);
      c.deliverAll();
    }
    assertThat(c.countSent(from(1).and(to(2)).and(type(MessageType.APPEND)).and(carriesEntries())))
        .as("appends in flight to the silent follower").isEqualTo(2);
    // The other follower is not held back.
    assertThat(c.appliedData(3)).endsWith("f0", "f1", "f2", "f3", "f4");
    assertThat(c.node(2).status().lastIndex()).isLessThan(c.node(1).status().lastIndex());

    c.clearInterceptor();
    c.clearMessageLog();
    heldAcks.forEach(c::inject);
    c.deliverAll();
    assertThat(c.countSent(from(1).and(to(2)).and(type(MessageType.APPEND)).and(carriesEntries()))).isPositive();
    assertThat(c.diskEntries(2)).isEqualTo(c.diskEntries(1));
    assertThat(c.appliedData(2)).isEqualTo(c.appliedData(1));
  }

  @Test
  void proposalOnFollowerIsForwardedToTheLeaderAndCommitted() {
    ScenarioCluster c = ScenarioCluster.create(3, 7);
    assertThat(c.elect(1)).isTrue();
    c.clearMessageLog();
    assertThat(c.propose(2, "fwd")).isZero();
    assertThat(c.node(2).status().lastIndex()).as("not appended locally").isEqualTo(c.node(1).status().lastIndex());
    c.deliverAll();
    assertThat(c.countSent(from(2).and(to(1)).and(type(MessageType.PROPOSE)))).isEqualTo(1);
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("fwd");
    }
    Entry e = c.applied(1).get(c.applied(1).size() - 1);
    assertThat(e.term()).isEqualTo(c.node(1).term());
  }

  @Test
  void withoutForwardingAFollowerRefusesWithTheLeaderHint() {
    ScenarioCluster c = ScenarioCluster.create(3, 8, cfg -> cfg.setForwardProposals(false));
    assertThat(c.elect(1)).isTrue();
    assertThatThrownBy(() -> c.propose(2, "x"))
        .isInstanceOfSatisfying(NotLeaderException.class, ex -> assertThat(ex.leaderHint()).isEqualTo(1));
    assertThat(c.node(2).status().lastIndex()).isEqualTo(c.node(1).status().lastIndex());
  }

  @Test
  void followerThatKnowsNoLeaderRefusesWithoutHint() {
    ScenarioCluster c = ScenarioCluster.create(3, 9);
    assertThatThrownBy(() -> c.propose(2, "x"))
        .isInstanceOfSatisfying(NotLeaderException.class,
            ex -> assertThat(ex.leaderHint()).isEqualTo(RaftNode.NONE));
  }

  @Test
  void singleNodeCommitsOnlyAfterAdvance() {
    ScenarioCluster c = ScenarioCluster.create(1, 10);
    assertThat(c.elect(1)).isTrue();
    c.deliverAll();
    c.setSlowDisk(1, true);
    long index = c.propose(1, "solo");
    c.processReadies(); // Ready handed out, write not finished
    assertThat(c.hasPendingReady(1)).isTrue();
    assertThat(c.node(1).status().commitIndex()).as("volatile copy not counted").isLessThan(index);
    c.flushDisk(1); // persist + advance()
    assertThat(c.node(1).status().commitIndex()).isEqualTo(index);
    assertThat(c.appliedData(1)).isEmpty();
    c.setSlowDisk(1, false);
    c.deliverAll();
    assertThat(c.appliedData(1)).containsExactly("solo");
  }

  @Test
  void leaderWithSlowDiskDoesNotCountItsOwnUnwrittenEntry() {
    ScenarioCluster c = ScenarioCluster.create(3, 11);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    c.setSlowDisk(1, true);
    long index = c.propose(1, "x");
    c.deliverAll(); // 1 sends the append before its write; 2 stores and acknowledges it
    assertThat(c.node(2).status().lastIndex()).isEqualTo(index);
    assertThat(c.diskHardState(2).commit()).isLessThan(index);
    assertThat(c.node(1).status().commitIndex())
        .as("one durable follower copy + one volatile leader copy is no majority").isLessThan(index);
    c.setSlowDisk(1, false);
    c.flushDisk(1);
    assertThat(c.node(1).status().commitIndex()).isEqualTo(index);
    c.deliverAll();
    assertThat(c.appliedData(1)).containsExactly("x");
    assertThat(c.appliedData(2)).containsExactly("x");
  }

  @Test
  void leaderCutOffFromBothFollowersCommitsNothing() {
    ScenarioCluster c = ScenarioCluster.create(3, 12);
    assertThat(c.elect(1)).isTrue();
    long commit = c.node(1).status().commitIndex();
    c.isolate(2);
    c.isolate(3);
    c.propose(1, "lonely");
    c.tickAll(T - 2);
    assertThat(c.node(1).status().lastIndex()).isEqualTo(commit + 1);
    assertThat(c.node(1).status().commitIndex()).isEqualTo(commit);
    assertThat(c.appliedData(1)).isEmpty();
  }
}
