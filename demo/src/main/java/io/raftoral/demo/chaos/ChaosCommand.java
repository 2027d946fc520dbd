package io.raftoral.demo.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftoral chaos}: the fault harness. Starts N real node processes on their own LMDB storage, has clients
 * start {@code side_effects} workflows (side effects counted outside the cluster) while a seeded schedule kills,
 * pauses and partitions a minority of them, then heals everything and checks that the cluster healed by itself and
 * nothing was lost or duplicated. Exit code 0 when every check holds, 1 otherwise.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Fault harness: N node processes, seeded kills / pauses / partitions while clients start "
        + "workflows with counted side effects; then heal and check. Exit 0 when every check holds."})
public final class ChaosCommand implements Callable<Integer> {

  @Option(names = "--nodes", defaultValue = "5", description = "node processes (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--seconds", defaultValue = "60", description = "seconds of faults (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the fault schedule (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--transport", defaultValue = "http", description = "grpc or http (default ${DEFAULT-VALUE})")
  String transport;

  @Option(names = "--clients", defaultValue = "3", description = "client threads (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--steps", defaultValue = "3", description = "side effects per workflow (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--start-pause-ms", defaultValue = "100",
      description = "each client's pause between starts (default ${DEFAULT-VALUE})")
  long startPauseMillis;

  @Option(names = "--fault-ms", split = ",", defaultValue = "2000,6000",
      description = "shortest and longest fault, ms (default ${DEFAULT-VALUE}); pauses longer than the failure "
          + "timeout make the node FAILED")
  List<Long> faultMillis;

  @Option(names = "--failure-timeout-ms", defaultValue = "3000",
      description = "the nodes' failure timeout (default ${DEFAULT-VALUE})")
  long failureTimeoutMillis;

  @Option(names = "--heal-seconds", defaultValue = "180",
      description = "time allowed to heal and finish every workflow (default ${DEFAULT-VALUE})")
  int healSeconds;

  @Option(names = "--dir", description = "directory for the nodes' storage and logs (default: a temporary one)")
  Path dir;

  private static final int TARGET_CLUSTER_SIZE = 3;
  private static final long STEP_MILLIS = 100;
  private static final int WAIT_THREADS = 8;
  /** The HTTP API's largest list page; the duplicate check covers runs that start fewer workflows. */
  private static final int LIST_LIMIT = 10_000;

  private final Instant began = Instant.now();

  @Override
  public Integer call() throws Exception {
    Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("raftoral-chaos");
    say("seed " + seed + ", " + nodes + " nodes (" + transport + "), " + seconds + " s of faults, logs under " + base);
    List<String> flags = List.of("--transport", transport, "--preset", "TESTING", "--owner-timeout-ms", "1000",
        "--failure-timeout-ms", Long.toString(failureTimeoutMillis), "--fault-injection");
    try (NodeFleet fleet = new NodeFleet(base, flags); EffectCounter counter = new EffectCounter()) {
      // a harness stopped from outside (SIGTERM, Ctrl-C) takes its node processes with it
      Thread stopNodes = new Thread(fleet::close, "chaos-stop-nodes");
      Runtime.getRuntime().addShutdownHook(stopNodes);
      try {
        return run(fleet, counter, base);
      } finally {
        Runtime.getRuntime().removeShutdownHook(stopNodes);
      }
    }
  }

  private int run(NodeFleet fleet, EffectCounter counter, Path base) throws Exception {
    {
      HealCheck heal = new HealCheck(fleet, TARGET_CLUSTER_SIZE);
      for (int i = 0; i < nodes; i++) {
        fleet.add();
        if (i == 0) {
          awaitCondition(() -> fleet.getJson(fleet.nodes().get(0), "/discovery/peers") != null, 60, "the founder");
        }
      }
      if (!awaitCondition(() -> heal.notHealed() == null, 120, "the cluster to form")) {
        return fail(fleet, "the cluster did not form: " + heal.notHealed());
      }
      for (NodeFleet.Node n : fleet.nodes()) {
        n.nodeId = fleet.getJson(n, "/discovery/peers").getLong("node_id");
      }
      say("formed: " + fleet.nodes());

      ChaosClients workload = new ChaosClients(fleet, counter.address(), steps, "chaos-" + seed + "-"
          + Long.toString(System.nanoTime(), 36), seed, startPauseMillis);
      workload.start(clients);
      FaultInjector faults = new FaultInjector(fleet, seed, faultMillis.get(0), faultMillis.get(1), this::say);
      long end = System.currentTimeMillis() + seconds * 1000L;
      while (System.currentTimeMillis() < end) {
        faults.step(System.currentTimeMillis());
        Thread.sleep(STEP_MILLIS);
      }
      long healStart = System.currentTimeMillis();
      awaitCondition(() -> repaired(faults), 60, "every fault repaired");
      say("faults stopped; healing");
      workload.stop();
      boolean healed = awaitCondition(() -> heal.notHealed() == null, healSeconds, "the cluster to heal");
      double healSecondsTaken = (System.currentTimeMillis() - healStart) / 1000.0;

      List<String> problems = new ArrayList<>();
      if (!healed) {
        problems.add("not healed after " + healSeconds + " s: " + heal.notHealed());
      }
      Map<String, String> outcomes = outcomes(fleet, workload);
      long lost = outcomes.values().stream().filter(o -> !o.equals(workload.expectedResult())).count();
      outcomes.forEach((id, o) -> {
        if (!o.equals(workload.expectedResult())) {
          problems.add("acknowledged " + id + " ended with " + o);
        }
      });
      List<String> duplicated = duplicatedIds(fleet);
      duplicated.forEach(d -> problems.add("workflow id in more than one place: " + d));
      List<String> repeated = counter.repeatedInOneOwner();
      repeated.forEach(r -> problems.add("side effect repeated by one owner: " + r));
      long expectedEffects = (long) workload.acknowledged().size() * steps;
      if (counter.total() < expectedEffects) {
        problems.add("only " + counter.total() + " side effects for " + expectedEffects + " recorded steps");
      }

      JsonObject report = new JsonObject().put("seed", seed).put("nodes", nodes).put("transport", transport)
          .put("fault_seconds", seconds).put("faults", new JsonObject(new HashMap<>(faultCounts(faults))))
          .put("faults_total", faults.total())
          .put("start_attempts", workload.attempts())
          .put("acknowledged", workload.acknowledged().size())
          .put("not_acknowledged", workload.unacknowledged().size())
          .put("lost", lost).put("duplicated_ids", duplicated.size())
          .put("side_effects", counter.total()).put("side_effects_repeated_in_one_owner", repeated.size())
          .put("side_effects_rerun_by_new_owner", counter.total() - expectedEffects)
          .put("healed", healed).put("seconds_to_heal", healSecondsTaken)
          .put("problems", new JsonArray(problems.subList(0, Math.min(problems.size(), 50))));
      System.out.println(report.encodePrettily());
      if (!problems.isEmpty()) {
        return fail(fleet, problems.size() + " problem(s), seed " + seed);
      }
      say("OK: every acknowledged workflow finished once, the cluster healed in " + healSecondsTaken + " s");
      return 0;
    }
  }

