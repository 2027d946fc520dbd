package io.raftoral.demo.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Seeded faults on a minority of the fleet at a time: kill (SIGKILL, restarted when the fault ends), pause (SIGSTOP
 * for longer than the failure timeout, then SIGCONT), and partition (the node's Raft transport and every other
 * node's to it cut both ways, healed when the fault ends). Which fault, on which node and for how long comes from the
 * seed; when it happens depends on the machine.
 */
final class FaultInjector {

  enum Kind { KILL, PAUSE, PARTITION }

  private record Active(Kind kind, NodeFleet.Node node, long endsAt) {
  }

  private final NodeFleet fleet;
  private final Random random;
  private final long minFaultMillis;
  private final long maxFaultMillis;
  private final Consumer<String> log;
  private final List<Active> active = new ArrayList<>();
  private final Map<Kind, Integer> injected = new EnumMap<>(Kind.class);
  /** The firewall each node process has now (a restarted process starts with none). */
  private final Map<NodeFleet.Node, List<Long>> firewalls = new HashMap<>();

  FaultInjector(NodeFleet fleet, long seed, long minFaultMillis, long maxFaultMillis, Consumer<String> log) {
    this.fleet = fleet;
    this.random = new Random(seed);
    this.minFaultMillis = minFaultMillis;
    this.maxFaultMillis = maxFaultMillis;
    this.log = log;
  }

  Map<Kind, Integer> injected() {
    return injected;
  }

  int total() {
    return injected.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Ends the faults whose time is up, then injects a new one if a minority budget is left. */
  void step(long now) throws IOException, InterruptedException {
    for (Active a : new ArrayList<>(active)) {
      if (a.endsAt() <= now) {
        repair(a);
      }
    }
    applyFirewalls();
    int budget = (fleet.nodes().size() - 1) / 2;
    if (active.size() >= budget) {
      return;
    }
    List<NodeFleet.Node> healthy = new ArrayList<>(fleet.nodes());
    active.forEach(a -> healthy.remove(a.node()));
    NodeFleet.Node victim = healthy.get(random.nextInt(healthy.size()));
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    long duration = minFaultMillis + (long) (random.nextDouble() * (maxFaultMillis - minFaultMillis));
    active.add(new Active(kind, victim, now + duration));
    inject(kind, victim);
    injected.merge(kind, 1, Integer::sum);
    log.accept(kind + " " + victim + " for " + duration + " ms");
  }

  /** Ends every fault under way; true once every node's firewall is open again. */
  boolean repairAll() throws IOException, InterruptedException {
    for (Active a : new ArrayList<>(active)) {
      repair(a);
    }
    return applyFirewalls();
  }

  private void inject(Kind kind, NodeFleet.Node victim) throws IOException, InterruptedException {
    switch (kind) {
      case KILL -> {
        fleet.kill(victim);
        firewalls.remove(victim);
      }
      case PAUSE -> fleet.pause(victim);
      case PARTITION -> applyFirewalls();
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private void repair(Active a) throws IOException, InterruptedException {
    switch (a.kind()) {
      case KILL -> fleet.restart(a.node());
      case PAUSE -> fleet.resume(a.node());
      case PARTITION -> {
      }
      default -> throw new IllegalStateException(a.kind().name());
    }
    active.remove(a);
    applyFirewalls();
    log.accept("repaired " + a.kind() + " of " + a.node());
  }

  /**
   * Brings every reachable node's firewall to what the partitions under way ask: a victim blocks every other node,
   * every other node blocks the victims. A node that cannot be told now (restarting, paused) is told on a later step.
   *
   * @return whether every node has its firewall
   */
  private boolean applyFirewalls() throws InterruptedException {
    List<Long> victims = new ArrayList<>();
    active.stream().filter(a -> a.kind() == Kind.PARTITION).forEach(a -> victims.add(a.node().nodeId));
    boolean all = true;
    for (NodeFleet.Node n : fleet.nodes()) {
      List<Long> wanted = new ArrayList<>();
      for (NodeFleet.Node other : fleet.nodes()) {
        if (other != n && (victims.contains(n.nodeId) || victims.contains(other.nodeId))) {
          wanted.add(other.nodeId);
        }
      }
      if (wanted.equals(firewalls.getOrDefault(n, List.of()))) {
        continue;
      }
      if (!n.running() || n.paused) {
        all = false;
        continue;
      }
      try {
        fleet.block(n, wanted);
        firewalls.put(n, wanted);
      } catch (IOException e) {
        all = false; // not up yet after a restart: next step
      }
    }
    return all;
  }
}
