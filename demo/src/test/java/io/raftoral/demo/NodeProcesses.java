package io.raftoral.demo;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real node processes ({@code java -jar demo/target/raftoral-node.jar}) on loopback, for end-to-end tests: start,
 * kill -9, restart on the same storage, and HTTP calls against them.
 */
final class NodeProcesses implements AutoCloseable {

  static final Path JAR = Path.of("target", "raftoral-node.jar");

  final Path dir;
  final String transport;
  final Map<String, Process> running = new LinkedHashMap<>();
  final Map<String, List<String>> commands = new LinkedHashMap<>();
  /** The last answer (or failure) of {@link #healthy} per node, to explain a wait that timed out. */
  private final Map<String, String> lastHealth = new java.util.concurrent.ConcurrentHashMap<>();
  final HttpClient http = HttpClient.newBuilder()
      // HTTP/1.1: the JDK client otherwise tries an h2c upgrade on every new connection to a node
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  NodeProcesses(Path dir, String transport) {
    this.dir = dir;
    this.transport = transport;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts a node listening on {@code address} with {@code args}; its output goes to {@code <dir>/<port>.log}. */
  Process start(String address, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", JAR.toString(), "--transport", transport, "--listen", address, "--preset", "TESTING",
        "--owner-timeout-ms", "1000"));
    cmd.addAll(List.of(args));
    commands.put(address, cmd);
    return launch(address);
  }

  private Process launch(String address) throws IOException {
    Path log = dir.resolve(address.replace(':', '_') + ".log");
    Process p = new ProcessBuilder(commands.get(address)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    running.put(address, p);
    return p;
  }

  /**
   * Runs the jar's CLI with {@code args} (e.g. {@code client --address A events --count 3}) and answers its
   * standard output lines; the process is stopped if it has not ended within {@code timeoutSeconds}.
   */
  List<String> cli(long timeoutSeconds, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "cli", ".out");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectOutput(out.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
    return Files.readAllLines(out);
  }

  /** Restarts the node at {@code address} with the flags it had, minus {@code --bootstrap} and {@code --peers}. */
  Process restart(String address) throws IOException {
    List<String> cmd = new ArrayList<>(commands.get(address));
    int i = cmd.indexOf("--bootstrap");
    if (i >= 0) {
      cmd.remove(i);
    }
    i = cmd.indexOf("--peers");
    if (i >= 0) {
      cmd.remove(i + 1);
      cmd.remove(i);
    }
    commands.put(address, cmd);
    return launch(address);
  }

  void kill9(String address) throws InterruptedException {
    Process p = running.remove(address);
    p.destroyForcibly();
    p.waitFor();
  }

  String log(String address) throws IOException {
    Path log = dir.resolve(address.replace(':', '_') + ".log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  HttpResponse<String> get(String address, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(60))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String address, String path, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Starts ping_pong through {@code address}; a cluster that has just formed or lost a node may answer 503 (no
   * leader yet, documented as "retry"): retried for up to {@code seconds}, as a client would. The last answer.
   */
  HttpResponse<String> startPingPongRetrying(String address, int seconds) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (true) {
      HttpResponse<String> r = post(address, "/workflow/execute", "application/json",
          "{\"name\": \"ping_pong\", \"version\": 1, \"input\": \"\\\"ping\\\"\"}".getBytes(StandardCharsets.UTF_8));
      if (r.statusCode() != 503 || System.currentTimeMillis() >= deadline) {
        return r;
      }
      Thread.sleep(200);
    }
  }

  boolean healthy(String address) {
    try {
      // a short timeout: one stuck request must not use up the caller's whole wait
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/health"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      lastHealth.put(address, r.statusCode() + " " + r.body());
      return r.statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      lastHealth.put(address, e.toString());
      return false;
    }
  }

  /** A node's answer to {@code GET path} (or why there is none), to explain a failure. */
  private String answer(String address, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (IOException | InterruptedException e) {
      return e.toString();
    }
  }

  /** A node's transport and cluster-0 lines of {@code /metrics} (or why there are none), to explain a failure. */
  private String transportMetrics(String address) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      StringBuilder out = new StringBuilder();
      for (String line : r.body().split("\n")) {
        if (!line.startsWith("#") && line.contains("transport") && !line.contains("_bucket")) {
          out.append(line).append('\n');
        }
      }
      return out.toString();
    } catch (IOException | InterruptedException e) {
      return e.toString();
    }
  }

  /** Polls {@code condition} every 100 ms until it holds, or fails after {@code seconds} with the nodes' logs. */
  void await(BooleanSupplier condition, int seconds, String what) throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (!condition.getAsBoolean()) {
      for (Map.Entry<String, Process> e : running.entrySet()) {
        if (!e.getValue().isAlive()) {
          throw new AssertionError("node " + e.getKey() + " exited (" + e.getValue().exitValue() + ") while waiting for "
              + what + ":\n" + log(e.getKey()));
        }
      }
      if (System.currentTimeMillis() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (String a : running.keySet()) {
          healthy(a); // every node's health now (a wait that short-circuits may not have asked some of them lately)
          logs.append("\n--- ").append(a).append(" transport metrics ---\n").append(transportMetrics(a));
          logs.append("--- ").append(a).append(" /discovery/peers ---\n").append(answer(a, "/discovery/peers"));
        }
        for (String a : commands.keySet()) {
          String l = log(a);
          logs.append("\n--- ").append(a).append(" ---\n").append(l, Math.max(0, l.length() - 6000), l.length());
        }
        throw new AssertionError("timed out waiting for " + what + "; last /health answers: " + lastHealth + logs);
      }
      Thread.sleep(100);
    }
  }

  /** The tail of every node's log, to explain a failure. */
  String logs() {
    StringBuilder logs = new StringBuilder();
    for (String a : commands.keySet()) {
      try {
        String l = log(a);
        logs.append("\n--- ").append(a).append(" ---\n").append(l, Math.max(0, l.length() - 4000), l.length());
      } catch (IOException e) {
        logs.append("\n--- ").append(a).append(": ").append(e);
      }
    }
    return logs.toString();
  }

  @Override
  public void close() {
    for (Process p : running.values()) {
      p.destroy();
    }
    for (Process p : running.values()) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    running.clear();
  }
}