  private static Map<String, Object> faultCounts(FaultInjector faults) {
    Map<String, Object> counts = new HashMap<>();
    faults.injected().forEach((k, v) -> counts.put(k.name().toLowerCase(), v));
    return counts;
  }

  private boolean repaired(FaultInjector faults) {
    try {
      return faults.repairAll();
    } catch (Exception e) {
      say("repair failed, retrying: " + e.getMessage());
      return false;
    }
  }

  /** Each acknowledged workflow's result (JSON text) or what went wrong, waited for through random nodes. */
  private Map<String, String> outcomes(NodeFleet fleet, ChaosClients workload) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WAIT_THREADS);
    try {
      Map<String, Future<String>> pending = new HashMap<>();
      int i = 0;
      for (String id : workload.acknowledged()) {
        NodeFleet.Node node = fleet.nodes().get(i++ % fleet.nodes().size());
        pending.put(id, pool.submit(() -> outcome(fleet, node, id)));
      }
      Map<String, String> outcomes = new HashMap<>();
      for (Map.Entry<String, Future<String>> e : pending.entrySet()) {
        outcomes.put(e.getKey(), e.getValue().get());
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private String outcome(NodeFleet fleet, NodeFleet.Node first, String id) {
    long deadline = System.currentTimeMillis() + healSeconds * 1000L;
    String last = "no answer";
    int attempt = 0;
    while (System.currentTimeMillis() < deadline) {
      NodeFleet.Node node = fleet.nodes().get((first.index - 1 + attempt++) % fleet.nodes().size());
      JsonObject answer = fleet.getJson(node, "/workflow/wait?workflow_id=" + id + "&timeout_seconds=5");
      if (answer != null) {
        if (answer.getBoolean("success", false)) {
          return String.valueOf(answer.getValue("result"));
        }
        last = "failure: " + answer.getValue("error");
        if (answer.getValue("error") != null) {
          return last;
        }
      }
    }
    return "not finished (" + last + ")";
  }

  /** Workflow ids listed more than once across execution clusters. */
  private static List<String> duplicatedIds(NodeFleet fleet) {
    JsonObject list = null;
    for (NodeFleet.Node n : fleet.nodes()) {
      list = fleet.getJson(n, "/workflow/list?type=side_effects&limit=" + LIST_LIMIT + "");
      if (list != null) {
        break;
      }
    }
    List<String> duplicated = new ArrayList<>();
    if (list == null) {
      duplicated.add("(no node answered /workflow/list)");
      return duplicated;
    }
    Map<String, Integer> seen = new HashMap<>();
    for (Object o : list.getJsonArray("workflows", new JsonArray())) {
      seen.merge(((JsonObject) o).getString("workflow_id"), 1, Integer::sum);
    }
    seen.forEach((id, n) -> {
      if (n > 1) {
        duplicated.add(id + " (" + n + " times)");
      }
    });
    return duplicated;
  }

  private int fail(NodeFleet fleet, String why) {
    say("FAILED: " + why);
    for (NodeFleet.Node n : fleet.nodes()) {
      System.out.println("--- " + n + " (log " + n.log + ") ---\n" + fleet.logTail(n, 2_000));
    }
    return 1;
  }

  private boolean awaitCondition(BooleanSupplier condition, int seconds, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        say("gave up waiting for " + what);
        return false;
      }
      Thread.sleep(STEP_MILLIS);
    }
    return true;
  }

  private void say(String line) {
    System.out.printf("[chaos %7.1fs] %s%n", Duration.between(began, Instant.now()).toMillis() / 1000.0, line);
  }
}
