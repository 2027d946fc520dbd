package io.raftoral.host;

import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
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
 *
 * <p>Idle traffic (plain heartbeats and their responses, which carry no read request) is not urgent: it waits up
 * to {@code coalesceMillis} so that the heartbeats of every group of a tick, which tick on different event loops,
 * share one batch per peer. Anything else flushes at once and takes the waiting heartbeats along.
 */
final class PeerOutbox {

  private final long nodeId;
  private final Transport transport;
  private final Context flushContext;
  private final Map<Long, ConcurrentLinkedQueue<RaftEnvelope>> queues = new ConcurrentHashMap<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final AtomicBoolean lazyFlushScheduled = new AtomicBoolean();
  private final long coalesceMillis;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong envelopes = new AtomicLong();

  PeerOutbox(long nodeId, Transport transport, Context flushContext, long coalesceMillis) {
    this.nodeId = nodeId;
    this.transport = transport;
    this.flushContext = flushContext;
    this.coalesceMillis = coalesceMillis;
  }

  void send(RaftEnvelope envelope) {
    queues.computeIfAbsent(envelope.message().to(), p -> new ConcurrentLinkedQueue<>()).add(envelope);
    if (coalesceMillis > 0 && isIdleTraffic(envelope.message())) {
      if (lazyFlushScheduled.compareAndSet(false, true)) {
        // The timer fires on whichever context called send(); the flush itself always runs on flushContext, so
        // batches to one peer leave in order.
        flushContext.owner().setTimer(coalesceMillis, id -> flushContext.runOnContext(v -> {
          lazyFlushScheduled.set(false);
          flush();
        }));
      }
    } else if (flushScheduled.compareAndSet(false, true)) {
      flushContext.runOnContext(v -> {
        flushScheduled.set(false);
        flush();
      });
    }
  }

  private static boolean isIdleTraffic(Message m) {
    return (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.HEARTBEAT_RESPONSE)
        && m.context().length == 0;
  }

  private void flush() {
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
