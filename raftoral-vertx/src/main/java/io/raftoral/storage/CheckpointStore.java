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
}
