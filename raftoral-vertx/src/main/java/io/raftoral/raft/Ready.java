package io.raftoral.raft;

import java.util.List;

/**
 * Work the caller must do for a {@link RaftNode}, in this order, before calling {@link RaftNode#advance()}:
 *
 * <ol>
 *   <li>send {@link #messages()} now: they promise nothing about local durability (thesis §10.2.1: the leader
 *       replicates while its own append is still being written);
 *   <li>durably write {@link #snapshot()} (if any), then {@link #entries()} (replacing any stored entries from the
 *       first one's index on), then {@link #hardState()} (if any);
 *   <li>only then send {@link #messagesAfterPersist()} (votes and append acknowledgements promise durability);
 *   <li>restore the state machine from {@link #snapshot()} if any, then apply {@link #committedEntries()} in order;
 *   <li>deliver {@link #readStates()} once the state machine has applied their index.
 * </ol>
 *
 * <p>The leader counts its own copy of {@link #entries()} towards commitment only when {@code advance()} reports
 * them written, so its write overlaps replication without risking a commit on a volatile copy.
 *
 * @param softState leader and role, or null when unchanged since the previous Ready
 * @param hardState term, vote and commit to persist, or null when unchanged
 * @param entries entries to append durably
 * @param snapshot a snapshot received from the leader to persist and install, or null
 * @param messages messages to send right away
 * @param messagesAfterPersist messages to send once this Ready is durable
 * @param committedEntries committed entries to apply
 * @param readStates completed read-index requests
 * @param mustSync whether the write must be synced to disk before {@link #messagesAfterPersist()} go and
 *     {@code advance()} is called: true for entries, a snapshot, or a new term or vote; false when only the commit
 *     index changed (a volatile fact that a restarted server learns again), which may be written lazily
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<Entry> entries,
    Snapshot snapshot,
    List<Message> messages,
    List<Message> messagesAfterPersist,
    List<Entry> committedEntries,
    List<ReadState> readStates,
    boolean mustSync) {

  public Ready {
    entries = List.copyOf(entries);
    messages = List.copyOf(messages);
    messagesAfterPersist = List.copyOf(messagesAfterPersist);
    committedEntries = List.copyOf(committedEntries);
    readStates = List.copyOf(readStates);
  }

  /** Whether this Ready requires a durable (fsync'd) write before {@link #messagesAfterPersist()} may be sent. */
  public boolean mustPersist() {
    return hardState != null || !entries.isEmpty() || snapshot != null;
  }
}
