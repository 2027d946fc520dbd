package io.raftoral.demo.chaos;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that start {@code side_effects} workflows on random nodes while faults happen. Each start has a
 * caller-chosen id and is retried with that id (on another random node) until a node acknowledges it or its deadline
 * passes: a retried start is the same start, so no retry may create a second workflow.
 */
final class ChaosClients {

  private static final long START_DEADLINE_MILLIS = 30_000;
  private static final long RETRY_PAUSE_MILLIS = 200;

  private final NodeFleet fleet;
  private final String counter;
  private final int steps;
  private final String runId;
  private final long seed;
  private final long pauseBetweenStartsMillis;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Set<String> unacknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicLong attempts = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  ChaosClients(NodeFleet fleet, String counter, int steps, String runId, long seed, long pauseBetweenStartsMillis) {
    this.fleet = fleet;
    this.counter = counter;
    this.steps = steps;
    this.runId = runId;
    this.seed = seed;
    this.pauseBetweenStartsMillis = pauseBetweenStartsMillis;
  }

  void start(int clients) {
    running = true;
    for (int i = 0; i < clients; i++) {
      Random random = new Random(seed * 31 + i);
      Thread t = new Thread(() -> loop(random), "chaos-client-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops starting new workflows and waits for the starts under way to end (acknowledged or given up). */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(START_DEADLINE_MILLIS * 2);
    }
  }

  Set<String> acknowledged() {
    return acknowledged;
  }

  Set<String> unacknowledged() {
    return unacknowledged;
  }

  long attempts() {
    return attempts.get();
  }

  String expectedResult() {
    return "\"effects:" + steps + "\"";
  }

  private void loop(Random random) {
    while (running) {
      String id = runId + "-" + sequence.incrementAndGet();
      if (startOnce(id, random)) {
        acknowledged.add(id);
      } else {
        unacknowledged.add(id);
      }
      pause(pauseBetweenStartsMillis);
    }
  }

  private boolean startOnce(String id, Random random) {
    JsonObject body = new JsonObject().put("name", "side_effects").put("version", 1).put("workflow_id", id)
        .put("input", new JsonObject().put("counter", counter).put("steps", steps).encode());
    long deadline = System.currentTimeMillis() + START_DEADLINE_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      NodeFleet.Node node = fleet.nodes().get(random.nextInt(fleet.nodes().size()));
      attempts.incrementAndGet();
      try {
        HttpResponse<String> r = fleet.post(node, "/workflow/execute", body);
        if (r.statusCode() == 200 && new JsonObject(r.body()).getBoolean("success", false)) {
          return true;
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return false;
        }
        // connection refused, timeout, reset: outcome unknown; the retry with the same id settles it
      }
      pause(RETRY_PAUSE_MILLIS);
    }
    return false;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
