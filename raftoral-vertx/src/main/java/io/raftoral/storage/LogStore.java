package io.raftoral.storage;

import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * Durable storage of every Raft group of one node.
 *
 * <p>One store serves all groups of a node so that one flush (fsync) can cover the pending writes of every group
 * (group commit): {@link #write} only enqueues, and the returned future completes once the write is durable.
 * Writes of one group become durable in submission order. Futures may complete on any thread; callers that need
 * their own context must hop back to it.
 *
 * <p>Implementations: {@link InMemoryLogStore} (tests) and the LMDB store of {@code raftoral-lmdb}.
 */
public interface LogStore {

  /** Where the data lives, for error messages (a directory, or a description). */
  default String location() {
    return getClass().getSimpleName();
  }

  /** The groups that have persisted state. */
  Future<Set<Long>> groups();

  /**
   * What group {@code clusterId} persisted, or null when it has nothing.
   */
  Future<PersistentState> load(long clusterId);

  /** Durably applies {@code write} for group {@code clusterId}; completes once durable. */
  Future<Void> write(long clusterId, StoreWrite write);

  /**
   * Stores a snapshot the group's state machine produced and discards the stored log up to its index. Completes
   * once durable.
   */
  Future<Void> saveSnapshot(long clusterId, Snapshot snapshot);

  /**
   * Starts a new snapshot of group {@code clusterId} (§7): the producer streams the data into the sink, which
   * computes its {@link SnapshotRef} on the way. The Raft snapshot the group then hands to {@link #saveSnapshot}
   * carries the encoded reference as its data; the store keeps the referenced data (and that of the previous
   * snapshot, which peers may still be fetching) and discards older ones.
   */
  default SnapshotSink createSnapshot(long clusterId) {
    throw new UnsupportedOperationException(location() + " cannot stream snapshots");
  }

  /**
   * {@link #createSnapshot(long)} with a chunk size for the reference's checksums (a group's
   * {@code snapshotChunkBytes}): a hint, the reference says which size was used. By default the store's own size.
   */
  default SnapshotSink createSnapshot(long clusterId, int chunkSize) {
    return createSnapshot(clusterId);
  }

  /**
   * Receives snapshot {@code ref} of group {@code clusterId} from a peer. When an earlier transfer of the same
   * snapshot was interrupted, the receiver starts at the verified bytes already held; when the store already keeps
   * the whole snapshot, at {@code ref.size()} (its {@code complete()} then just succeeds).
   */
  default SnapshotReceiver receiveSnapshot(long clusterId, SnapshotRef ref) {
    throw new UnsupportedOperationException(location() + " cannot receive snapshots");
  }

  /**
   * Reads up to {@code maxBytes} of kept snapshot {@code snapshotId} of group {@code clusterId} from {@code offset}
   * (what peers fetch): an empty buffer at the end of the data; a failed
   * {@link SnapshotNotFoundException} when the snapshot is not kept (or not complete). Runs
   * off the event loop.
   */
  default Future<Buffer> readSnapshot(long clusterId, String snapshotId, long offset, int maxBytes) {
    return Future.failedFuture(new UnsupportedOperationException(location() + " cannot stream snapshots"));
  }

  /**
   * The size in bytes of kept snapshot {@code snapshotId} of group {@code clusterId} (what a peer asks before a
   * ranged fetch), or a failed {@link SnapshotNotFoundException}.
   */
  default Future<Long> snapshotSize(long clusterId, String snapshotId) {
    return Future.failedFuture(new UnsupportedOperationException(location() + " cannot stream snapshots"));
  }

  /**
   * Opens kept snapshot {@code snapshotId} of group {@code clusterId} for restoring the state machine: a blocking
   * stream, read on the group's context (from the page cache; the state machine is single-threaded).
   *
   * @throws StorageException when the snapshot is not kept
   */
  default InputStream openSnapshot(long clusterId, String snapshotId) {
    throw new UnsupportedOperationException(location() + " cannot stream snapshots");
  }

  /**
   * Where the workflow runtime keeps the checkpoint history of execution cluster state machines on this node (see
   * {@link CheckpointStore}). Called once per execution cluster; the default is a new {@link InHeapCheckpointStore}
   * per call, so stores without a place of their own keep histories in the heap as before.
   */
  default CheckpointStore checkpoints() {
    return new InHeapCheckpointStore();
  }

  /** Deletes everything group {@code clusterId} stored (it left this node). */
  Future<Void> deleteGroup(long clusterId);

  /** The identity this storage belongs to, or null when none was saved yet. */
  Future<NodeIdentity> identity();

  /**
   * Durably records the identity this storage belongs to.
   *
   * @return a failed future with a {@link StorageException} when another identity is already recorded
   */
  Future<Void> saveIdentity(NodeIdentity identity);

  /**
   * Writes a consistent copy of this store, as of one moment, into {@code targetDirectory} (created if missing; it
   * must be empty) while the store keeps serving: an operator's backup. The work runs off the event loop. Stores
   * that keep nothing on disk fail with an {@link UnsupportedOperationException}.
   *
   * @return the size in bytes of the copy
   */
  default Future<Long> backup(Path targetDirectory) {
    return Future.failedFuture(new UnsupportedOperationException(location() + " cannot be backed up"));
  }

  /** Releases resources; pending writes are flushed first. */
  Future<Void> close();
}
