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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects the outbound messages of every group of a node and sends them per peer, one {@link RaftBatch} per peer
 * and flush, whatever groups queued by then.
 *
 * <p>Urgent traffic (appends, votes, acknowledgements) is flushed at once on the sender's own thread: a commit
 * crosses this outbox twice (the leader's append, the follower's acknowledgement), and a hop onto another event
 * loop each time showed as tens of microseconds of commit latency. One drainer at a time (whoever moves
 * {@code drainRequests} from 0) keeps the batches to one peer in order; senders arriving meanwhile make it loop once
 * more, so their messages still share a batch under load. Each Ready's messages are queued together, so they leave
 * together.
 *
 * <p>Idle traffic (plain heartbeats and their responses, which carry no read request) is not urgent: it waits up
 * to {@code coalesceMillis} so that the heartbeats of every group of a tick, which tick on different event loops,
 * share one batch per peer. Urgent traffic takes the waiting heartbeats along.
 */
final class PeerOutbox {

  private final long nodeId;
  private final Transport transport;
  private final Context timerContext;
  private final Map<Long, ConcurrentLinkedQueue<RaftEnvelope>> queues = new ConcurrentHashMap<>();
  private final AtomicInteger drainRequests = new AtomicInteger();
  private final AtomicBoolean lazyFlushScheduled = new AtomicBoolean();
  private final long coalesceMillis;
  private final NodeLiveness liveness;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong envelopes = new AtomicLong();

  PeerOutbox(long nodeId, Transport transport, Context timerContext, long coalesceMillis, NodeLiveness liveness) {
    this.nodeId = nodeId;
    this.liveness = liveness;
    this.transport = transport;
    this.timerContext = timerContext;
    this.coalesceMillis = coalesceMillis;
  }

  /** Queues the messages of one Ready and flushes them unless they are all idle traffic. Any thread. */
  void send(List<RaftEnvelope> outbound) {
    boolean urgent = coalesceMillis <= 0;
    for (RaftEnvelope envelope : outbound) {
      queues.computeIfAbsent(envelope.message().to(), p -> new ConcurrentLinkedQueue<>()).add(envelope);
      urgent |= !isIdleTraffic(envelope.message());
    }
    if (urgent) {
      drain();
    } else if (lazyFlushScheduled.compareAndSet(false, true)) {
      timerContext.owner().setTimer(coalesceMillis, id -> {
        lazyFlushScheduled.set(false);
        drain();
      });
    }
  }

  /** Flushes until nobody asked for more meanwhile; one thread at a time, so batches to a peer stay in order. */
  private void drain() {
    if (drainRequests.getAndIncrement() != 0) {
      return;
    }
    int requests = 1;
    do {
      flush();
      requests = drainRequests.addAndGet(-requests);
    } while (requests != 0);
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
      liveness.sent(e.getKey());
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
