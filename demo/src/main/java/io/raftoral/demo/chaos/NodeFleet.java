package io.raftoral.demo.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The harness's node processes: each a {@code raftoral} node JVM on loopback with its own LMDB storage and log file,
 * started from this process's own class path. Kill (SIGKILL), pause (SIGSTOP) and resume (SIGCONT), restart on the
 * same storage, partition through the node's {@code /admin/faults} endpoint, and JSON calls to its HTTP API.
 */
final class NodeFleet implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final String MAIN_CLASS = "io.raftoral.demo.RaftoralCli";

  /** One node process slot: the same address, storage and flags across restarts. */
  static final class Node {
    final int index;
    final String address;
    final Path storage;
    final Path log;
    final List<String> flags;
    Process process;
    boolean paused;
    long nodeId;

    Node(int index, String address, Path storage, Path log, List<String> flags) {
      this.index = index;
      this.address = address;
      this.storage = storage;
      this.log = log;
      this.flags = flags;
    }

    boolean running() {
      return process != null && process.isAlive();
    }

    @Override
    public String toString() {
      return "node " + (nodeId > 0 ? nodeId : "#" + index) + " (" + address + ")";
    }
  }

  private final Path dir;
  private final List<String> commonFlags;
  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      // HTTP/1.1: the JDK client otherwise tries an h2c upgrade on every new connection to a node
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  NodeFleet(Path dir, List<String> commonFlags) {
    this.dir = dir;
    this.commonFlags = commonFlags;
  }

  List<Node> nodes() {
    return nodes;
  }

  /** Adds and starts a node: the first founds the cluster, the others join through it. */
  Node add() throws IOException {
    int index = nodes.size() + 1;
    String address = "127.0.0.1:" + freePort();
    List<String> flags = new ArrayList<>(commonFlags);
    flags.addAll(List.of("--listen", address, "--storage-path", dir.resolve("node-" + index).toString()));
    if (nodes.isEmpty()) {
      flags.add("--bootstrap");
    } else {
      flags.addAll(List.of("--peers", nodes.get(0).address));
    }
    Node node = new Node(index, address, dir.resolve("node-" + index), dir.resolve("node-" + index + ".log"), flags);
    nodes.add(node);
    launch(node, flags);
    return node;
  }

  /** Starts a stopped node again on its storage (no --bootstrap, no --peers: the storage knows the node). */
  void restart(Node node) throws IOException {
    List<String> flags = new ArrayList<>(node.flags);
    flags.remove("--bootstrap");
    int peers = flags.indexOf("--peers");
    if (peers >= 0) {
      flags.remove(peers + 1);
      flags.remove(peers);
    }
    launch(node, flags);
  }

  private void launch(Node node, List<String> flags) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens",
        "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), MAIN_CLASS));
    cmd.addAll(flags);
    node.process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log.toFile())).start();
    node.paused = false;
  }

  void kill(Node node) throws IOException, InterruptedException {
    if (node.paused) {
      resume(node);
    }
    node.process.destroyForcibly();
    node.process.waitFor(30, TimeUnit.SECONDS);
  }

  void pause(Node node) throws IOException, InterruptedException {
    signal(node, "-STOP");
    node.paused = true;
  }

  void resume(Node node) throws IOException, InterruptedException {
    signal(node, "-CONT");
    node.paused = false;
  }

  private static void signal(Node node, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(node.process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + node.process.pid() + " failed");
    }
  }

  /** Makes {@code node}'s Raft transport drop everything it sends to {@code peers} (empty: heal). */
  void block(Node node, List<Long> peers) throws IOException, InterruptedException {
    HttpResponse<String> r = post(node, "/admin/faults/partition",
        new JsonObject().put("blocked_peers", new JsonArray(new ArrayList<>(peers))));
    if (r.statusCode() != 200) {
      throw new IOException(node + " refused the partition: " + r.statusCode() + " " + r.body());
    }
  }

  HttpResponse<String> get(Node node, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + node.address + path)).timeout(CALL_TIMEOUT)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(Node node, String path, JsonObject body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + node.address + path)).timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The JSON answer of a GET, or null when the node does not answer 200 with JSON. */
  JsonObject getJson(Node node, String path) {
    try {
      HttpResponse<String> r = get(node, path);
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The last {@code chars} characters of a node's log. */
  String logTail(Node node, int chars) {
    try {
      String log = Files.exists(node.log) ? Files.readString(node.log) : "";
      return log.substring(Math.max(0, log.length() - chars));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      if (node.process == null) {
        continue;
      }
      try {
        if (node.paused) {
          resume(node);
        }
      } catch (IOException | InterruptedException e) {
        // destroyed below either way
      }
      node.process.destroyForcibly();
    }
    for (Node node : nodes) {
      if (node.process != null) {
        try {
          node.process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
