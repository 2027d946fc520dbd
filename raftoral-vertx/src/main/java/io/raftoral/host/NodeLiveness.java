package io.raftoral.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Node-level liveness, which lets quiesced groups go without heartbeats of their own (CockroachDB's node liveness
 * and TiKV's store heartbeats, in their simplest form): any inbound batch from a node proves it up, and the host
 * sends each peer node one empty batch in every tick in which nothing else went to it. The cost scales with the
 * nodes, not with the groups.
 *
 * <p>Time is counted in the host's ticks, the clock its groups run on. Thread-safe: batches arrive and leave on any
 * thread, the ticker runs on the host's context.
 */
final class NodeLiveness {

  /** A peer not heard for this many ticks is suspect: the host then lets quiesced groups check their leader. */
  static final long SUSPECT_AFTER_TICKS = 2;

  private final Map<Long, Long> lastHeardTick = new ConcurrentHashMap<>();
  private final Map<Long, Long> lastHeardNanos = new ConcurrentHashMap<>();
  private final Set<Long> peers = ConcurrentHashMap.newKeySet();
  private final Set<Long> sentThisTick = ConcurrentHashMap.newKeySet();
  private volatile long tick;

  /** A batch (possibly empty) arrived from {@code node}. */
  void heard(long node) {
    lastHeardTick.put(node, tick);
    lastHeardNanos.put(node, System.nanoTime());
    peers.add(node);
  }

  /** Milliseconds since a batch last arrived from {@code node}, or {@link Long#MAX_VALUE} if never. */
  long millisSinceHeard(long node) {
    Long at = lastHeardNanos.get(node);
    return at == null ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
  }

  /** A batch left for {@code node}: no node heartbeat is needed to it this tick. */
  void sent(long node) {
    peers.add(node);
    sentThisTick.add(node);
  }

  /** Whether {@code node} was heard within the last {@code withinTicks} ticks. */
  boolean isLive(long node, long withinTicks) {
    Long at = lastHeardTick.get(node);
    return at != null && tick - at <= withinTicks;
  }

  /** Whether some known peer has not been heard for {@link #SUSPECT_AFTER_TICKS}. */
  boolean anyPeerSuspect() {
    for (long p : peers) {
      if (!isLive(p, SUSPECT_AFTER_TICKS)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends a tick.
   *
   * @return the peers that got nothing this tick, to which the host sends a node heartbeat (an empty batch)
   */
  List<Long> tick() {
    tick++;
    List<Long> quiet = new ArrayList<>();
    for (long p : peers) {
      if (!sentThisTick.contains(p)) {
        quiet.add(p);
      }
    }
    sentThisTick.clear();
    return quiet;
  }
}
