package io.raftoral.admin;

import io.raftoral.admin.Topology.GroupEntry;
import io.raftoral.admin.Topology.MemberEntry;
import io.raftoral.admin.Topology.NodeEntry;
import io.raftoral.group.RaftGroup;
import io.raftoral.host.RaftHost;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementService;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.management.NodeState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** Builds the {@link Topology} a node sees from its Raft host (the groups it hosts) and its management view. */
final class TopologyReader {

  private TopologyReader() {}

  static Topology read(long self, RaftHost host, ManagementService management) {
    ManagementView view = management == null ? ManagementView.EMPTY : management.view();
    RaftGroup<?, ?> zero = hosted(host, ManagementService.MANAGEMENT_CLUSTER_ID);
    Membership managementMembership = zero == null ? Membership.EMPTY : zero.status().membership();
    List<NodeEntry> nodes = new ArrayList<>();
    for (NodeRecord n : view.nodes().values()) {
      boolean drained = n.state() == NodeState.DRAINING && drained(view, managementMembership, n.id());
      nodes.add(new NodeEntry(n.id(), n.address(), n.state().name(), n.lastSeenMillis(), drained));
    }
    List<GroupEntry> groups = new ArrayList<>();
    if (zero != null) {
      groups.add(fromMember(zero, new TreeSet<>(), 0));
    }
    for (ExecutionCluster c : view.clusters().values()) {
      RaftGroup<?, ?> g = hosted(host, c.id());
      groups.add(g != null ? fromMember(g, c.desiredMembers(), c.reportedIndex())
          : new GroupEntry(c.id(), Topology.SOURCE_MANAGEMENT, Topology.UNKNOWN, Topology.UNKNOWN,
              c.reportedVoters(), c.reportedLearners(), c.desiredMembers(), c.reportedIndex(), List.of()));
    }
    long leader = management == null ? 0 : management.managementLeaderId();
    return new Topology(self, leader > 0 ? leader : Topology.UNKNOWN, view.topologyVersion(), nodes, groups);
  }

  /**
   * Whether draining node {@code id} is out of everything: no execution cluster refers to it and it is no member
   * of cluster 0 (whose leadership it has therefore handed over).
   */
  static boolean drained(ManagementView view, Membership managementMembership, long id) {
    return !view.referencedByAnyCluster(id) && !managementMembership.contains(id);
  }

  /** The group {@code id} if this node hosts a running member of it. */
  static RaftGroup<?, ?> hosted(RaftHost host, long id) {
    if (host == null || !host.groupIds().contains(id)) {
      return null;
    }
    RaftGroup<?, ?> g = host.group(id);
    return g == null || g.isStopped() ? null : g;
  }

  private static GroupEntry fromMember(RaftGroup<?, ?> g, SortedSet<Long> desired, long reportedIndex) {
    RaftStatus s = g.status();
    long leader = s.leaderId() > 0 ? s.leaderId() : Topology.UNKNOWN;
    List<MemberEntry> members = new ArrayList<>();
    for (long id : new TreeSet<>(s.membership().members())) {
      long match = s.matchIndexes().isEmpty() ? Topology.UNKNOWN : s.matchIndex(id);
      if (id == g.nodeId()) {
        members.add(new MemberEntry(id, s.firstIndex(), s.lastIndex(), s.commitIndex(), s.appliedIndex(),
            s.firstIndex() - 1, match));
      } else {
        members.add(new MemberEntry(id, Topology.UNKNOWN, Topology.UNKNOWN, Topology.UNKNOWN, Topology.UNKNOWN,
            Topology.UNKNOWN, match));
      }
    }
    return new GroupEntry(g.groupId(), Topology.SOURCE_MEMBER, leader, s.term(),
        new TreeSet<>(s.membership().voters()), new TreeSet<>(s.membership().learners()), desired, reportedIndex,
        members);
  }
}
