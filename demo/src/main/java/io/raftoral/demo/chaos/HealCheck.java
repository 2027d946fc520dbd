package io.raftoral.demo.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether the cluster has healed, read from every node's {@code GET /discovery/peers}: every node answers, all name
 * the same management leader and the same directory, every node is ALIVE in it, cluster 0 has its voters, and every
 * execution cluster's reported voters are its full desired membership.
 */
final class HealCheck {

  private final NodeFleet fleet;
  private final int targetClusterSize;

  HealCheck(NodeFleet fleet, int targetClusterSize) {
    this.fleet = fleet;
    this.targetClusterSize = targetClusterSize;
  }

  /** Null when healed, else what is not healed yet. */
  String notHealed() {
    int n = fleet.nodes().size();
    JsonObject leaderView = null;
    Long leader = null;
    Set<String> directory = null;
    for (NodeFleet.Node node : fleet.nodes()) {
      JsonObject view = fleet.getJson(node, "/discovery/peers");
      if (view == null) {
        return node + " does not answer /discovery/peers";
      }
      Long itsLeader = view.getLong("management_leader_node_id");
      if (itsLeader == null) {
        return node + " knows no management leader";
      }
      if (leader != null && !leader.equals(itsLeader)) {
        return "nodes disagree on the management leader: " + leader + " vs " + itsLeader + " at " + node;
      }
      leader = itsLeader;
      Set<String> itsDirectory = directory(view);
      if (directory != null && !directory.equals(itsDirectory)) {
        return "directories differ: " + directory + " vs " + itsDirectory + " at " + node;
      }
      directory = itsDirectory;
      if (itsLeader.equals(view.getLong("node_id"))) {
        leaderView = view;
      }
    }
    if (leaderView == null) {
      return "no node of the fleet says it leads cluster 0 (leader " + leader + ")";
    }
    if (directory.size() != n || !directory.stream().allMatch(e -> e.endsWith("=ALIVE"))) {
      return "the directory is " + directory + ", not " + n + " ALIVE nodes";
    }
    int voters = leaderView.getInteger("current_voter_count", 0);
    int maxVoters = leaderView.getInteger("max_voters", 0);
    if (voters != Math.min(n, maxVoters)) {
      return "cluster 0 has " + voters + " voters, not " + Math.min(n, maxVoters);
    }
    JsonArray clusters = leaderView.getJsonArray("execution_clusters", new JsonArray());
    if (clusters.isEmpty()) {
      return "no execution cluster";
    }
    for (Object o : clusters) {
      JsonObject c = (JsonObject) o;
      Set<Long> members = ids(c.getJsonArray("members"));
      Set<Long> reported = ids(c.getJsonArray("voters"));
      if (members.size() < Math.min(n, targetClusterSize) || !members.equals(reported)) {
        return "execution cluster " + c.getValue("execution_cluster_id") + " has voters " + reported
            + " for members " + members + " (full strength: " + Math.min(n, targetClusterSize) + ")";
      }
    }
    return null;
  }

  private static Set<String> directory(JsonObject view) {
    Set<String> entries = new TreeSet<>();
    for (Object o : view.getJsonArray("peers", new JsonArray())) {
      JsonObject p = (JsonObject) o;
      entries.add(p.getLong("node_id") + "=" + p.getString("state"));
    }
    return entries;
  }

  private static Set<Long> ids(JsonArray array) {
    Set<Long> ids = new TreeSet<>();
    if (array != null) {
      for (Object o : array) {
        ids.add(((Number) o).longValue());
      }
    }
    return ids;
  }
}
