package io.raftoral.workflow.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.raftoral.workflow.WorkflowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workflow meters of one execution cluster on this node, per workflow type (labels {@value #CLUSTER_TAG} and
 * {@value #TYPE_TAG}; never a workflow id, so their number is bounded by the registered types).
 *
 * <p>Every member applies every command, so each workflow is counted by its <b>owner</b> only: the node that owns
 * it when it starts, takes a checkpoint or ends counts it, and the node that becomes its owner counts the owner
 * change. Summed over the nodes, the counters give the cluster's figures; {@code running} is what this node owns.
 * Only commands applied once the runtime is attached count (not the replay of a restart); {@code running} is
 * recounted from the state then and after a snapshot is installed.
 *
 * <p>The hooks run on the group's context; the gauges are read from the scraping thread (atomics). Without a
 * registry every hook is a no-op ({@link #NONE}).
 */
final class WorkflowMeters {

  static final String CLUSTER_TAG = "cluster";
  static final String TYPE_TAG = "type";
  private static final Duration MIN_EXPECTED_DURATION = Duration.ofMillis(1);
  private static final Duration MAX_EXPECTED_DURATION = Duration.ofDays(1);
  private static final Duration MIN_EXPECTED_COMPUTE = Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(10));
  private static final Duration MAX_EXPECTED_COMPUTE = Duration.ofMinutes(10);

  static final WorkflowMeters NONE = new WorkflowMeters(null, 0, 0);

  private final MeterRegistry registry;
  private final long nodeId;
  private final String cluster;
  private final Map<String, TypeMeters> byType = new ConcurrentHashMap<>();

  private WorkflowMeters(MeterRegistry registry, long nodeId, long clusterId) {
    this.registry = registry;
    this.nodeId = nodeId;
    this.cluster = Long.toString(clusterId);
  }

  /** The meters of execution cluster {@code clusterId} on node {@code nodeId}, or {@link #NONE} without registry. */
  static WorkflowMeters of(MeterRegistry registry, long nodeId, long clusterId) {
    return registry == null ? NONE : new WorkflowMeters(registry, nodeId, clusterId);
  }

  /** The meters of one workflow type, registered on its first event. */
  private final class TypeMeters {
    final List<Meter> meters = new ArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger timersPending = new AtomicInteger();
    final Counter started;
    final Counter completed;
    final Counter failed;
    final Counter terminated;
    final Counter checkpoints;
    final Counter ownerChanges;
    final Timer duration;
    final Timer computeLatency;

    TypeMeters(String type) {
      Tags tags = Tags.of(CLUSTER_TAG, cluster, TYPE_TAG, type);
      started = counter("raftoral.workflows.started", "Workflows started (counted by their owner)", tags);
      completed = counter("raftoral.workflows.completed", "Workflows that completed (counted by their owner)", tags);
      failed = counter("raftoral.workflows.failed", "Workflows that failed (counted by their owner)", tags);
      terminated = counter("raftoral.workflows.terminated", "Workflows terminated (counted by their owner)", tags);
      checkpoints = counter("raftoral.workflow.checkpoints", "Journal entries written (counted by the owner)", tags);
      ownerChanges = counter("raftoral.workflow.owner.changes", "Workflows this node took over from another owner",
          tags);
      duration = add(Timer.builder("raftoral.workflow.duration").description("Start to end of the workflows ended")
          .tags(tags).publishPercentileHistogram()
          .minimumExpectedValue(MIN_EXPECTED_DURATION).maximumExpectedValue(MAX_EXPECTED_DURATION)
          .register(registry));
      computeLatency = add(Timer.builder("raftoral.workflow.compute.latency")
          .description("Time a compute step's supplier took, on the owner").tags(tags).publishPercentileHistogram()
          .minimumExpectedValue(MIN_EXPECTED_COMPUTE).maximumExpectedValue(MAX_EXPECTED_COMPUTE)
          .register(registry));
      add(Gauge.builder("raftoral.workflows.running", running, AtomicInteger::get)
          .description("Running workflows this node owns").tags(tags).strongReference(true).register(registry));
      add(Gauge.builder("raftoral.workflow.timers.pending", timersPending, AtomicInteger::get)
          .description("Durable timers waiting to fire on this node (workflows asleep)").tags(tags)
          .strongReference(true).register(registry));
    }

    private Counter counter(String name, String description, Tags tags) {
      return add(Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private <M extends Meter> M add(M meter) {
      meters.add(meter);
      return meter;
    }
  }

  private TypeMeters type(String type) {
    if (registry == null || type == null) {
      return null;
    }
    TypeMeters m = byType.get(type);
    return m != null ? m : byType.computeIfAbsent(type, TypeMeters::new);
  }

  private boolean ownedHere(WorkflowRecord r) {
    return registry != null && r.owner == nodeId;
  }

  void started(WorkflowRecord r) {
    if (ownedHere(r)) {
      TypeMeters m = type(r.type);
      m.started.increment();
      m.running.incrementAndGet();
    }
  }

  void checkpoint(WorkflowRecord r) {
    if (ownedHere(r)) {
      type(r.type).checkpoints.increment();
    }
  }

  void ownerChanged(WorkflowRecord r, long previousOwner) {
    if (registry == null || r.owner == previousOwner) {
      return;
    }
    if (previousOwner == nodeId) {
      type(r.type).running.updateAndGet(n -> Math.max(0, n - 1));
    }
    if (r.owner == nodeId) {
      TypeMeters m = type(r.type);
      m.ownerChanges.increment();
      m.running.incrementAndGet();
    }
  }

  void ended(WorkflowRecord r) {
    if (!ownedHere(r)) {
      return;
    }
    TypeMeters m = type(r.type);
    m.running.updateAndGet(n -> Math.max(0, n - 1));
    switch (r.state) {
      case COMPLETED -> m.completed.increment();
      case FAILED -> m.failed.increment();
      default -> m.terminated.increment();
    }
    m.duration.record(Math.max(0, r.endedAt - r.startedAt), TimeUnit.MILLISECONDS);
  }

  /** Sets {@code running} from the state as it is (on attach, after a snapshot was installed). */
  void recount(Collection<WorkflowRecord> all) {
    if (registry == null) {
      return;
    }
    Map<String, Integer> owned = new HashMap<>();
    for (WorkflowRecord r : all) {
      if (r.state == WorkflowState.RUNNING && r.owner == nodeId) {
        owned.merge(r.type, 1, Integer::sum);
      }
    }
    owned.keySet().forEach(this::type);
    byType.forEach((type, m) -> m.running.set(owned.getOrDefault(type, 0)));
  }

  /** A compute step of a {@code type} workflow whose supplier was called at {@code startNanos} answered. */
  void computed(String type, long startNanos) {
    TypeMeters m = type(type);
    if (m != null) {
      m.computeLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A durable timer of a {@code type} workflow was armed on this node. */
  void timerArmed(String type) {
    TypeMeters m = type(type);
    if (m != null) {
      m.timersPending.incrementAndGet();
    }
  }

  /** A durable timer armed by {@link #timerArmed} fired or was dropped. */
  void timerSettled(String type) {
    TypeMeters m = type(type);
    if (m != null) {
      m.timersPending.updateAndGet(n -> Math.max(0, n - 1));
    }
  }

  /** The runtime closed: its meters leave the registry. */
  void close() {
    if (registry != null) {
      byType.values().forEach(m -> m.meters.forEach(registry::remove));
      byType.clear();
    }
  }
}
