package io.raftoral.group.impl;

import io.raftoral.raft.RaftNode;
import io.raftoral.raft.ReadState;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Linearizable reads of one group on this node (ReadIndex, thesis §6.4): a read first waits for its read point
 * from the leader (with a deadline, re-asked after a leader change or when it seems lost), then for this node to
 * apply up to that point, then runs its query on the group's context.
 *
 * <p>Confined to the group's event-loop context.
 */
final class ReadRequests {

  /** Read context: this node's id, then the read's sequence number. */
  private static final int CONTEXT_NODE_OFFSET = 0;
  private static final int CONTEXT_SEQUENCE_OFFSET = CONTEXT_NODE_OFFSET + Long.BYTES;
  private static final int CONTEXT_BYTES = CONTEXT_SEQUENCE_OFFSET + Long.BYTES;

  private static final class Read<T> extends PendingRequest<T> {
    final Supplier<T> query;
    long lastAttemptTick;

    Read(Promise<T> promise, Supplier<T> query, long tick) {
      super(promise);
      this.query = query;
      this.lastAttemptTick = tick;
    }

    void run() {
      try {
        complete(query.get());
      } catch (RuntimeException e) {
        fail(e);
      }
    }
  }

  private final RaftGroupVerticle<?, ?> group;
  /** Reads waiting for their read point, by sequence. */
  private final PendingRequests<Long, Read<?>> awaitingIndex;
  /** Reads with a read point this node has not applied yet, by read point (no deadline: the point is committed). */
  private final TreeMap<Long, List<Read<?>>> awaitingApply = new TreeMap<>();
  private long sequence;

  ReadRequests(RaftGroupVerticle<?, ?> group, Vertx vertx) {
    this.group = group;
    this.awaitingIndex = new PendingRequests<>(vertx);
  }

  boolean isEmpty() {
    return awaitingIndex.isEmpty() && awaitingApply.isEmpty();
  }

  void failAll(Throwable cause) {
    awaitingIndex.failAll(cause);
    awaitingApply.values().forEach(l -> l.forEach(r -> r.fail(cause)));
    awaitingApply.clear();
  }

  /** Asks for a read point for {@code query} (once a leader is known) and starts its deadline. */
  <T> void read(Supplier<T> query, Promise<T> promise, long timeoutMillis) {
    long seq = ++sequence;
    Read<T> read = new Read<>(promise, query, group.ticks());
    byte[] context = context(seq);
    group.leaderWaiters().whenLeaderKnown(() -> group.core().readIndex(context), read);
    if (read.isDone()) {
      return; // refused: too many requests wait for a leader
    }
    awaitingIndex.add(seq, read, timeoutMillis,
        () -> new TimeoutException("read index not confirmed within " + timeoutMillis + " ms"));
  }

  private byte[] context(long seq) {
    return ByteBuffer.allocate(CONTEXT_BYTES).putLong(CONTEXT_NODE_OFFSET, group.nodeId())
        .putLong(CONTEXT_SEQUENCE_OFFSET, seq).array();
  }

  /** The read point of one of this node's reads arrived: run it now, or once {@code appliedIndex} reaches it. */
  void onReadState(ReadState rs, long appliedIndex) {
    long seq = ByteBuffer.wrap(rs.context()).getLong(CONTEXT_SEQUENCE_OFFSET);
    Read<?> read = awaitingIndex.remove(seq);
    if (read == null) {
      return;
    }
    if (appliedIndex >= rs.index()) {
      read.run();
    } else {
      awaitingApply.computeIfAbsent(rs.index(), i -> new ArrayList<>()).add(read);
    }
  }

  /** Runs the reads whose read point is {@code index} or lower. */
  void runUpTo(long index) {
    while (!awaitingApply.isEmpty() && awaitingApply.firstKey() <= index) {
      awaitingApply.pollFirstEntry().getValue().forEach(Read::run);
    }
  }

  /**
   * Asks again for the read points of reads still waiting: all of them after a leader change (a read forwarded to
   * the previous leader may have died with it; a duplicate answer is ignored, the first one settles the read), else
   * those waiting for {@code staleAfterTicks} (a forwarded request or its answer may have been lost).
   */
  void reissue(boolean all, long staleAfterTicks) {
    if (awaitingIndex.isEmpty() || group.core().leaderId() == RaftNode.NONE) {
      return;
    }
    long now = group.ticks();
    awaitingIndex.forEach((seq, read) -> {
      if (all || now - read.lastAttemptTick >= staleAfterTicks) {
        read.lastAttemptTick = now;
        try {
          group.core().readIndex(context(seq));
        } catch (RuntimeException ex) {
          // still pending on this leader, or leadership in flux: the next tick or leader change retries
        }
      }
    });
  }
}
