package io.raftoral.grpc.api;

import io.raftoral.admin.AdminResults;
import io.raftoral.admin.Topology;
import io.raftoral.grpc.api.proto.DrainProgress;
import io.raftoral.grpc.api.proto.GroupInfo;
import io.raftoral.grpc.api.proto.MemberInfo;
import io.raftoral.grpc.api.proto.NodeInfo;
import io.raftoral.grpc.api.proto.TopologyResponse;

/** The protobuf messages of {@code raftoral.Admin} built from the admin results. */
final class AdminProto {

  private AdminProto() {}

  static TopologyResponse topology(Topology t) {
    TopologyResponse.Builder b = TopologyResponse.newBuilder().setNodeId(t.nodeId())
        .setManagementLeader(t.managementLeaderId()).setTopologyVersion(t.topologyVersion());
    for (Topology.NodeEntry n : t.nodes()) {
      b.addNodes(NodeInfo.newBuilder().setId(n.id()).setAddress(n.address()).setState(n.state())
          .setLastSeenMillis(n.lastSeenMillis()).setDrained(n.drained()));
    }
    for (Topology.GroupEntry g : t.groups()) {
      GroupInfo.Builder gb = GroupInfo.newBuilder().setGroupId(g.groupId())
          .setKind(g.groupId() == 0 ? "management" : "execution").setSource(g.source())
          .setLeader(g.leaderId()).setTerm(g.term()).addAllVoters(g.voters()).addAllLearners(g.learners())
          .addAllDesiredMembers(g.desiredMembers()).setReportedIndex(g.reportedIndex());
      for (Topology.MemberEntry m : g.members()) {
        gb.addMembers(MemberInfo.newBuilder().setNodeId(m.nodeId()).setFirstIndex(m.firstIndex())
            .setLastIndex(m.lastIndex()).setCommitIndex(m.commitIndex()).setAppliedIndex(m.appliedIndex())
            .setSnapshotIndex(m.snapshotIndex()).setMatchIndex(m.matchIndex()));
      }
      b.addGroups(gb);
    }
    return b.build();
  }

  static DrainProgress drain(AdminResults.DrainProgress p) {
    return DrainProgress.newBuilder().setNodeId(p.nodeId())
        .setState(WorkflowProto.nonNull(p.state())).addAllClustersRemaining(p.clustersRemaining())
        .setInManagementCluster(p.inManagementCluster()).setDone(p.done()).build();
  }
}
