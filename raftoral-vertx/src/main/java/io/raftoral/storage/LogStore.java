package io.raftoral.storage;

import io.raftoral.raft.PersistentState;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
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
