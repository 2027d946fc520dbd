package io.raftoral.storage;

import java.util.List;

/**
 * Where a node keeps the checkpoint history of its execution clusters' workflows, out of the heap when the store
 * allows it: entries keyed by (cluster, workflow id, position), each an opaque byte array the workflow runtime
 * encodes. The data is derived from the Raft log and the state-machine snapshot (a restore followed by a replay
 * writes it again), so a store gives it no durability of its own: no fsync, and nothing survives that the log does
 * not also hold.
 *
 * <p>Writes are enqueued and become readable once the store committed them; each returns a ticket, and
 * {@link #committedThrough()} tells which tickets are readable. Until then the caller keeps what it wrote in its own
 * heap (the runtime's "hot tail"). Writes of one store apply in submission order. Reads are synchronous and cheap
 * (LMDB: a read transaction on the memory map) and may run on the execution cluster's context.
 *
 * <p>Implementations: {@link InHeapCheckpointStore} (the default of every {@link LogStore}) and the LMDB store of
 * {@code raftoral-lmdb} (its own table in the log's environment).
 */
public interface CheckpointStore {

  /** One entry to write: {@code checkpoint} at {@code position} of workflow {@code workflowId}. */
  record Put(String workflowId, long position, byte[] checkpoint) {}

  /** One stored entry and its position. */
  record Stored(long position, byte[] checkpoint) {}

  /** Stores (or replaces) one entry; returns its ticket. */
  long put(long clusterId, String workflowId, long position, byte[] checkpoint);

  /** Stores several entries in one write (a restore refilling the table); returns the ticket of the last. */
  long putAll(long clusterId, List<Put> puts);

  /** Deletes the entries of {@code workflowId} before {@code position} (history trimmed); returns a ticket. */
  long deleteBefore(long clusterId, String workflowId, long position);

  /** Deletes every entry of {@code workflowId} (its history pruned); returns a ticket. */
  long deleteWorkflow(long clusterId, String workflowId);

  /** Deletes every entry of cluster {@code clusterId} (its state machine starts over); returns a ticket. */
  long clear(long clusterId);

  /** The highest ticket whose write (and every earlier one) is readable. */
  long committedThrough();

  /**
   * Waits until the write of {@code ticket} is readable. Blocking: only for a restore, which reads its stream on
   * the cluster's context anyway and must not leave reads of what it wrote to chance.
   */
  void awaitCommitted(long ticket);

  /** The committed entry at {@code position}, or null. */
  byte[] get(long clusterId, String workflowId, long position);

  /** Up to {@code max} committed entries of {@code workflowId} from {@code fromPosition} on, in position order. */
  List<Stored> read(long clusterId, String workflowId, long fromPosition, int max);

  /**
   * Freezes the entries of cluster {@code clusterId} as they stand now, for a snapshot streamed off the cluster's
   * context while its commands go on being applied (and its entries written, trimmed and deleted). Call it on the
   * context that writes the cluster's entries; read the view from any one thread at a time, then close it. Null (the
   * default) when the store cannot freeze: the snapshot is then streamed on the context.
   */
  default Frozen freeze(long clusterId) {
    return null;
  }

  /**
   * A read-only view of a cluster's entries as they stood at {@link #freeze}: it holds every entry written before
   * (a read waits for the store to commit them, so it may block: never read it on an event loop) and none of the
   * deletes after; a workflow deleted and written again reads as it was. Entries written after the freeze at
   * positions a workflow did not have yet may show through it (a reader asks for the positions it knew). The store
   * holds back its deletes (or keeps copies) until the view is closed.
   */
  interface Frozen extends AutoCloseable {

    /** Up to {@code max} entries of {@code workflowId} from {@code fromPosition} on, as they stood at the freeze. */
    List<Stored> read(String workflowId, long fromPosition, int max);

    /** Lets the store go on deleting what the view held. Idempotent. */
    @Override
    void close();
  }
}
