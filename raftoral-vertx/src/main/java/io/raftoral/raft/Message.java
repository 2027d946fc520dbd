package io.raftoral.raft;

import java.util.List;
import java.util.Objects;

/**
 * A message between two Raft servers of one group. Which fields matter depends on {@link #type()}:
 *
 * <ul>
 *   <li>{@code index}/{@code logTerm}: for {@link MessageType#APPEND}, the entry preceding {@code entries}; for
 *       votes, the candidate's last entry; for {@link MessageType#APPEND_RESPONSE}, the follower's matching index
 *       (or the rejected probe index when {@code reject});
 *   <li>{@code rejectHint}/{@code logTerm} on a rejected append: where the leader should probe next (fast
 *       backtracking);
 *   <li>{@code context}: the read-index request context on heartbeats and read-index messages, or
 *       {@link #CAMPAIGN_TRANSFER} on votes caused by a leadership transfer, or {@link #QUIESCE} on the heartbeat
 *       of a leader that quiesces its group.
 * </ul>
 */
public record Message(
    MessageType type,
    long from,
    long to,
    long term,
    long logTerm,
    long index,
    List<Entry> entries,
    long commit,
    boolean reject,
    long rejectHint,
    Snapshot snapshot,
    byte[] context) {

  /** Vote context marking an election started by {@link MessageType#TIMEOUT_NOW}: it overrides leader leases. */
  public static final byte[] CAMPAIGN_TRANSFER = {'T'};

  /**
   * Heartbeat context of a leader that quiesces its idle group ({@link RaftNode#quiesce()}): a follower as up to
   * date as the heartbeat's commit index stops its election timer. ReadIndex contexts are longer, so they never
   * collide with it.
   */
  public static final byte[] QUIESCE = {'Q'};

  private static final byte[] EMPTY = new byte[0];

  public Message {
    Objects.requireNonNull(type, "type");
    entries = entries == null ? List.of() : List.copyOf(entries);
    context = context == null ? EMPTY : context;
  }

  /** A builder for a message of {@code type} from {@code from} to {@code to}. */
  public static Builder builder(MessageType type, long from, long to) {
    return new Builder(type, from, to);
  }

  /** A copy addressed with another term (used when messages are stamped with the sender's term). */
  Message withTerm(long newTerm) {
    return new Message(type, from, to, newTerm, logTerm, index, entries, commit, reject, rejectHint, snapshot, context);
  }

  /** Approximate encoded size in bytes. */
  public long sizeBytes() {
    long size = 64 + context.length;
    for (Entry e : entries) {
      size += e.sizeBytes();
    }
    if (snapshot != null) {
      size += snapshot.data().length;
    }
    return size;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(type.name()).append('{').append(from).append("->").append(to)
        .append(" t").append(term);
    if (logTerm != 0 || index != 0) {
      sb.append(" i").append(index).append('/').append(logTerm);
    }
    if (!entries.isEmpty()) {
      sb.append(" n=").append(entries.size()).append('[').append(entries.get(0).index()).append("..")
          .append(entries.get(entries.size() - 1).index()).append(']');
    }
    if (commit != 0) {
      sb.append(" c").append(commit);
    }
    if (reject) {
      sb.append(" REJECT hint=").append(rejectHint);
    }
    if (snapshot != null) {
      sb.append(' ').append(snapshot);
    }
    return sb.append('}').toString();
  }

  /** Fluent builder; unset numeric fields are 0. */
  public static final class Builder {
    private final MessageType type;
    private final long from;
    private final long to;
    private long term;
    private long logTerm;
    private long index;
    private List<Entry> entries = List.of();
    private long commit;
    private boolean reject;
    private long rejectHint;
    private Snapshot snapshot;
    private byte[] context;

    private Builder(MessageType type, long from, long to) {
      this.type = type;
      this.from = from;
      this.to = to;
    }

    public Builder term(long v) { term = v; return this; }
    public Builder logTerm(long v) { logTerm = v; return this; }
    public Builder index(long v) { index = v; return this; }
    public Builder entries(List<Entry> v) { entries = v; return this; }
    public Builder commit(long v) { commit = v; return this; }
    public Builder reject(boolean v) { reject = v; return this; }
    public Builder rejectHint(long v) { rejectHint = v; return this; }
    public Builder snapshot(Snapshot v) { snapshot = v; return this; }
    public Builder context(byte[] v) { context = v; return this; }

    public Message build() {
      return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, context);
    }
  }
}
