package io.raftoral.raft.scenario;

import static io.raftoral.raft.scenario.ScenarioCluster.carriesEntries;
import static io.raftoral.raft.scenario.ScenarioCluster.from;
import static io.raftoral.raft.scenario.ScenarioCluster.to;
import static io.raftoral.raft.scenario.ScenarioCluster.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Snapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Log compaction, Raft paper §7 ("Log compaction"): a leader that has discarded entries a follower still needs sends
 * InstallSnapshot; the follower replaces its state machine and log by the snapshot and then continues with normal
 * AppendEntries; a server restarts from its snapshot plus the entries after it.
 */
class SnapshotScenarioTest {

  private static final int T = ScenarioCluster.ELECTION_TICKS;

  private static ScenarioCluster leaderAheadOfIsolatedFollower3(long seed, int entries) {
    ScenarioCluster c = ScenarioCluster.create(3, seed);
    assertThat(c.elect(1)).isTrue();
    c.isolate(3);
    for (int i = 0; i < entries; i++) {
      c.propose(1, "s" + i);
      c.deliverAll();
    }
    return c;
  }

  @Test
  void laggingFollowerInstallsSnapshotThenContinuesWithEntries() {
    ScenarioCluster c = leaderAheadOfIsolatedFollower3(61, 20);
    long compactTo = c.node(1).status().commitIndex() - 5;
    Snapshot snap = c.compact(1, compactTo);
    assertThat(snap.index()).isEqualTo(compactTo);
    assertThat(c.node(1).status().firstIndex()).isEqualTo(compactTo + 1);
    assertThat(c.node(3).status().lastIndex()).isLessThan(compactTo);

    c.heal();
    c.clearMessageLog();
    c.tickAll(3);
    List<Message> toThree = c.sent().stream().filter(from(1).and(to(3))).toList();
    assertThat(toThree.stream().filter(type(MessageType.SNAPSHOT))).singleElement()
        .satisfies(m -> assertThat(m.snapshot().index()).isEqualTo(compactTo));
    // After the snapshot, the remaining entries arrive by ordinary appends starting right after it.
    int snapAt = toThree.indexOf(toThree.stream().filter(type(MessageType.SNAPSHOT)).findFirst().orElseThrow());
    assertThat(toThree.subList(snapAt, toThree.size()).stream().filter(type(MessageType.APPEND).and(carriesEntries())))
        .first().satisfies(m -> assertThat(m.index()).isEqualTo(compactTo));
    assertThat(c.snapshotsInstalled(3)).isEqualTo(1);
    assertThat(c.diskSnapshot(3).index()).isEqualTo(compactTo);
    assertThat(c.node(3).status().firstIndex()).isEqualTo(compactTo + 1);
    assertThat(c.diskEntries(3)).isEqualTo(c.diskEntries(1));
    assertThat(c.appliedData(3)).isEqualTo(c.appliedData(1)).hasSize(20);

    c.propose(1, "later");
    c.deliverAll();
    assertThat(c.appliedData(3)).endsWith("later");
    assertThat(c.snapshotsInstalled(3)).isEqualTo(1);
  }

  @Test
  void newLearnerAfterCompactionStartsFromTheSnapshot() {
    ScenarioCluster c = ScenarioCluster.create(3, 62);
    assertThat(c.elect(1)).isTrue();
    for (int i = 0; i < 10; i++) {
      c.propose(1, "v" + i);
    }
    c.deliverAll();
    long compactTo = c.node(1).status().commitIndex();
    c.compact(1, compactTo);

    c.addNode(4);
    c.clearMessageLog();
    c.node(1).proposeConfigChange(ConfigChange.addLearner(4));
    c.deliverAll();
    c.tickAll(2);
    assertThat(c.countSent(from(1).and(to(4)).and(type(MessageType.SNAPSHOT)))).isEqualTo(1);
    assertThat(c.snapshotsInstalled(4)).isEqualTo(1);
    assertThat(c.node(4).membership()).isEqualTo(c.node(1).membership());
    assertThat(c.node(4).membership().learners()).containsExactly(4L);
    assertThat(c.appliedData(4)).isEqualTo(c.appliedData(1)).hasSize(10);
    c.propose(1, "more");
    c.deliverAll();
    assertThat(c.appliedData(4)).endsWith("more");
    assertThat(c.diskEntries(4)).isEqualTo(c.diskEntries(1));
  }

