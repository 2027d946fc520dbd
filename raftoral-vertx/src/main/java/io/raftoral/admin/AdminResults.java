package io.raftoral.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.SortedSet;

/** What the operator commands of {@link NodeAdmin} answer, each with its JSON shape (the REST answer). */
public final class AdminResults {

  private AdminResults() {}

  /**
   * Where a drain stands.
   *
   * @param state the node's state in the directory (DRAINING while drained or draining, ALIVE after an undrain)
   * @param clustersRemaining execution clusters that still refer to the node (desired or reported member)
   * @param inManagementCluster whether the node is still a member of cluster 0
   * @param done whether the node is draining and out of everything: it may be stopped for maintenance
   */
  public record DrainProgress(long nodeId, String state, SortedSet<Long> clustersRemaining,
      boolean inManagementCluster, boolean done) {

    public JsonObject toJson() {
      return new JsonObject().put("success", true).put("node_id", nodeId).put("state", state)
          .put("clusters_remaining", new JsonArray(List.copyOf(clustersRemaining)))
          .put("in_management_cluster", inManagementCluster).put("done", done);
    }
  }

  /**
   * The outcome of a node removal.
   *
   * @param removed whether the node has left the directory (false: still being moved out of its groups when the
   *     wait ran out; the removal goes on)
   * @param state its state in the directory, or null once removed
   */
  public record Removal(long nodeId, boolean removed, String state) {

    public JsonObject toJson() {
      return new JsonObject().put("success", true).put("node_id", nodeId).put("removed", removed)
          .put("state", state);
    }
  }

  /** A backup written on the node: the directory and the size in bytes of the copy. */
  public record Backup(long nodeId, String path, long bytes) {

    public JsonObject toJson() {
      return new JsonObject().put("success", true).put("node_id", nodeId).put("path", path).put("bytes", bytes);
    }
  }

  /** A group's snapshot index on the node after a snapshot request. */
  public record SnapshotTaken(long nodeId, long groupId, long snapshotIndex) {

    public JsonObject toJson() {
      return new JsonObject().put("success", true).put("node_id", nodeId).put("group_id", groupId)
          .put("snapshot_index", snapshotIndex);
    }
  }

  /** A completed leadership transfer: {@code leaderId} leads {@code groupId} now. */
  public record LeadershipTransferred(long groupId, long leaderId) {

    public JsonObject toJson() {
      return new JsonObject().put("success", true).put("group_id", groupId).put("leader", leaderId);
    }
  }
}
