package io.raftoral.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real processes (issue #12 item 1): a node killed with SIGKILL, declared FAILED and moved out of
 * clusters 0 and 1, and restarted on its storage without {@code --peers} (its only seed is itself) is taken back:
 * every node ALIVE in the leader's {@code /discovery/peers}, cluster 0 and the execution cluster at three voters
 * again, every node's directory the same as the leader's, and the node healthy and serving.
 */
class RestartedNodeTakenBackIT {

  /** The nodes' default failure timeout is 10 s: generous waits around it. */
  private static final int WAIT_SECONDS = 120;

  @TempDir
  Path dir;

  private static JsonObject discovery(NodeProcesses n, String address) {
    try {
      HttpResponse<String> r = n.get(address, "/discovery/peers");
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** The management leader's discovery answer, asked of the first node that names a live leader. */
  private static JsonObject leaderView(NodeProcesses n, List<String> nodes) {
    for (String a : nodes) {
      JsonObject d = discovery(n, a);
      String leader = d == null ? null : d.getString("management_leader_address");
      if (leader != null && n.running.containsKey(leader)) {
        JsonObject l = discovery(n, leader);
        if (l != null && Long.valueOf(l.getLong("node_id")).equals(l.getLong("management_leader_node_id"))) {
          return l;
        }
      }
    }
    return null;
  }

  private static Map<Long, String> states(JsonObject d) {
    Map<Long, String> m = new TreeMap<>();
    d.getJsonArray("peers").forEach(p -> m.put(((JsonObject) p).getLong("node_id"), ((JsonObject) p).getString(
        "state")));
    return m;
  }

  private static int executionVoters(JsonObject d) {
    JsonArray clusters = d.getJsonArray("execution_clusters");
    return clusters.isEmpty() ? 0 : clusters.getJsonObject(0).getJsonArray("voters").size();
  }

  private static boolean stateOf(NodeProcesses n, List<String> nodes, long id, String state, int voters) {
    JsonObject l = leaderView(n, nodes);
    return l != null && state.equals(states(l).get(id)) && executionVoters(l) == voters
        && l.getInteger("current_voter_count") == voters;
  }

  private static boolean takenBack(NodeProcesses n, List<String> nodes) {
    JsonObject l = leaderView(n, nodes);
    if (l == null || executionVoters(l) != 3 || l.getInteger("current_voter_count") != 3
        || !states(l).values().stream().allMatch("ALIVE"::equals) || states(l).size() != 3) {
      return false;
    }
    for (String a : nodes) {
      JsonObject d = discovery(n, a);
      if (d == null || !states(d).equals(states(l))
          || !d.getJsonArray("execution_clusters").equals(l.getJsonArray("execution_clusters"))) {
        return false;
      }
    }
    return nodes.stream().allMatch(n::healthy);
  }

  @Test
  @Timeout(360)
  void aNodeKilledDeclaredFailedAndRestartedWithoutPeersIsTakenBackAndEveryViewConverges() throws Exception {
    try (NodeProcesses n = new NodeProcesses(dir, "http")) {
      try {
        run(n);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nnode logs:" + n.logs(), e);
      }
    }
  }

  private void run(NodeProcesses n) throws Exception {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add("127.0.0.1:" + NodeProcesses.freePort());
    }
    String a = nodes.get(0);
    String b = nodes.get(1);
    String c = nodes.get(2);
    n.start(a, "--bootstrap", "--storage-path", dir.resolve("a").toString());
    n.await(() -> n.healthy(a), 60, "the bootstrap node");
    n.start(b, "--peers", a, "--storage-path", dir.resolve("b").toString());
    n.start(c, "--peers", a, "--storage-path", dir.resolve("c").toString());
    n.await(() -> takenBack(n, nodes), WAIT_SECONDS, "three voters in clusters 0 and 1");
    long cId = new JsonObject(n.get(c, "/health").body()).getLong("node_id");

    n.kill9(c);
    n.await(() -> stateOf(n, nodes, cId, "FAILED", 2), WAIT_SECONDS,
        "node " + cId + " declared FAILED and out of clusters 0 and 1");
    // restarted on its storage, without --peers: it finds the leader through the directory it knows
    n.restart(c);
    n.await(() -> takenBack(n, nodes), WAIT_SECONDS, "the restarted node taken back, every view agreeing");
    assertThat(new JsonObject(n.get(c, "/health").body()).getLong("node_id")).isEqualTo(cId);
    HttpResponse<String> r = n.post(c, "/workflow/execute", "application/json",
        "{\"name\": \"ping_pong\", \"version\": 1, \"input\": \"\\\"ping\\\"\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
