package io.raftoral.group.impl;

import io.raftoral.async.Bridge;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's view of the node's {@link LogStore}: every outcome comes back on the group's context, and a durable
 * write that fails is retried until it succeeds.
 */
final class GroupStore {

  private static final Logger LOG = LoggerFactory.getLogger(GroupStore.class);
  /** Retry delay of a failed durable write: doubles from the first delay up to the cap. */
  private static final long WRITE_RETRY_FIRST_MILLIS = 50;
  private static final int WRITE_RETRY_MAX_DOUBLINGS = 7;
  private static final long WRITE_RETRY_CAP_MILLIS = 5_000;
  /** A failing durable write is logged on its first failure and then once every this many failures. */
  private static final int WRITE_FAILURE_LOG_EVERY = 20;

  /** The latest commit-index-only hard state not written yet (see {@link #deferCommitIndex}). */
  private HardState deferred;
  private final LogStore store;
  private final long groupId;
  private final long nodeId;
  private final Vertx vertx;
  private final Context context;

  GroupStore(LogStore store, long groupId, long nodeId, Vertx vertx, Context context) {
    this.store = store;
    this.groupId = groupId;
    this.nodeId = nodeId;
    this.vertx = vertx;
    this.context = context;
  }

  /**
   * What the group persisted; when nothing, a fresh state (founding the group with {@code bootstrap}, or joining
   * one when it is null), written first.
   */
  Future<PersistentState> loadOrCreate(Membership bootstrap) {
    return onContext(store.load(groupId)).compose(stored -> {
      if (stored != null) {
        return Future.succeededFuture(stored);
      }
      PersistentState fresh = bootstrap != null ? PersistentState.bootstrap(bootstrap) : PersistentState.joining();
      return onContext(store.write(groupId, new StoreWrite(null, fresh.entries(), fresh.hardState())))
          .map(v -> fresh);
    });
  }

  /**
   * Keeps {@code rd}'s hard state (only its commit index changed) to be written with the next durable write, or when
   * the group stops. Raft needs no durable commit index (a restarted member learns it again; the log is what must
   * be durable), and a write of its own per commit cost the node's one LMDB writer a transaction between two
   * proposals. A member restarted from a lagging commit index applies the rest once its leader tells it; workflow
   * executions wait for that before producing ({@code CatchUpBarrier}).
   */
  void deferCommitIndex(Ready rd) {
    deferred = rd.hardState();
  }

  /** Writes a deferred commit index now (the group stops: a clean restart resumes from where it was). */
  Future<Void> flushDeferred() {
    HardState hs = deferred;
    deferred = null;
    if (hs == null) {
      return Future.succeededFuture();
    }
    return store.write(groupId, new StoreWrite(null, List.of(), hs, false)).recover(e -> {
      LOG.warn("group {} on node {}: writing the commit index on stop failed: {}", groupId, nodeId, e.toString());
      return Future.succeededFuture();
    });
  }

  /**
   * Writes {@code rd} durably, then runs {@code durable} on whatever thread the store completes the write on (the
   * LMDB writer's, right after its fsync) and {@code then} on the group's context. {@code durable} is for what may go
   * as soon as the disk has the write (the Ready's acknowledgements and votes): sending them before the hop back to
   * the group's event loop takes that hop off every commit's path. A failed write (a full disk, an I/O error) is
   * retried with a growing delay until it succeeds: nothing it promised (votes, acknowledgements) is sent before,
   * the group stays up and resumes when the store recovers. {@code then} does not run once {@code stopped} says so.
   */
  void persist(Ready rd, BooleanSupplier stopped, Runnable durable, Runnable then) {
    StoreWrite write = StoreWrite.of(rd);
    if (write.hardState() == null && deferred != null) {
      write = new StoreWrite(write.snapshot(), write.entries(), deferred, write.sync());
    }
    deferred = null; // a Ready with a hard state of its own carries the newer commit index
    persist(write, stopped, durable, then, 0);
  }

  private void persist(StoreWrite write, BooleanSupplier stopped, Runnable durable, Runnable then, int failures) {
    Future<Void> written = store.write(groupId, write);
    written.onSuccess(v -> durable.run());
    onContext(written).onComplete(ar -> {
      if (stopped.getAsBoolean()) {
        return;
      }
      if (ar.failed()) {
        long delay = Math.min(WRITE_RETRY_CAP_MILLIS,
            WRITE_RETRY_FIRST_MILLIS << Math.min(failures, WRITE_RETRY_MAX_DOUBLINGS));
        if (failures == 0 || failures % WRITE_FAILURE_LOG_EVERY == 0) {
          LOG.error("group {} on node {}: durable write failed ({} times), retrying in {} ms: {}", groupId, nodeId,
              failures + 1, delay, ar.cause().toString());
        }
        vertx.setTimer(delay, id -> persist(write, stopped, durable, then, failures + 1));
        return;
      }
      then.run();
    });
  }

  /** Saves a snapshot the group took, without waiting (a failure is logged; the log then stays uncompacted). */
  void saveSnapshot(Snapshot snap) {
    store.saveSnapshot(groupId, snap).onFailure(e ->
        LOG.error("group {} on node {}: saving snapshot {} failed: {}", groupId, nodeId, snap.index(), e.toString()));
  }

  /**
   * {@code future}'s outcome, delivered on the group's context. Always by a hop through the context's task queue: a
   * store may complete on a worker thread where {@code Vertx.currentContext()} still reports this context (blocking
   * code runs "on" its caller's context), so the current context cannot tell whether we are on its thread.
   */
  private <T> Future<T> onContext(Future<T> future) {
    return Bridge.onContext(future, context);
  }
}
