package io.raftoral.node;

import io.raftoral.transport.RaftBatch;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.Transport;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects the outbound messages of every group of a node and sends them per peer in one batch per flush: groups
 * enqueue from their own contexts, the first enqueue after a flush schedules the next flush on the host's context,
 * and whatever accumulated by then (from any number of groups) leaves as one {@link RaftBatch} per peer.
 */
final class PeerOutbox {

  private final long nodeId;
  private final Transport transport;
  private final Context flushContext;
  private final Map<Long, ConcurrentLinkedQueue<RaftEnvelope>> queues = new ConcurrentHashMap<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong envelopes = new AtomicLong();

  PeerOutbox(long nodeId, Transport transport, Context flushContext) {
    this.nodeId = nodeId;
    this.transport = transport;
    this.flushContext = flushContext;
  }

  void send(RaftEnvelope envelope) {
    queues.computeIfAbsent(envelope.message().to(), p -> new ConcurrentLinkedQueue<>()).add(envelope);
    if (flushScheduled.compareAndSet(false, true)) {
      flushContext.runOnContext(v -> flush());
    }
  }

  private void flush() {
    flushScheduled.set(false);
    for (Map.Entry<Long, ConcurrentLinkedQueue<RaftEnvelope>> e : queues.entrySet()) {
      ConcurrentLinkedQueue<RaftEnvelope> q = e.getValue();
      if (q.isEmpty()) {
        continue;
      }
      List<RaftEnvelope> out = new ArrayList<>();
      RaftEnvelope env;
      while ((env = q.poll()) != null) {
        out.add(env);
      }
      batches.incrementAndGet();
      envelopes.addAndGet(out.size());
      transport.send(new RaftBatch(nodeId, e.getKey(), out));
    }
  }

  long batchCount() {
    return batches.get();
  }

  long envelopeCount() {
    return envelopes.get();
  }
}
