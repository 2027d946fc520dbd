package io.raftoral.raft;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The leader's flow-control state of every member and the votes of an election, like etcd raft's {@code tracker/}
 * package: one {@link Progress} per member (this server included), the quorum arithmetic over their match indexes
 * (§5.3 commit, thesis §6.2 CheckQuorum) and the vote tally (§5.2). What to send and when stays in {@link RaftNode}.
 */
final class ProgressTracker {

  /** The outcome of an election so far. */
  enum VoteResult { PENDING, WON, LOST }

  /** Replication progress of every member, by node id (ordered, so iteration is deterministic). */
  private final Map<Long, Progress> progress = new TreeMap<>();
  /** Votes received in the current election. */
  private final Map<Long, Boolean> votes = new HashMap<>();
  private final int maxInflightMessages;
  private final long maxInflightBytes;

  ProgressTracker(int maxInflightMessages, long maxInflightBytes) {
    this.maxInflightMessages = maxInflightMessages;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** The progress of {@code peer}, or null when it is not tracked. */
  Progress get(long peer) {
    return progress.get(peer);
  }

  /** Tracked members, this server included, in id order. */
  Set<Long> peers() {
    return progress.keySet();
  }

  /** Calls {@code action} for every tracked member, in id order. */
  void forEach(BiConsumer<Long, Progress> action) {
    progress.forEach(action);
  }

  /** Forgets every progress and vote (a new term or role). */
  void reset() {
    progress.clear();
    votes.clear();
  }

  /** Forgets the votes only (a pre-candidate starts a fresh tally in the same term). */
  void resetVotes() {
    votes.clear();
  }

  /**
   * Tracks exactly the members of {@code current} and {@code committed} (a server removed by a change that is not
   * committed yet still gets the log, so that it learns of its removal rather than being cut off before the entry
   * reaches it), plus {@code self}. New members start probing at {@code nextIndex}.
   */
  void syncWithMembership(long self, Membership current, Membership committed, long nextIndex) {
    Set<Long> members = new TreeSet<>(current.members());
    members.addAll(committed.members());
    progress.keySet().removeIf(peer -> peer != self && !members.contains(peer));
    for (long peer : members) {
      Progress pr = progress.get(peer);
      if (pr == null) {
        pr = newProgress(nextIndex, current.isLearner(peer));
        pr.recentActive = true;
        progress.put(peer, pr);
      }
      pr.learner = !current.isVoter(peer);
    }
    if (!progress.containsKey(self)) {
      progress.put(self, newProgress(nextIndex, true));
    }
  }

  private Progress newProgress(long next, boolean learner) {
    return new Progress(next, learner, maxInflightMessages, maxInflightBytes);
  }

  /** Marks every member recently active (a new leader gives everyone a full election timeout). */
  void markAllRecentlyActive() {
    progress.values().forEach(pr -> pr.recentActive = true);
  }

  /** The highest index stored on a quorum of the voters of {@code membership} (untracked voters count as 0). */
  long quorumMatchIndex(Membership membership) {
    long[] matches = new long[membership.voters().size()];
    int k = 0;
    for (long voter : membership.voters()) {
      Progress pr = progress.get(voter);
      matches[k++] = pr == null ? 0 : pr.match;
    }
    Arrays.sort(matches);
    return matches[matches.length - membership.quorum()];
  }

  /**
   * Whether a quorum of the voters of {@code membership} was heard from since the last call (thesis §6.2), counting
   * {@code self}; then starts a new observation period by clearing every other member's activity flag.
   */
  boolean quorumRecentlyActive(Membership membership, long self) {
    int active = 0;
    for (long voter : membership.voters()) {
      if (voter == self) {
        active++;
        continue;
      }
      Progress pr = progress.get(voter);
      if (pr != null && pr.recentActive) {
        active++;
      }
    }
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (e.getKey() != self) {
        e.getValue().recentActive = false;
      }
    }
    return active >= membership.quorum();
  }

  /** Every tracked member's match index. */
  Map<Long, Long> matchIndexes() {
    Map<Long, Long> match = new HashMap<>();
    progress.forEach((peer, pr) -> match.put(peer, pr.match));
    return match;
  }

  /**
   * Records {@code from}'s vote (the first one counts; non-voters are ignored) and tallies the election among the
   * voters of {@code membership}.
   */
  VoteResult poll(Membership membership, long from, boolean granted) {
    if (!membership.isVoter(from)) {
      return VoteResult.PENDING;
    }
    votes.putIfAbsent(from, granted);
    int yes = 0;
    int no = 0;
    for (long voter : membership.voters()) {
      Boolean v = votes.get(voter);
      if (v == null) {
        continue;
      }
      if (v) {
        yes++;
      } else {
        no++;
      }
    }
    if (yes >= membership.quorum()) {
      return VoteResult.WON;
    }
    if (membership.voters().size() - no < membership.quorum()) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }
}
