package io.raftoral.management;

import io.raftoral.management.ManagementCommand.CreateCluster;
import io.raftoral.management.ManagementCommand.MarkFailed;
import io.raftoral.management.ManagementCommand.RemoveCluster;
import io.raftoral.management.ManagementCommand.RemoveNode;
import io.raftoral.management.ManagementCommand.SetDesiredMembers;
import io.raftoral.raft.Membership;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The decisions of the management leader, as pure functions of the management state: no Vert.x, no clock, no
 * I/O. The management service runs {@link #decide} periodically on the leader of cluster 0 and proposes the result
 * as one {@link ManagementCommand.Batch} guarded by the topology version it was decided on.
 *
 * <p>The rules, in the order they are applied:
 * <ol>
 *   <li><b>Failure detection.</b> An alive node not heard from for longer than the failure timeout is declared
 *       failed. Its last-seen time counts from no earlier than when the current leader took office: heartbeats are
 *       recorded by the leader, so a new leader (or one that was itself paused) first waits a full timeout before
 *       judging anyone. A node paused for less than the timeout is therefore never declared dead.</li>
 *   <li><b>Replacement.</b> Failed, leaving and draining nodes are dropped from the desired membership of every cluster that
 *       still has an alive member (a cluster whose members are all failed is left alone: nothing could reconcile
 *       it, and its members may come back).</li>
 *   <li><b>Bootstrap.</b> With no execution cluster yet, the first one is created from the first alive nodes (up to
 *       the target size).</li>
 *   <li><b>Placement.</b> Each alive node in no cluster goes to the smallest cluster below the target size; when
 *       none is below it, at least target-size unplaced nodes found a new cluster together, and a lone node joins
 *       the smallest cluster (which the split rule divides once it reaches the threshold). So clusters never start
 *       below the target size once there are enough nodes.</li>
 *   <li><b>Consolidation.</b> A cluster below the target size takes a member from a cluster above it; if there is
 *       none and {@link ManagementOptions#isMergeUndersizedClusters()} is set, it is merged into the smallest other
 *       cluster that stays below the split threshold (its members move, the emptied cluster is removed); else it
 *       stays as it is until placement refills it.</li>
 *   <li><b>Split.</b> A cluster with at least the split threshold of members keeps the lower half (by id); the
 *       others found a new cluster (6 becomes 3 + 3).</li>
 *   <li><b>Clean-up.</b> A leaving node that no cluster refers to any more (desired or reported) and that is out of
 *       cluster 0's configuration is removed from the directory; so is a failed node not heard from for
 *       {@link ManagementOptions#getFailedNodeRetentionMillis()} (counted, like failure detection, from no earlier
 *       than when the current leader took office). A removed node that comes back registers again.</li>
 * </ol>
 */
public final class ClusterManager {

  private ClusterManager() {}

  /**
   * What the management leader should propose now.
   *
   * @param view the management state
   * @param managementMembership cluster 0's Raft configuration as the leader sees it
   * @param nowMillis the leader's clock
   * @param leaderSinceMillis when this leader took office, on the same clock
   * @param options the rules' parameters
   * @return the commands, in order (empty when nothing is to be done)
   */
  public static List<ManagementCommand> decide(ManagementView view, Membership managementMembership, long nowMillis,
      long leaderSinceMillis, ManagementOptions options) {
    Round round = new Round(view, options);
    round.detectFailures(nowMillis, leaderSinceMillis);
    round.replaceFailedAndLeavingMembers();
    round.bootstrap();
    round.place();
    round.consolidate();
    round.split();
    round.proposeClusterChanges();
    round.cleanUpNodesThatLeft(managementMembership);
    round.cleanUpNodesFailedLongAgo(managementMembership, nowMillis, leaderSinceMillis);
    return round.out;
  }

  /** The working state of one decision: the rules, in order, each rewriting the desired memberships. */
  private static final class Round {

    private final ManagementView view;
    private final ManagementOptions options;
    private final int target;
    /** The commands decided, in order. */
    final List<ManagementCommand> out = new ArrayList<>();
    /** The nodes alive after failure detection. */
    private final TreeSet<Long> alive = new TreeSet<>();
    /** The desired memberships being worked on, by cluster id (dormant clusters left out). */
    private final TreeMap<Long, TreeSet<Long>> desired = new TreeMap<>();
    /** The clusters founded in this round, with their founders. */
    private final TreeMap<Long, TreeSet<Long>> created = new TreeMap<>();
    /** The clusters merged into another in this round. */
    private final TreeSet<Long> removed = new TreeSet<>();
    private long nextClusterId;

    Round(ManagementView view, ManagementOptions options) {
      this.view = view;
      this.options = options;
      this.target = options.getTargetClusterSize();
      this.nextClusterId = view.nextClusterId();
    }

    /** 1. An alive node not heard from for the failure timeout (counted from this leader's start) has failed. */
    void detectFailures(long nowMillis, long leaderSinceMillis) {
      for (NodeRecord n : view.nodes().values()) {
        if (!n.alive()) {
          continue;
        }
        long seen = Math.max(n.lastSeenMillis(), leaderSinceMillis);
        if (nowMillis - seen > options.getFailureTimeoutMillis()) {
          out.add(new MarkFailed(n.id(), n.lastSeenMillis()));
        } else {
          alive.add(n.id());
        }
      }
    }

    /**
     * 2. Only alive members stay desired; placement and consolidation fill the places of the others. A cluster with
     * failed members and no alive one is dormant: left out of everything, since nothing could reconcile it and its
     * members may come back.
     */
    void replaceFailedAndLeavingMembers() {
      for (ExecutionCluster c : view.clusters().values()) {
        TreeSet<Long> members = new TreeSet<>(c.desiredMembers());
        boolean anyAlive = members.stream().anyMatch(alive::contains);
        boolean anyFailed = members.stream().anyMatch(id -> view.node(id).map(n -> n.state() == NodeState.FAILED)
            .orElse(false) || out.stream().anyMatch(cmd -> cmd instanceof MarkFailed f && f.nodeId() == id));
        if (anyAlive || !anyFailed) {
          members.retainAll(alive);
          desired.put(c.id(), members);
        }
      }
    }

    /** 3. With no execution cluster yet, the first alive nodes found the first one. */
    void bootstrap() {
      if (view.clusters().isEmpty() && !alive.isEmpty()) {
        found(first(alive, target));
      }
    }

    /** 4. Every alive node in no cluster goes to the smallest cluster below the target size, or founds one. */
    void place() {
      TreeSet<Long> unplaced = new TreeSet<>(alive);
      desired.values().forEach(unplaced::removeAll);
      while (!unplaced.isEmpty()) {
        Long under = smallest(desired, c -> desired.get(c).size() < target);
        if (under != null) {
          desired.get(under).add(unplaced.pollFirst());
        } else if (unplaced.size() >= target || desired.isEmpty()) {
          TreeSet<Long> founders = first(unplaced, target);
          unplaced.removeAll(founders);
          found(founders);
        } else {
          // a lone node joins the smallest cluster, which the split rule divides once it reaches the threshold
          desired.get(smallest(desired, c -> true)).add(unplaced.pollFirst());
        }
      }
    }

    /**
     * 5. A cluster below the target size takes members from clusters above it, or (if allowed) is merged into
     * another. Only among clusters that existed before this round: new ones are at the target size.
     */
    void consolidate() {
      boolean moved = true;
      while (moved) {
        moved = false;
        Long small = smallest(desired, c -> !created.containsKey(c) && !removed.contains(c)
            && desired.get(c).size() < target);
        if (small == null) {
          break;
        }
        Long donor = largest(desired, c -> !removed.contains(c) && desired.get(c).size() > target);
        if (donor != null) {
          long node = desired.get(donor).pollLast();
          desired.get(small).add(node);
          moved = true;
          continue;
        }
        int size = desired.get(small).size();
        Long into = !options.isMergeUndersizedClusters() ? null : smallest(desired, c -> !c.equals(small)
            && !removed.contains(c) && desired.get(c).size() + size < options.getSplitThreshold());
        if (into != null) {
          desired.get(into).addAll(desired.get(small));
          desired.get(small).clear();
          removed.add(small);
          moved = true;
        }
      }
    }

    /** 6. A cluster at the split threshold keeps its lower half (by id); the upper half founds a new cluster. */
    void split() {
      for (Long id : new ArrayList<>(desired.keySet())) {
        TreeSet<Long> members = desired.get(id);
        if (removed.contains(id) || members.size() < options.getSplitThreshold()) {
          continue;
        }
        TreeSet<Long> kept = first(members, members.size() / 2);
        TreeSet<Long> leaving = new TreeSet<>(members);
        leaving.removeAll(kept);
        members.retainAll(kept);
        found(leaving);
      }
    }

    /** The commands for the clusters: created (ascending ids, as the state machine requires), changed, removed. */
    void proposeClusterChanges() {
      created.forEach((id, founders) -> out.add(new CreateCluster(id, founders)));
      for (Map.Entry<Long, TreeSet<Long>> e : desired.entrySet()) {
        ExecutionCluster before = view.clusters().get(e.getKey());
        if (before != null && !removed.contains(e.getKey()) && !before.desiredMembers().equals(e.getValue())) {
          out.add(new SetDesiredMembers(e.getKey(), e.getValue()));
        }
      }
      // A merged cluster is removed at once: its old members stop the group (and delete its data) when they see it
      // gone, while the cluster it was merged into adds them.
      removed.forEach(id -> out.add(new RemoveCluster(id)));
    }

    /** 7. A leaving node that no cluster refers to and that is out of cluster 0 leaves the directory. */
    void cleanUpNodesThatLeft(Membership managementMembership) {
      for (NodeRecord n : view.nodes().values()) {
        if (n.state() == NodeState.LEAVING && !view.referencedByAnyCluster(n.id())
            && !managementMembership.contains(n.id())) {
          out.add(new RemoveNode(n.id()));
        }
      }
    }

    /**
     * 7. A failed node not heard from for the retention, that no cluster refers to and that is out of cluster 0,
     * leaves the directory. The batch is guarded by the topology version: a heartbeat that revives the node first
     * makes the removal refused.
     */
    void cleanUpNodesFailedLongAgo(Membership managementMembership, long nowMillis, long leaderSinceMillis) {
      for (NodeRecord n : view.nodes().values()) {
        long seen = Math.max(n.lastSeenMillis(), leaderSinceMillis);
        if (n.state() == NodeState.FAILED && nowMillis - seen > options.getFailedNodeRetentionMillis()
            && !view.referencedByAnyCluster(n.id()) && !managementMembership.contains(n.id())) {
          out.add(new RemoveNode(n.id()));
        }
      }
    }

    /** A new cluster, with the next cluster id, founded by {@code founders}. */
    private void found(TreeSet<Long> founders) {
      created.put(nextClusterId, founders);
      desired.put(nextClusterId, founders);
      nextClusterId++;
    }
  }

  /**
   * The nodes that should be members of cluster 0: every alive node, and leaving and draining nodes until no
   * execution cluster refers to them any more (they follow cluster 0 to learn of their removals). At most
   * {@link ManagementOptions#getMaxVoters()} of them are voters (see {@link MembershipPlanner}).
   */
  public static SortedSet<Long> managementMembers(ManagementView view) {
    TreeSet<Long> ids = new TreeSet<>(view.nodesIn(NodeState.ALIVE));
    TreeSet<Long> goingAway = new TreeSet<>(view.nodesIn(NodeState.LEAVING));
    goingAway.addAll(view.nodesIn(NodeState.DRAINING));
    for (long id : goingAway) {
      if (view.referencedByAnyCluster(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static TreeSet<Long> first(SortedSet<Long> ids, int count) {
    TreeSet<Long> out = new TreeSet<>();
    for (Long id : ids) {
      if (out.size() == count) {
        break;
      }
      out.add(id);
    }
    return out;
  }

  /** The cluster with the fewest desired members among those matching, lowest id first; null when none. */
  private static Long smallest(TreeMap<Long, TreeSet<Long>> desired, Predicate<Long> filter) {
    return desired.keySet().stream().filter(filter)
        .min(Comparator.<Long>comparingInt(c -> desired.get(c).size()).thenComparing(Comparator.naturalOrder()))
        .orElse(null);
  }

  /** The cluster with the most desired members among those matching, lowest id first; null when none. */
  private static Long largest(TreeMap<Long, TreeSet<Long>> desired, Predicate<Long> filter) {
    return desired.keySet().stream().filter(filter)
        .min(Comparator.<Long>comparingInt(c -> -desired.get(c).size()).thenComparing(Comparator.naturalOrder()))
        .orElse(null);
  }
}
