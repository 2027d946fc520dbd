package io.raftoral.host;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The node-wide meters of a {@link RaftHost}, read from its {@link RaftHostMetrics} when scraped (nothing is counted
 * twice): hosted groups, inbound messages by outcome, outbound batches and messages. The per-group meters are
 * registered by each group itself once the host has a registry ({@link RaftHost#meterRegistry(MeterRegistry)}).
 */
public final class RaftHostMeters implements MeterBinder {

  static final String OUTCOME_TAG = "outcome";

  private final RaftHost host;

  public RaftHostMeters(RaftHost host) {
    this.host = Objects.requireNonNull(host, "host");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("raftoral.host.groups", host, h -> metrics(h).groups())
        .description("Raft groups hosted on this node").strongReference(true).register(registry);
    inbound(registry, "delivered", RaftHostMetrics::deliveredMessages);
    inbound(registry, "unknown_cluster", RaftHostMetrics::unknownClusterMessages);
    inbound(registry, "malformed", RaftHostMetrics::malformedMessages);
    inbound(registry, "non_member", RaftHostMetrics::nonMemberMessages);
    inbound(registry, "rejected", RaftHostMetrics::rejectedMessages);
    counter(registry, "raftoral.host.outbound.batches", "Batches sent to peers (one per peer and flush)",
        RaftHostMetrics::outboundBatches);
    counter(registry, "raftoral.host.outbound.messages", "Raft messages sent to peers, in those batches",
        RaftHostMetrics::outboundMessages);
  }

  private void inbound(MeterRegistry registry, String outcome, ToDoubleFunction<RaftHostMetrics> count) {
    FunctionCounter.builder("raftoral.host.inbound.messages", host, h -> count.applyAsDouble(metrics(h)))
        .description("Inbound Raft messages by outcome (delivered to a group, or refused and why)")
        .tag(OUTCOME_TAG, outcome).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description,
      ToDoubleFunction<RaftHostMetrics> count) {
    FunctionCounter.builder(name, host, h -> count.applyAsDouble(metrics(h))).description(description)
        .register(registry);
  }

  /** The host's counters; zeros before it started (its router and outbox are made on start). */
  private static RaftHostMetrics metrics(RaftHost host) {
    return host.isStarted() ? host.metrics() : new RaftHostMetrics(0, 0, 0, 0, 0, 0, 0, 0);
  }
}
