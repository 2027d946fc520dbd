package io.raftoral.raft.sim;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The safety properties of Raft (§5.2 Figure 3), checked incrementally as the simulation runs.
 *
 * <ul>
 *   <li><b>Election safety</b>: at most one leader per term.
 *   <li><b>Log matching</b>: every copy of the entry (index, term) has the same content and follows the same
 *       term at index - 1 (by induction, identical prefixes).
 *   <li><b>Leader completeness</b>: a server that becomes leader holds every entry committed so far.
 *   <li><b>State machine safety</b>: no two servers apply different entries at one index, and a server never
 *       applies something else at an index it applied before (also across crashes and snapshot installs).
 *   <li><b>Commit agreement</b>: no two servers ever consider different entries committed at one index.
 *   <li><b>Durability of acknowledgements</b>: a proposal acknowledged to its client is applied at its index.
 *   <li><b>Membership safety</b>: a leader's log holds at most one uncommitted configuration change, and each change
 *       alters the voter set by at most one server, so consecutive majorities always overlap (thesis §4.1).
 * </ul>
 */
final class InvariantChecker {

  private final Consumer<String[]> fail;
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  /** (index, term) -> {content fingerprint, previous term}. */
  private final Map<IndexTerm, long[]> entryRecord = new HashMap<>();
  private final Map<Long, Long> committedRecord = new HashMap<>();
  private final Map<Long, Long> appliedRecord = new HashMap<>();
  private final Map<Long, Long> checkedCommit = new HashMap<>();
  private final Map<Long, Long> leaderTermChecked = new HashMap<>();
  long maxCommitted;

  private record IndexTerm(long index, long term) {}

  InvariantChecker(Consumer<String[]> fail) {
    this.fail = fail;
  }

  private void violation(String invariant, String detail) {
    fail.accept(new String[] {invariant, detail});
  }

  /** A server hands out entries for persistence; {@code prevTerm} is the term its log holds just before them. */
  void onEntriesAppended(long node, List<Entry> entries, long prevTerm) {
    long prev = prevTerm;
    for (Entry e : entries) {
      long[] seen = entryRecord.putIfAbsent(new IndexTerm(e.index(), e.term()),
          new long[] {SimStateMachine.fingerprint(e), prev});
      if (seen != null && (seen[0] != SimStateMachine.fingerprint(e) || seen[1] != prev)) {
        violation("log matching", "node " + node + " holds " + e + " after term " + prev
            + " but another copy of (" + e.index() + "," + e.term() + ") has different content or follows term " + seen[1]);
      }
      prev = e.term();
    }
  }

  void onApplied(long node, long index, long fingerprint, String what) {
    Long seen = appliedRecord.putIfAbsent(index, fingerprint);
    if (seen != null && seen != fingerprint) {
      violation("state machine safety", "node " + node + " applied " + what + " at index " + index
          + " but another server (or an earlier run of this one) applied a different entry there");
    }
  }

  /** Checks every live server; called after each simulated time unit. */
  void checkServers(Iterable<RaftNode> live) {
    for (RaftNode n : live) {
      long id = n.id();
      long term = n.term();
      if (n.role() == Role.LEADER) {
        Long other = leaderOfTerm.putIfAbsent(term, id);
        if (other != null && other != id) {
          violation("election safety", "nodes " + other + " and " + id + " both led term " + term);
        }
        Long checkedTerm = leaderTermChecked.get(id);
        if (checkedTerm == null || checkedTerm != term) {
          leaderTermChecked.put(id, term);
          checkLeaderCompleteness(n);
        }
        checkLeaderMembership(n);
      }
      long commit = n.status().commitIndex();
      long from = Math.max(checkedCommit.getOrDefault(id, 0L), n.status().firstIndex() - 1);
      for (long i = from + 1; i <= commit; i++) {
        Entry e = n.entryAt(i);
        if (e == null) {
          continue;
        }
        long fp = SimStateMachine.fingerprint(e);
        Long seen = committedRecord.putIfAbsent(i, fp);
        if (seen != null && seen != fp) {
          violation("commit agreement", "node " + id + " considers " + e + " committed, another server committed a different entry at " + i);
        }
      }
      checkedCommit.put(id, Math.max(commit, checkedCommit.getOrDefault(id, 0L)));
      maxCommitted = Math.max(maxCommitted, commit);
    }
  }

  /** Node restarted: its volatile commit index starts again from what it persisted. */
  void onRestart(long node) {
    checkedCommit.remove(node);
  }

  private void checkLeaderCompleteness(RaftNode leader) {
    long first = leader.status().firstIndex();
    for (Map.Entry<Long, Long> c : committedRecord.entrySet()) {
      long index = c.getKey();
      if (index < first) {
        continue; // covered by the leader's snapshot, which only ever contains committed entries
      }
      Entry e = leader.entryAt(index);
      if (e == null || SimStateMachine.fingerprint(e) != c.getValue()) {
        violation("leader completeness", "node " + leader.id() + " leads term " + leader.term()
            + " without committed entry " + index + " (it has " + e + ")");
        return;
      }
    }
  }

  private void checkLeaderMembership(RaftNode leader) {
    long commit = leader.status().commitIndex();
    long last = leader.status().lastIndex();
    int uncommittedChanges = 0;
    for (long i = Math.max(commit + 1, leader.status().firstIndex()); i <= last; i++) {
      Entry e = leader.entryAt(i);
      if (e != null && e.type() == EntryType.CONFIG_CHANGE) {
        uncommittedChanges++;
      }
    }
    if (uncommittedChanges > 1) {
      violation("membership safety", "leader " + leader.id() + " has " + uncommittedChanges
          + " uncommitted configuration changes in its log");
    }
    Membership committed = leader.membershipAt(Math.max(commit, leader.status().firstIndex() - 1));
    Membership current = leader.membership();
    if (disjointMajoritiesPossible(committed.voters(), current.voters())) {
      violation("membership safety", "leader " + leader.id() + ": committed configuration " + committed
          + " and configuration in effect " + current + " admit two disjoint majorities");
    }
  }

  /** Whether a majority of {@code a} and a majority of {@code b} can be disjoint. */
  static boolean disjointMajoritiesPossible(Set<Long> a, Set<Long> b) {
    Set<Long> both = new TreeSet<>(a);
    both.retainAll(b);
    int onlyA = a.size() - both.size();
    int onlyB = b.size() - both.size();
    int needA = Math.max(0, (a.size() / 2 + 1) - onlyA);
    int needB = Math.max(0, (b.size() / 2 + 1) - onlyB);
    return needA + needB <= both.size();
  }

  Map<Long, Long> appliedRecord() {
    return appliedRecord;
  }
}