  @Test
  void restartedNodeRecoversFromSnapshotPlusEntries() {
    ScenarioCluster c = ScenarioCluster.create(3, 63);
    assertThat(c.elect(1)).isTrue();
    for (int i = 0; i < 10; i++) {
      c.propose(1, "a" + i);
    }
    c.deliverAll();
    long compactTo = c.lastApplied(2) - 3;
    c.compact(2, compactTo);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "b" + i);
    }
    c.deliverAll();
    long last = c.node(2).status().lastIndex();
    long commit = c.diskHardState(2).commit();
    List<String> before = c.appliedData(2);

    c.crash(2);
    RaftNode n = c.restart(2);
    assertThat(n.status().firstIndex()).isEqualTo(compactTo + 1);
    assertThat(n.status().lastIndex()).isEqualTo(last);
    assertThat(n.status().commitIndex()).isEqualTo(commit);
    assertThat(n.term()).isEqualTo(c.node(1).term());
    assertThat(n.membership()).isEqualTo(c.node(1).membership());
    assertThat(c.lastApplied(2)).as("state machine restored from the snapshot").isEqualTo(compactTo);
    // Re-applies the committed entries after the snapshot without hearing from anyone.
    c.processReadies();
    assertThat(c.appliedData(2)).isEqualTo(before);
    assertThat(c.lastApplied(2)).isEqualTo(commit);

    c.tickAll(2);
    c.propose(1, "after-restart");
    c.deliverAll();
    assertThat(c.appliedData(2)).isEqualTo(c.appliedData(1));
    assertThat(c.snapshotsInstalled(2)).isZero();
  }

  @Test
  void lostSnapshotIsRetried() {
    ScenarioCluster c = leaderAheadOfIsolatedFollower3(64, 12);
    c.compact(1, c.node(1).status().commitIndex());
    AtomicInteger dropped = new AtomicInteger();
    c.setInterceptor(m -> m.type() == MessageType.SNAPSHOT && dropped.getAndIncrement() == 0 ? null : m);
    c.heal();
    c.clearMessageLog();
    c.tickAll(1);
    assertThat(c.countSent(type(MessageType.SNAPSHOT))).isEqualTo(1);
    assertThat(c.snapshotsInstalled(3)).isZero();

    int rounds = c.tickAllUntil(() -> c.countSent(type(MessageType.SNAPSHOT)) >= 2, 6 * T);
    assertThat(rounds).as("retried, but not in a tight loop").isBetween(T, 4 * T);
    c.tickAll(2);
    assertThat(c.snapshotsInstalled(3)).isEqualTo(1);
    assertThat(c.appliedData(3)).isEqualTo(c.appliedData(1)).hasSize(12);
    assertThat(c.leader()).isEqualTo(1);
  }

  @Test
  void snapshotReplacesAConflictingLog() {
    ScenarioCluster c = ScenarioCluster.create(3, 65);
    assertThat(c.elect(1)).isTrue();
    c.propose(1, "common");
    c.deliverAll();
    c.isolate(1);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "orphan" + i);
    }
    c.deliverAll();
    assertThat(c.tickAllUntil(() -> c.leader() == 2 || c.leader() == 3, 20 * T)).isNotNegative();
    long leader = c.leader();
    for (int i = 0; i < 10; i++) {
      c.propose(leader, "new" + i);
    }
    c.deliverAll();
    c.compact(leader, c.node(leader).status().commitIndex());
    c.heal();
    c.tickAll(3);
    assertThat(c.snapshotsInstalled(1)).isEqualTo(1);
    assertThat(c.appliedData(1)).isEqualTo(c.appliedData(leader)).doesNotContain("orphan0");
    assertThat(c.node(1).status().lastIndex()).isEqualTo(c.node(leader).status().lastIndex());
    assertThat(c.diskEntries(1)).isEqualTo(c.diskEntries(leader));
  }

  @Test
  void snapshotReportedAsFailedIsResentOnTheNextHeartbeat() {
    ScenarioCluster c = leaderAheadOfIsolatedFollower3(66, 8);
    c.compact(1, c.node(1).status().commitIndex());
    AtomicInteger dropped = new AtomicInteger();
    c.setInterceptor(m -> m.type() == MessageType.SNAPSHOT && dropped.getAndIncrement() == 0 ? null : m);
    c.heal();
    c.clearMessageLog();
    c.tickAll(1);
    assertThat(c.countSent(type(MessageType.SNAPSHOT))).isEqualTo(1);
    c.node(1).reportSnapshot(3, false); // the transport noticed the failure
    int rounds = c.tickAllUntil(() -> c.snapshotsInstalled(3) == 1, 3 * T);
    assertThat(rounds).isBetween(1, 2);
    assertThat(c.appliedData(3)).isEqualTo(c.appliedData(1));
  }

  @Test
  void restartedCompactedNodeCanLeadAndShipItsSnapshotFromDisk() {
    ScenarioCluster c = ScenarioCluster.create(3, 67);
    assertThat(c.elect(1)).isTrue();
    for (int i = 0; i < 8; i++) {
      c.propose(1, "d" + i);
    }
    c.deliverAll();
    c.compact(2, c.lastApplied(2));
    c.crash(2);
    c.restart(2);
    c.tickAll(2);
    c.node(1).transferLeadership(2);
    c.deliverAll();
    assertThat(c.leader()).isEqualTo(2);

    c.addNode(4);
    c.tickAll(1);
    c.node(2).proposeConfigChange(ConfigChange.addLearner(4));
    c.deliverAll();
    c.tickAll(2);
    assertThat(c.snapshotsInstalled(4)).isEqualTo(1);
    assertThat(c.appliedData(4)).isEqualTo(c.appliedData(2)).hasSize(8);
    assertThat(c.node(4).membership()).isEqualTo(c.node(2).membership());
  }
}
