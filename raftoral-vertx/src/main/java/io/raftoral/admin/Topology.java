package io.raftoral.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.SortedSet;

/**
 * The cluster as one node sees it: the node directory of cluster 0 and every Raft group (cluster 0 and each
 * execution cluster). A group this node hosts is described from its own Raft member ({@code source} "member": leader,
 * term, voters and learners in effect, this node's log indexes, and every member's replication progress when this
 * node leads); any other group from cluster 0's view ({@code source} "management": the membership its leader last
 * reported, no leader, term or indexes, which only the group's members know).
 *
 * @param nodeId the node that answered
 * @param managementLeaderId the leader of cluster 0 it knows, 0 when none
 * @param topologyVersion cluster 0's topology version (bumped by every change of node states or memberships)
 * @param nodes the node directory, ascending ids
 * @param groups the groups, cluster 0 first, then execution clusters by id
 */
public record Topology(long nodeId, long managementLeaderId, long topologyVersion, List<NodeEntry> nodes,
    List<GroupEntry> groups) {

  /** What a figure this node cannot know is reported as (JSON null). */
  public static final long UNKNOWN = -1;
  /** The group's source when this node hosts a member of it. */
  public static final String SOURCE_MEMBER = "member";
  /** The group's source when only cluster 0's view describes it. */
  public static final String SOURCE_MANAGEMENT = "management";

  public Topology {
    nodes = List.copyOf(nodes);
    groups = List.copyOf(groups);
  }

  /**
   * One node of the directory.
   *
   * @param state ALIVE, FAILED, LEAVING or DRAINING
   * @param drained for a draining node, whether it is out of every group (safe to stop); false otherwise
   */
  public record NodeEntry(long id, String address, String state, long lastSeenMillis, boolean drained) {}

  /**
   * One Raft group.
   *
   * @param groupId 0 for cluster 0, else the execution cluster id
   * @param source {@link #SOURCE_MEMBER} or {@link #SOURCE_MANAGEMENT}
   * @param leaderId the leader, or {@link #UNKNOWN}
   * @param term the term, or {@link #UNKNOWN}
   * @param desiredMembers the members the cluster manager wants (execution clusters only)
   * @param reportedIndex the commit index of the membership last reported to cluster 0 (execution clusters only)
   * @param members the members' log figures this node knows (empty for a group it does not host)
   */
  public record GroupEntry(long groupId, String source, long leaderId, long term, SortedSet<Long> voters,
      SortedSet<Long> learners, SortedSet<Long> desiredMembers, long reportedIndex, List<MemberEntry> members) {

    public GroupEntry {
      members = List.copyOf(members);
    }
  }

  /**
   * The log figures of one member. This node knows all of its own; as leader, it also knows each member's
   * {@code matchIndex}; the rest is {@link #UNKNOWN}.
   */
  public record MemberEntry(long nodeId, long firstIndex, long lastIndex, long commitIndex, long appliedIndex,
      long snapshotIndex, long matchIndex) {}

  /** The JSON answer of {@code GET /admin/topology} (snake_case, unknown figures as null). */
  public JsonObject toJson() {
    JsonArray ns = new JsonArray();
    nodes.forEach(n -> ns.add(new JsonObject().put("id", n.id()).put("address", n.address())
        .put("state", n.state()).put("last_seen_millis", n.lastSeenMillis()).put("drained", n.drained())));
    JsonArray gs = new JsonArray();
    for (GroupEntry g : groups) {
      JsonArray ms = new JsonArray();
      g.members().forEach(m -> ms.add(new JsonObject().put("node_id", m.nodeId())
          .put("first_index", known(m.firstIndex())).put("last_index", known(m.lastIndex()))
          .put("commit_index", known(m.commitIndex())).put("applied_index", known(m.appliedIndex()))
          .put("snapshot_index", known(m.snapshotIndex())).put("match_index", known(m.matchIndex()))));
      gs.add(new JsonObject().put("group_id", g.groupId())
          .put("kind", g.groupId() == 0 ? "management" : "execution")
          .put("source", g.source()).put("leader", known(g.leaderId())).put("term", known(g.term()))
          .put("voters", new JsonArray(List.copyOf(g.voters())))
          .put("learners", new JsonArray(List.copyOf(g.learners())))
          .put("desired_members", new JsonArray(List.copyOf(g.desiredMembers())))
          .put("reported_index", g.reportedIndex())
          .put("members", ms));
    }
    return new JsonObject().put("node_id", nodeId).put("management_leader", known(managementLeaderId))
        .put("topology_version", topologyVersion).put("nodes", ns).put("groups", gs);
  }

  private static Long known(long value) {
    return value == UNKNOWN ? null : value;
  }
}
