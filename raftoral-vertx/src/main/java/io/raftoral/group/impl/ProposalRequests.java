package io.raftoral.group.impl;

import io.raftoral.group.Committed;
import io.raftoral.raft.ProposalDroppedException;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Proposals of one group on this node, from the caller's {@code propose} to the application of its command.
 *
 * <p>Each proposal is framed ({@link ProposalFrame}) with this node, this incarnation's session and a sequence, so
 * that this node recognizes its own commands when applying them, and re-sends are safe (replicas skip duplicates,
 * {@link ProposalSessions}). Proposals made during one event-loop turn go to Raft together, so that under load one
 * append message carries many entries. A proposal not answered within two election timeouts, or pending when a new
 * leader appears, is re-sent.
 *
 * <p>Confined to the group's event-loop context.
 */
final class ProposalRequests<R> {

  /** Lowest bit forced on: a session id is never 0. */
  private static final long SESSION_NON_ZERO = 1;

  private static final class Proposal<R> extends PendingRequest<Committed<R>> {
    final byte[] payload;
    /** {@link System#nanoTime()} of the caller's propose (for the commit latency). */
    final long proposedAtNanos = System.nanoTime();
    long lastAttemptTick;
    /** A later proposal of this session was applied first: this one was lost, re-send it on the next tick. */
    boolean overtaken;

    Proposal(Promise<Committed<R>> promise, byte[] payload, long tick) {
      super(promise);
      this.payload = payload;
      this.lastAttemptTick = tick;
    }
  }

  private final RaftGroupVerticle<?, R> group;
  private final PendingRequests<Long, Proposal<R>> pending;
  /** This incarnation's proposer session: random, so sequences never collide with an earlier run's. */
  private final long session = new SecureRandom().nextLong() | SESSION_NON_ZERO;
  private final int maxPending;
  private final GroupMeters meters;
  private long sequence;
  /** Proposals of the current event-loop turn, handed to Raft together (see {@link #queue}). */
  private final List<Proposal<R>> batch = new ArrayList<>();

  ProposalRequests(RaftGroupVerticle<?, R> group, Vertx vertx, int maxPending) {
    this(group, vertx, maxPending, GroupMeters.NONE);
  }

  ProposalRequests(RaftGroupVerticle<?, R> group, Vertx vertx, int maxPending, GroupMeters meters) {
    this.group = group;
    this.pending = new PendingRequests<>(vertx);
    this.maxPending = maxPending;
    this.meters = meters;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  void failAll(Throwable cause) {
    pending.failAll(cause);
  }

  /**
   * Frames {@code command}, queues it for this turn's batch and starts its deadline; refuses it when
   * {@code maxPendingProposals} are pending already.
   */
  void propose(byte[] command, Duration timeout, Promise<Committed<R>> promise) {
    if (pending.size() >= maxPending) {
      promise.fail(new RaftException("group " + group.groupId() + " on node " + group.nodeId() + " has "
          + pending.size() + " proposals pending (maxPendingProposals); retry later"));
      return;
    }
    long seq = ++sequence;
    meters.proposed();
    byte[] payload = ProposalFrame.encode(group.nodeId(), session, seq, command);
    Proposal<R> proposal = new Proposal<>(promise, payload, group.ticks());
    queue(proposal);
    long timeoutMillis = timeout.toMillis();
    pending.add(seq, proposal, timeoutMillis, () -> new TimeoutException("proposal not applied within "
        + timeoutMillis + " ms; its outcome is unknown"));
  }

  /**
   * Collects the proposals made during one turn of the event loop and hands them to Raft together at the end of
   * the turn: under load, one append message then carries many entries instead of one message per proposal.
   */
  private void queue(Proposal<R> proposal) {
    batch.add(proposal);
    if (batch.size() == 1) {
      group.context().runOnContext(v -> flush());
    }
  }

  private void flush() {
    if (group.isStopped() || batch.isEmpty()) {
      return;
    }
    List<Proposal<R>> requests = new ArrayList<>(batch);
    batch.clear();
    if (group.core().leaderId() != RaftNode.NONE) {
      propose(requests);
    } else if (group.leaderWaiters().add(requests, () -> propose(requests)) < requests.size()) {
      // some refused (too many requests wait for a leader): their callers were told; free their slots (and those
      // of callers that gave up)
      pending.removeIf((seq, p) -> p.isDone());
    }
    group.processReady();
  }

  /** Hands Raft the proposals of {@code requests} whose callers still wait (a caller that gave up is not replayed). */
  private void propose(List<Proposal<R>> requests) {
    List<byte[]> payloads = new ArrayList<>(requests.size());
    for (Proposal<R> p : requests) {
      if (!p.isDone()) {
        payloads.add(p.payload);
      }
    }
    if (payloads.isEmpty()) {
      return;
    }
    try {
      group.core().propose(payloads);
    } catch (ProposalDroppedException transferring) {
      // a leadership transfer is under way: the proposals stay pending and are re-sent to the new leader
    } catch (RuntimeException e) {
      requests.forEach(p -> p.fail(e));
    }
  }

  /**
   * The caller notification for {@code frame} applied at {@code index} with {@code result} (or {@code failure}), if
   * this node proposed it in this incarnation and its caller still waits; else null.
   */
  Runnable onApplied(ProposalFrame frame, long index, R result, RuntimeException failure) {
    if (frame.proposer() != group.nodeId() || frame.session() != session) {
      return null;
    }
    Proposal<R> proposal = pending.remove(frame.sequence());
    if (proposal == null) {
      return null;
    }
    markOvertaken(frame.sequence());
    meters.committed(proposal.proposedAtNanos);
    if (failure != null) {
      return () -> proposal.fail(failure);
    }
    Committed<R> committed = new Committed<>(result, index);
    return () -> proposal.complete(committed);
  }

  /**
   * Marks the pending proposals older than {@code appliedSequence} for a re-send on the next tick: this node's
   * proposals reach the log in sequence order, so one overtaken by a later one was lost (a dropped forward, a
   * leader that went away). Re-sent at once rather than after the stale delay, a lost proposal is applied before
   * the window of its session ({@link ProposalSessions#MAX_SEQUENCES_ABOVE_FLOOR}) moves past it, however busy the
   * node.
   */
  private void markOvertaken(long appliedSequence) {
    pending.forEachWhile((seq, p) -> {
      if (seq >= appliedSequence) {
        return false;
      }
      p.overtaken = true;
      return true;
    });
  }

  /**
   * Re-sends proposals that may have been lost: all of them when a new leader appears, else those overtaken by a
   * later one or unanswered for {@code staleAfterTicks} (a forward dropped by the network). Replicas skip the
   * duplicates (see {@link ProposalSessions}), so a command is applied once.
   */
  void resendStale(boolean all, long staleAfterTicks) {
    if (pending.isEmpty() || group.core().leaderId() == RaftNode.NONE) {
      return;
    }
    long now = group.ticks();
    pending.forEach((seq, p) -> {
      if (all || (p.overtaken && now > p.lastAttemptTick) || now - p.lastAttemptTick >= staleAfterTicks) {
        p.lastAttemptTick = now;
        p.overtaken = false;
        try {
          group.core().propose(p.payload);
        } catch (RaftException e) {
          // leadership in flux; the next tick or leader change retries
        }
      }
    });
  }
}
