package io.raftoral.group.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.storage.SnapshotChecksumException;
import io.raftoral.storage.SnapshotNotFoundException;
import io.raftoral.storage.SnapshotReceiver;
import io.raftoral.storage.SnapshotRef;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of out-of-band snapshots (§7): a SNAPSHOT message carries only a {@link SnapshotRef}, so it is
 * held back from the Raft core until the data is in this node's store. The data is fetched from the message's
 * sender in verified chunks; a broken transfer or a corrupted chunk is fetched again from the last good offset, with
 * a growing delay, and given up after {@link #MAX_FAILED_ATTEMPTS} attempts without progress (the leader sends the
 * message again while it waits, which starts a new fetch, resumed from what the store holds). Once the whole data
 * matches its SHA-256, the message is stepped.
 *
 * <p>One transfer at a time: a message naming another snapshot while one is fetched is ignored (the leader asks
 * again), unless the sender no longer keeps the one being fetched. Everything runs on the group's context, which
 * never waits for the transfer: Raft keeps going meanwhile.
 */
final class SnapshotFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFetcher.class);
  /** Consecutive failed attempts (without a verified byte more) after which a transfer is given up. */
  static final int MAX_FAILED_ATTEMPTS = 6;
  /** Delay before fetching again after a failure: doubles from the first delay up to the cap. */
  private static final long RETRY_FIRST_MILLIS = 50;
  private static final long RETRY_CAP_MILLIS = 2_000;

  private final long groupId;
  private final GroupEnvironment env;
  private final Vertx vertx;
  private final Context context;
  private final BooleanSupplier stopped;
  private final LongSupplier commitIndex;
  private final LongSupplier term;
  private final Consumer<Message> step;
  private Transfer current;

  /**
   * @param commitIndex the core's commit index: a snapshot not beyond it needs no data (the core just answers)
   * @param term the core's term: a message of an older term needs no data either (the core refuses it)
   * @param step steps a message whose snapshot data is now held, and processes what it produces
   */
  SnapshotFetcher(long groupId, GroupEnvironment env, Vertx vertx, Context context, BooleanSupplier stopped,
      LongSupplier commitIndex, LongSupplier term, Consumer<Message> step) {
    this.groupId = groupId;
    this.env = env;
    this.vertx = vertx;
    this.context = context;
    this.stopped = stopped;
    this.commitIndex = commitIndex;
    this.term = term;
    this.step = step;
  }

  /**
   * Whether inbound message {@code m} waits for its snapshot data (this fetcher steps it later, or drops it): false
   * for every message to step now, including snapshots with inline data.
   */
  boolean holds(Message m) {
    if (m.type() != MessageType.SNAPSHOT || m.snapshot() == null || !SnapshotRef.isRef(m.snapshot().data())
        || m.snapshot().index() <= commitIndex.getAsLong() || m.term() < term.getAsLong()) {
      return false;
    }
    SnapshotRef ref;
    try {
      ref = SnapshotRef.decode(m.snapshot().data());
    } catch (IllegalArgumentException e) {
      env.countRejectedMessage();
      LOG.warn("group {} on node {}: snapshot message from {} dropped: {}", groupId, env.nodeId(), m.from(),
          e.toString());
      return true;
    }
    if (current != null) {
      if (current.ref.equals(ref)) {
        current.message = m; // its newest copy: the current term and sender
      }
      return true;
    }
    SnapshotReceiver receiver;
    try {
      receiver = env.store().receiveSnapshot(groupId, ref);
    } catch (RuntimeException e) {
      LOG.error("group {} on node {}: cannot receive snapshot {}: {}", groupId, env.nodeId(), ref, e.toString());
      return true;
    }
    current = new Transfer(ref, m, receiver);
    LOG.info("group {} on node {}: fetching {} from node {} at offset {}", groupId, env.nodeId(), ref, m.from(),
        receiver.offset());
    current.attempt();
    return true;
  }

  /** One snapshot being fetched. */
  private final class Transfer {
    final SnapshotRef ref;
    Message message;
    SnapshotReceiver receiver;
    int failures;

    Transfer(SnapshotRef ref, Message message, SnapshotReceiver receiver) {
      this.ref = ref;
      this.message = message;
      this.receiver = receiver;
    }

    void attempt() {
      if (stopped.getAsBoolean() || current != this) {
        return;
      }
      long from = receiver.offset();
      if (from >= ref.size()) {
        complete();
        return;
      }
      Bridge.onContext(env.fetchSnapshot(message.from(), groupId, ref.id(), from, ref.chunkSize(), receiver::write),
          context).onComplete(ar -> {
            if (ar.succeeded()) {
              complete();
            } else {
              failed(ar.cause(), receiver.offset() > from);
            }
          });
    }

    void complete() {
      Bridge.onContext(receiver.complete(), context).onComplete(ar -> {
        if (stopped.getAsBoolean() || current != this) {
          return;
        }
        if (ar.failed()) {
          if (ar.cause() instanceof SnapshotChecksumException) {
            receiver = env.store().receiveSnapshot(groupId, ref); // the store discarded the data: start over
          }
          failed(ar.cause(), false);
          return;
        }
        current = null;
        LOG.info("group {} on node {}: fetched {}", groupId, env.nodeId(), ref);
        step.accept(message);
      });
    }

    void failed(Throwable cause, boolean progressed) {
      if (stopped.getAsBoolean() || current != this) {
        return;
      }
      failures = progressed ? 1 : failures + 1;
      if (cause instanceof SnapshotNotFoundException || failures >= MAX_FAILED_ATTEMPTS) {
        LOG.warn("group {} on node {}: fetching {} from node {} given up after {} failures: {}", groupId,
            env.nodeId(), ref, message.from(), failures, cause.toString());
        current = null; // the leader sends its snapshot again, which starts a new fetch
        return;
      }
      long delay = Math.min(RETRY_CAP_MILLIS, RETRY_FIRST_MILLIS << Math.min(failures, Long.SIZE - 2));
      LOG.debug("group {} on node {}: fetching {} failed at offset {} ({}), again in {} ms", groupId, env.nodeId(),
          ref, receiver.offset(), cause.toString(), delay);
      vertx.setTimer(delay, id -> attempt()); // on the group's context, where this runs
    }
  }
}
