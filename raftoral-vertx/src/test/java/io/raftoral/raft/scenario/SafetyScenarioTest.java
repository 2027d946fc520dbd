package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Safety, Raft paper §5.4: the election restriction (§5.4.1), committing entries from previous terms only
 * indirectly (§5.4.2, Figure 8), and Leader Completeness / State Machine Safety (§5.4.3): committed entries survive
 * any sequence of leader crashes. The harness additionally checks State Machine Safety on every apply.
 */
class SafetyScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  @ParameterizedTest(name = "preVote={0}")
  @ValueSource(booleans = {true, false})
  void nodeWithStaleLogCannotWinAnElection(boolean preVote) {
    // CheckQuorum off: otherwise node 2, still inside its leader lease, would ignore node 3 rather than refuse it.
    ScenarioCluster c = ScenarioCluster.create(3, 21, cfg -> cfg.setPreVote(preVote).setCheckQuorum(false));
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "e" + i);
    }
    c.deliverAll();
    assertThat(c.appliedData(2)).hasSize(5);
    c.crash(1);
    c.heal();

    // Node 3 times out first, but node 2 holds committed entries 3 lacks: 2 refuses (§5.4.1).
    c.clearMessageLog();
    c.tickUntil(3, () -> c.node(3).role() != Role.FOLLOWER, 3 * T);
    c.deliverAll();
    assertThat(c.node(3).isLeader()).isFalse();
    MessageType resp = preVote ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
    assertThat(c.sent().stream().filter(from(2).and(to(3)).and(type(resp)))).singleElement()
        .matches(Message::reject);

    for (int i = 0; i < 20 * T && c.leader() == RaftNode.NONE; i++) {
      c.tickAll(1);
      assertThat(c.node(3).isLeader()).as("stale node 3 never leads").isFalse();
    }
    assertThat(c.leader()).isEqualTo(2);
    c.deliverAll();
    assertThat(c.appliedData(3)).containsExactly("e0", "e1", "e2", "e3", "e4");
  }

  /**
   * Builds Figure 8 (a)-(c) with 5 servers (PreVote and CheckQuorum off so the classic algorithm runs):
   * (a) S1 leads term t1 and replicates X at index i only to S2; (b) S1 crashes, S5 is elected in term t2 by
   * S3, S4, S5 and appends a different entry at index i only locally; (c) S5 crashes, S1 restarts, is elected in a
   * term t3 and replicates X to S3 (and S4): X is now on a majority, but its term is t1 &lt; t3.
   */
  private static final class Figure8 {
    final ScenarioCluster c = ScenarioCluster.create(5, 31, cfg -> cfg.setPreVote(false).setCheckQuorum(false));
    long index;
    long t1;
    long t2;
    long t3;

    Figure8() {
      // (a)
      assertThat(c.elect(1)).isTrue();
      t1 = c.node(1).term();
      c.partition(Set.of(1L, 2L), Set.of(3L, 4L, 5L));
      index = c.propose(1, "X");
      c.deliverAll();
      assertThat(c.node(2).status().lastIndex()).isEqualTo(index);
      assertThat(c.node(1).status().commitIndex()).isLessThan(index);
      // (b)
      c.crash(1);
      c.dropIf(from(5).and(type(MessageType.APPEND).or(type(MessageType.HEARTBEAT))));
      assertThat(c.elect(5)).isTrue();
      t2 = c.node(5).term();
      assertThat(c.node(5).status().lastIndex()).isEqualTo(index); // its no-op, at index i, term t2
      assertThat(c.diskEntries(5).get((int) index - 1).term()).isEqualTo(t2);
      // (c)
      c.crash(5);
      c.heal();
      c.restart(1);
      // S1 may replicate old entries, but nothing of its new term (models the moment before it does).
      c.setInterceptor(m -> {
        if (m.from() == 1 && m.type() == MessageType.APPEND) {
          List<Entry> old = m.entries().stream().filter(e -> e.term() <= t1).toList();
          return new Message(m.type(), m.from(), m.to(), m.term(), m.logTerm(), m.index(), old, m.commit(),
              m.reject(), m.rejectHint(), m.snapshot(), m.context());
        }
        return m;
      });
      assertThat(c.campaignUntilLeader(1, 5 * T)).isTrue();
      t3 = c.node(1).term();
      assertThat(t3).isGreaterThan(t2);
      c.deliverAll();
    }

    long termAt(long node, long idx) {
      return c.diskEntries(node).stream().filter(e -> e.index() == idx).findFirst().map(Entry::term).orElse(-1L);
    }
  }

  @Test
  void figure8_oldTermEntryOnAMajorityIsNotCommittedByCounting() {
    Figure8 f = new Figure8();
    ScenarioCluster c = f.c;
    // X (term t1) is stored on S1, S2, S3, S4: a majority of five.
    for (long id : List.of(1L, 2L, 3L, 4L)) {
      assertThat(f.termAt(id, f.index)).as("S%d holds X", id).isEqualTo(f.t1);
    }
    // ... yet the leader of term t3 must not count replicas of a term-t1 entry (§5.4.2).
    assertThat(c.node(1).status().commitIndex()).isEqualTo(f.index - 1);
    for (long id : List.of(1L, 2L, 3L, 4L)) {
      assertThat(c.appliedData(id)).as("S%d", id).doesNotContain("X");
      assertThat(c.diskHardState(id).commit()).isLessThan(f.index);
    }
  }

  @Test
  void figure8_uncommittedOldTermEntryMayStillBeOverwritten() {
    Figure8 f = new Figure8();
    ScenarioCluster c = f.c;
    // (d) S1 crashes again; S5 (last entry of term t2 > t1) can be elected by S2, S3, S4 and overwrite X.
    c.crash(1);
    c.clearInterceptor();
    c.restart(5);
    assertThat(c.campaignUntilLeader(5, 5 * T)).isTrue();
    c.deliverAll();
    for (long id : List.of(2L, 3L, 4L, 5L)) {
      assertThat(f.termAt(id, f.index)).as("S%d now holds S5's entry", id).isEqualTo(f.t2);
      assertThat(c.appliedData(id)).doesNotContain("X");
      assertThat(c.node(id).status().commitIndex()).isGreaterThanOrEqualTo(f.index);
    }
    // Had S1 committed X by counting in (c), this would have lost a committed entry; the harness would have
    // flagged the conflicting applies as a State Machine Safety violation.
  }

  @Test
  void figure8_oldTermEntryCommitsOnceACurrentTermEntryCommits() {
    Figure8 f = new Figure8();
    ScenarioCluster c = f.c;
    // (e) S1 replicates an entry of its own term (its no-op) to a majority: X commits with it.
    c.clearInterceptor();
    c.tickAll(2);
    assertThat(c.node(1).isLeader()).isTrue();
    assertThat(c.node(1).status().commitIndex()).isGreaterThan(f.index);
    assertThat(f.termAt(1, f.index + 1)).isEqualTo(f.t3);
    for (long id : List.of(1L, 2L, 3L, 4L)) {
      assertThat(c.appliedData(id)).as("S%d", id).containsExactly("X");
    }
  }

  @Test
  void committedEntriesSurviveRepeatedLeaderCrashes() {
    Random rnd = new Random(77);
    ScenarioCluster c = ScenarioCluster.create(5, 41);
    List<String> committed = new ArrayList<>();
    assertThat(c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 20 * T)).isNotNegative();
    for (int round = 0; round < 8; round++) {
      long leader = c.leader();
      for (int k = 0; k < 3; k++) {
        String v = "r" + round + "-" + k;
        c.propose(leader, v);
        committed.add(v);
      }
      c.deliverAll();
      assertThat(c.appliedData(leader)).isEqualTo(committed);
      // Crash the leader and, sometimes, one more server (a majority of three stays up).
      c.crash(leader);
      long other = RaftNode.NONE;
      if (rnd.nextBoolean()) {
        other = c.ids().stream().filter(id -> id != leader).skip(rnd.nextInt(4)).findFirst().orElseThrow();
        c.crash(other);
      }
      assertThat(c.tickAllUntil(() -> c.leader() != RaftNode.NONE, 30 * T)).as("round %d", round).isNotNegative();
      long next = c.leader();
      // Leader Completeness (§5.4.3): the new leader holds every committed entry.
      List<String> inLog = c.diskEntries(next).stream()
          .filter(e -> e.data().length > 0 && e.type() == EntryType.NORMAL)
          .map(e -> ScenarioCluster.str(e.data())).toList();
      assertThat(inLog).as("round %d new leader %d", round, next).containsAll(committed);
      c.restart(leader);
      if (other != RaftNode.NONE) {
        c.restart(other);
      }
      c.tickAll(3);
    }
    c.tickAll(3);
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).as("node %d", id).isEqualTo(committed);
    }
  }
}
