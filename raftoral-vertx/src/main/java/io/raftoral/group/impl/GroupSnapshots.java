package io.raftoral.group.impl;

import io.raftoral.async.Bridge;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.LogStore;
import io.raftoral.storage.SnapshotRef;
import io.raftoral.storage.SnapshotSink;
import io.raftoral.group.StateMachine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes and installs one group's snapshots (§7) on its context. A snapshot is streamed into the node's store (the
 * session table, then the state machine's image) and the Raft snapshot carries only its {@link SnapshotRef}, which
 * followers fetch out of band ({@link SnapshotFetcher}). A store that cannot stream snapshots gets the whole image
 * inline in the Raft snapshot, as before; inline snapshots of older versions are still installed.
 *
 * <p>One snapshot at a time. A state machine that freezes ({@link StateMachine#freeze()}) gives an image of the
 * state at the applied index, which a worker streams while the group goes on applying commands; one that does not is
 * streamed on the group's context (no command is applied meanwhile, so the image is the state at the index it is
 * compacted at). The file is then made durable off the event loop and the log compacted at that index, however far
 * the group got meanwhile. Operators' requests ({@link #request}) wait for
 * the snapshot in flight and are answered by the next one.
 */
final class GroupSnapshots {

  private static final Logger LOG = LoggerFactory.getLogger(GroupSnapshots.class);

  private final long groupId;
  private final long nodeId;
  private final LogStore store;
  private final GroupStore groupStore;
  private final CommandApplier<?, ?> applier;
  private final Context context;
  private final int chunkBytes;
  /** The group's check for a snapshot to take (called again when requests arrived during one in flight). */
  private final Runnable recheck;
  /** Operators' snapshot requests waiting for the snapshot in flight or the write in flight. */
  private final List<Promise<Long>> requests = new ArrayList<>();
  private boolean inFlight;
  /** The index of the newest snapshot taken or installed. */
  private long index;
  /** The size of the newest snapshot taken or installed (its state machine's data). */
  private long snapshotBytes;
  /** The bytes of the entries applied after {@link #index} (or after the index of the snapshot in flight). */
  private long appliedBytes;

  /** Compacts the group's log up to {@code index} with a snapshot whose Raft data is {@code data}, or null. */
  @FunctionalInterface
  interface Compaction {
    Snapshot compact(long index, byte[] data);
  }

  GroupSnapshots(long groupId, long nodeId, LogStore store, GroupStore groupStore, CommandApplier<?, ?> applier,
      Context context, int chunkBytes, Runnable recheck) {
    this.groupId = groupId;
    this.nodeId = nodeId;
    this.store = store;
    this.groupStore = groupStore;
    this.applier = applier;
    this.context = context;
    this.chunkBytes = chunkBytes;
    this.recheck = recheck;
  }

  /** The size of a snapshot's state-machine data: the referenced data's, or the inline data's. */
  static long dataSize(Snapshot snapshot) {
    byte[] data = snapshot.data();
    return SnapshotRef.isRef(data) ? SnapshotRef.decode(data).size() : data.length;
  }

  /** Snapshot {@code snapshot} is in effect (loaded at start, or received from the leader). */
  void installed(Snapshot snapshot) {
    index = snapshot.index();
    snapshotBytes = snapshot.index() > 0 ? dataSize(snapshot) : 0;
    appliedBytes = 0;
  }

  /** An entry of {@code bytes} was applied. */
  void applied(int bytes) {
    appliedBytes += bytes;
  }

  /** An operator's request, answered with the newest snapshot index once the next snapshot is taken. */
  void request(Promise<Long> done) {
    requests.add(done);
  }

  /** Fails the waiting requests (the group stopped). */
  void failRequests(Throwable cause) {
    requests.forEach(p -> p.tryFail(cause));
    requests.clear();
  }

  /**
   * Takes a snapshot if one was requested, or once {@code everyEntries} entries were applied since the last one and
   * their bytes reach {@code logRatio} times the last snapshot's size, unless one is in flight. {@code appliedIndex}
   * must be durable (the log is compacted up to it).
   *
   * <p>The ratio keeps the cost of snapshots proportional to what the log grew by (Ongaro's dissertation §5.1.1,
   * "When to snapshot"; LogCabin's snapshot ratio): a large state, such as ended workflows kept with their history,
   * is not written whole again every few thousand small entries, and the log kept meanwhile stays about the size of
   * the state.
   */
  void maybeTake(long appliedIndex, long everyEntries, double logRatio, Compaction compaction) {
    if (inFlight) {
      return;
    }
    if (!requests.isEmpty()) {
      List<Promise<Long>> waiting = new ArrayList<>(requests);
      requests.clear();
      take(appliedIndex, compaction, () -> waiting.forEach(p -> p.tryComplete(index)));
    } else if (appliedIndex - index >= everyEntries && appliedBytes >= logRatio * snapshotBytes) {
      take(appliedIndex, compaction, () -> { });
    }
  }

  private void take(long at, Compaction compaction, Runnable done) {
    if (at <= index) {
      done.run();
      return;
    }
    long bytesUpToAt = appliedBytes;
    SnapshotSink sink;
    try {
      sink = store.createSnapshot(groupId, chunkBytes);
    } catch (UnsupportedOperationException e) {
      compacted(compaction.compact(at, applier.snapshot()), bytesUpToAt, done);
      return;
    }
    Future<Void> streamed;
    try {
      StateMachine.FrozenSnapshot frozen = applier.freeze();
      if (frozen == null) {
        applier.snapshot(sink.stream());
        streamed = Future.succeededFuture();
      } else {
        streamed = streamOffContext(frozen, sink);
      }
    } catch (IOException | RuntimeException e) {
      sink.abort();
      LOG.error("group {} on node {}: streaming a snapshot failed: {}", groupId, nodeId, e.toString());
      done.run();
      return;
    }
    inFlight = true;
    streamed.compose(v -> Bridge.onContext(sink.finish(), context)).onComplete(ar -> {
      inFlight = false;
      if (ar.failed()) {
        LOG.error("group {} on node {}: writing a snapshot failed: {}", groupId, nodeId,
            ar.cause().toString());
        done.run();
      } else {
        compacted(compaction.compact(at, ar.result().encode()), bytesUpToAt, done);
      }
      if (!requests.isEmpty()) {
        recheck.run(); // requested while this one was made durable
      }
    });
  }

  /**
   * Streams a frozen image into {@code sink} on a worker thread (the group goes on applying commands meanwhile);
   * completes on the group's context. A failure aborts the sink.
   */
  private Future<Void> streamOffContext(StateMachine.FrozenSnapshot frozen, SnapshotSink sink) {
    return context.executeBlocking(() -> {
      try (frozen) {
        frozen.write(sink.stream());
        return null;
      } catch (IOException | RuntimeException e) {
        sink.abort();
        throw e;
      }
    }, false);
  }

  /** The log was compacted at {@code snapshot} (null: not), taken once {@code bytesUpToIt} entry bytes were applied. */
  private void compacted(Snapshot snapshot, long bytesUpToIt, Runnable done) {
    if (snapshot != null) {
      if (snapshot.index() > index) {
        index = snapshot.index();
        snapshotBytes = dataSize(snapshot);
        appliedBytes = Math.max(0, appliedBytes - bytesUpToIt);
      }
      groupStore.saveSnapshot(snapshot);
    }
    done.run();
  }

  /** Replaces the state machine's state by durable snapshot {@code snapshot}'s (read from the store if a reference). */
  void install(Snapshot snapshot) {
    byte[] data = snapshot.data();
    if (!SnapshotRef.isRef(data)) {
      applier.restore(data, snapshot.index());
      return;
    }
    SnapshotRef ref = SnapshotRef.decode(data);
    try (InputStream in = store.openSnapshot(groupId, ref.id())) {
      applier.restore(in, snapshot.index());
    } catch (IOException e) {
      throw new UncheckedIOException("group " + groupId + ": reading snapshot " + ref.id() + " failed", e);
    }
  }
}
