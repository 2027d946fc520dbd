package io.raftoral.group.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one Raft group on this node, tagged with its group id ({@value #CLUSTER_TAG}: the execution cluster
 * id, 0 for the management cluster), so their number grows with the clusters a node is a member of, never with
 * workflows or entries. Without a registry every hook is a no-op ({@link #NONE}), so a group without metrics pays a
 * field read per hook.
 *
 * <p>The hooks run on the group's context; the gauges read the group's published {@link GroupStatus} from the
 * scraping thread.
 */
final class GroupMeters {

  static final String CLUSTER_TAG = "cluster";
  /** Commit latencies below this are not told apart (the histogram's first bucket). */
  private static final Duration MIN_EXPECTED_LATENCY = Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(100));
  private static final Duration MAX_EXPECTED_LATENCY = Duration.ofSeconds(10);
  private static final double MAX_EXPECTED_LAG_ENTRIES = 100_000;
  private static final double MAX_EXPECTED_SNAPSHOT_BYTES = 1L << 30;

  static final GroupMeters NONE = new GroupMeters();

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Timer commitLatency;
  private final DistributionSummary applyLag;
  private final Counter proposals;
  private final Counter leaderChanges;
  private final Counter snapshots;
  private final DistributionSummary snapshotSize;

  private GroupMeters() {
    registry = null;
    commitLatency = null;
    applyLag = null;
    proposals = null;
    leaderChanges = null;
    snapshots = null;
    snapshotSize = null;
  }

  private GroupMeters(MeterRegistry registry, long groupId, GroupStatus status) {
    this.registry = registry;
    Tags tags = Tags.of(CLUSTER_TAG, Long.toString(groupId));
    commitLatency = add(Timer.builder("raftoral.group.commit.latency")
        .description("Time from a proposal on this node to its application here (the proposer's commit latency)")
        .tags(tags).publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED_LATENCY).maximumExpectedValue(MAX_EXPECTED_LATENCY)
        .register(registry));
    applyLag = add(DistributionSummary.builder("raftoral.group.apply.lag").baseUnit("entries")
        .description("Committed entries not yet applied when a Ready hands them out (how far apply trails commit)")
        .tags(tags).publishPercentileHistogram().maximumExpectedValue(MAX_EXPECTED_LAG_ENTRIES).register(registry));
    proposals = add(Counter.builder("raftoral.group.proposals")
        .description("Commands proposed on this node").tags(tags).register(registry));
    leaderChanges = add(Counter.builder("raftoral.group.leader.changes")
        .description("Times this node saw another leader or a new term of the same leader")
        .tags(tags).register(registry));
    snapshots = add(Counter.builder("raftoral.group.snapshots")
        .description("Snapshots taken (log compactions) or installed from the leader").tags(tags).register(registry));
    snapshotSize = add(DistributionSummary.builder("raftoral.group.snapshot.size").baseUnit("bytes")
        .description("Size of the snapshots taken or installed").tags(tags)
        .publishPercentileHistogram().maximumExpectedValue(MAX_EXPECTED_SNAPSHOT_BYTES).register(registry));
    gauge("raftoral.group.term", null, "Current Raft term", tags, status, s -> read(s, RaftStatus::term));
    gauge("raftoral.group.log.size", "entries", "Entries in the log after the last snapshot (last - first index)",
        tags, status, s -> read(s, r -> Math.max(0, r.lastIndex() - r.firstIndex() + 1)));
    gauge("raftoral.group.commit.index", null, "Highest index known committed", tags, status,
        s -> read(s, RaftStatus::commitIndex));
    gauge("raftoral.group.applied.index", null, "Highest index applied here", tags, status,
        s -> read(s, RaftStatus::appliedIndex));
    gauge("raftoral.group.leader", null, "1 while this node leads the group, else 0", tags, status,
        s -> read(s, r -> r.role() == Role.LEADER ? 1 : 0));
  }

  /** The meters of group {@code groupId} in {@code registry}, or {@link #NONE} when there is no registry. */
  static GroupMeters of(MeterRegistry registry, long groupId, GroupStatus status) {
    return registry == null ? NONE : new GroupMeters(registry, groupId, status);
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  private void gauge(String name, String unit, String description, Tags tags, GroupStatus status,
      ToDoubleFunction<GroupStatus> value) {
    // A strong reference: the group's status lives as long as the group, whose stop removes the gauge.
    add(Gauge.builder(name, status, value).baseUnit(unit).description(description).tags(tags)
        .strongReference(true).register(registry));
  }

  private static double read(GroupStatus status, ToDoubleFunction<RaftStatus> field) {
    RaftStatus s = status.get();
    return s == null ? Double.NaN : field.applyAsDouble(s);
  }

  /** A command proposed on this node (counted once, re-sends are not). */
  void proposed() {
    if (proposals != null) {
      proposals.increment();
    }
  }

  /** A command proposed here at {@code proposedAtNanos} ({@link System#nanoTime()}) was applied here. */
  void committed(long proposedAtNanos) {
    if (commitLatency != null) {
      commitLatency.record(System.nanoTime() - proposedAtNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A Ready hands out committed entries up to {@code lastCommitted} while the group applied up to {@code applied}. */
  void applying(long lastCommitted, long applied) {
    if (applyLag != null && lastCommitted > applied) {
      applyLag.record(lastCommitted - applied);
    }
  }

  void leaderChanged() {
    if (leaderChanges != null) {
      leaderChanges.increment();
    }
  }

  /** A snapshot of {@code bytes} was taken or installed. */
  void snapshot(long bytes) {
    if (snapshots != null) {
      snapshots.increment();
      snapshotSize.record(bytes);
    }
  }

  /** The group stopped: its meters leave the registry (a node that leaves a cluster stops reporting it). */
  void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
