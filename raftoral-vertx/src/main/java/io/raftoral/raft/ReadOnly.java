package io.raftoral.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The leader's ReadIndex bookkeeping (thesis §6.4), apart from the algorithm that drives it, like etcd raft's
 * {@code read_only.go}: requests that wait for the first commit of the leader's term (step 1), and requests that
 * wait, oldest first, for a quorum of heartbeat acknowledgements confirming the leadership (step 3).
 *
 * <p>Requests are identified by their context bytes. Quorum arithmetic stays with the caller, which knows the
 * membership: {@link #recvAck} returns who acknowledged, {@link #advance} releases a confirmed request and every
 * older one.
 */
final class ReadOnly {

  /** A read request: who asked (this server or a follower that forwarded it) and its context. */
  record Request(long from, byte[] context) {}

  /** A request with its read point, waiting for a quorum to confirm the leadership. */
  static final class Status {
    final long from;
    final long index;
    final byte[] context;
    final Set<Long> acks = new HashSet<>();

    Status(long from, long index, byte[] context) {
      this.from = from;
      this.index = index;
      this.context = context;
    }
  }

  /** Requests waiting for the first commit of this term (step 1). */
  private final List<Request> awaitingCommit = new ArrayList<>();
  /** Requests waiting for a quorum of heartbeat acknowledgements, oldest first (step 3). */
  private final LinkedHashMap<ByteBuffer, Status> queue = new LinkedHashMap<>();

  /** Keeps {@code context} until the leader has committed an entry of its term ({@link #takeAwaitingCommit}). */
  void deferUntilCommit(long from, byte[] context) {
    awaitingCommit.add(new Request(from, context));
  }

  /** The requests deferred by {@link #deferUntilCommit}, in order; none are kept. */
  List<Request> takeAwaitingCommit() {
    if (awaitingCommit.isEmpty()) {
      return List.of();
    }
    List<Request> out = new ArrayList<>(awaitingCommit);
    awaitingCommit.clear();
    return out;
  }

  /**
   * Queues a request with its read point {@code index}, acknowledged by {@code self} already.
   *
   * @return false when a request with the same context is already queued (nothing changes then)
   */
  boolean addRequest(long index, long from, byte[] context, long self) {
    ByteBuffer key = ByteBuffer.wrap(context);
    if (queue.containsKey(key)) {
      return false;
    }
    Status status = new Status(from, index, context);
    status.acks.add(self);
    queue.put(key, status);
    return true;
  }

  /**
   * Records that {@code from} acknowledged the heartbeat carrying {@code context}.
   *
   * @return every server that acknowledged that request so far, or null when no such request is queued
   */
  Set<Long> recvAck(long from, byte[] context) {
    Status status = queue.get(ByteBuffer.wrap(context));
    if (status == null) {
      return null;
    }
    status.acks.add(from);
    return status.acks;
  }

  /**
   * Removes the request with {@code context} and every request queued before it: a quorum that confirmed the
   * leadership for it confirmed it for the earlier ones too.
   *
   * @return the released requests, oldest first (empty when no request has that context)
   */
  List<Status> advance(byte[] context) {
    Status target = queue.get(ByteBuffer.wrap(context));
    if (target == null) {
      return List.of();
    }
    List<Status> released = new ArrayList<>();
    Iterator<Status> it = queue.values().iterator();
    while (it.hasNext()) {
      Status s = it.next();
      it.remove();
      released.add(s);
      if (s == target) {
        break;
      }
    }
    return released;
  }

  /** The context of the newest queued request (sent with heartbeats so acknowledgements confirm it), or null. */
  byte[] lastPendingRequestContext() {
    Status last = null;
    for (Status s : queue.values()) {
      last = s;
    }
    return last == null ? null : last.context;
  }

  /** Number of requests waiting, in both stages. */
  int pending() {
    return awaitingCommit.size() + queue.size();
  }

  /** Drops every request (leadership lost or a new term): their callers time out and retry. */
  void reset() {
    awaitingCommit.clear();
    queue.clear();
  }
}
