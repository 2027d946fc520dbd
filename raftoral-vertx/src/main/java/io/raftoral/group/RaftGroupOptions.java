package io.raftoral.group;

import io.raftoral.raft.RaftConfig;
import io.raftoral.storage.SnapshotRef;
import io.vertx.core.json.JsonObject;

/**
 * Settings of one Raft group. Times are in ticks of the node's ticker (see the node's tick interval). Vert.x-style
 * data object: fluent setters, {@code DEFAULT_*} constants, JSON round trip.
 */
public final class RaftGroupOptions {

  public static final int DEFAULT_ELECTION_TICKS = RaftConfig.DEFAULT_ELECTION_TICKS;
  public static final int DEFAULT_HEARTBEAT_TICKS = RaftConfig.DEFAULT_HEARTBEAT_TICKS;
  public static final int DEFAULT_MAX_INFLIGHT_MESSAGES = RaftConfig.DEFAULT_MAX_INFLIGHT_MESSAGES;
  public static final long DEFAULT_MAX_MESSAGE_BYTES = RaftConfig.DEFAULT_MAX_MESSAGE_BYTES;
  public static final boolean DEFAULT_PRE_VOTE = RaftConfig.DEFAULT_PRE_VOTE;
  public static final boolean DEFAULT_CHECK_QUORUM = RaftConfig.DEFAULT_CHECK_QUORUM;
  public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 10_000;
  public static final double DEFAULT_SNAPSHOT_LOG_RATIO = 1.0;
  public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = SnapshotRef.DEFAULT_CHUNK_SIZE;
  public static final int DEFAULT_MAX_PENDING_PROPOSALS = 10_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;
  /** As many as the proposals a node may have pending: a leaderless node queues at most that many of each kind. */
  public static final int DEFAULT_MAX_REQUESTS_AWAITING_LEADER = DEFAULT_MAX_PENDING_PROPOSALS;
  /** Off until quiescing has seen more use: idle groups keep heartbeating. */
  public static final boolean DEFAULT_QUIESCE_WHEN_IDLE = true;

  private int electionTicks = DEFAULT_ELECTION_TICKS;
  private int heartbeatTicks = DEFAULT_HEARTBEAT_TICKS;
  private int maxInflightMessages = DEFAULT_MAX_INFLIGHT_MESSAGES;
  private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private boolean preVote = DEFAULT_PRE_VOTE;
  private boolean checkQuorum = DEFAULT_CHECK_QUORUM;
  private long snapshotEveryEntries = DEFAULT_SNAPSHOT_EVERY_ENTRIES;
  private double snapshotLogRatio = DEFAULT_SNAPSHOT_LOG_RATIO;
  private int maxPendingProposals = DEFAULT_MAX_PENDING_PROPOSALS;
  private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
  private int maxRequestsAwaitingLeader = DEFAULT_MAX_REQUESTS_AWAITING_LEADER;
  private boolean quiesceWhenIdle = DEFAULT_QUIESCE_WHEN_IDLE;
  private int snapshotChunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES;

  public RaftGroupOptions() {}

  /** A copy of {@code other}, field by field. */
  public RaftGroupOptions(RaftGroupOptions other) {
    electionTicks = other.electionTicks;
    heartbeatTicks = other.heartbeatTicks;
    maxInflightMessages = other.maxInflightMessages;
    maxMessageBytes = other.maxMessageBytes;
    preVote = other.preVote;
    checkQuorum = other.checkQuorum;
    snapshotEveryEntries = other.snapshotEveryEntries;
    snapshotLogRatio = other.snapshotLogRatio;
    maxPendingProposals = other.maxPendingProposals;
    requestTimeoutMillis = other.requestTimeoutMillis;
    maxRequestsAwaitingLeader = other.maxRequestsAwaitingLeader;
    quiesceWhenIdle = other.quiesceWhenIdle;
    snapshotChunkBytes = other.snapshotChunkBytes;
  }

  public RaftGroupOptions(JsonObject json) {
    setElectionTicks(json.getInteger("electionTicks", DEFAULT_ELECTION_TICKS));
    setHeartbeatTicks(json.getInteger("heartbeatTicks", DEFAULT_HEARTBEAT_TICKS));
    setMaxInflightMessages(json.getInteger("maxInflightMessages", DEFAULT_MAX_INFLIGHT_MESSAGES));
    setMaxMessageBytes(json.getLong("maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES));
    setPreVote(json.getBoolean("preVote", DEFAULT_PRE_VOTE));
    setCheckQuorum(json.getBoolean("checkQuorum", DEFAULT_CHECK_QUORUM));
    setSnapshotEveryEntries(json.getLong("snapshotEveryEntries", DEFAULT_SNAPSHOT_EVERY_ENTRIES));
    setSnapshotLogRatio(json.getDouble("snapshotLogRatio", DEFAULT_SNAPSHOT_LOG_RATIO));
    setMaxPendingProposals(json.getInteger("maxPendingProposals", DEFAULT_MAX_PENDING_PROPOSALS));
    setRequestTimeoutMillis(json.getLong("requestTimeoutMillis", DEFAULT_REQUEST_TIMEOUT_MILLIS));
    setMaxRequestsAwaitingLeader(json.getInteger("maxRequestsAwaitingLeader", DEFAULT_MAX_REQUESTS_AWAITING_LEADER));
    setQuiesceWhenIdle(json.getBoolean("quiesceWhenIdle", DEFAULT_QUIESCE_WHEN_IDLE));
    setSnapshotChunkBytes(json.getInteger("snapshotChunkBytes", DEFAULT_SNAPSHOT_CHUNK_BYTES));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("electionTicks", electionTicks)
        .put("heartbeatTicks", heartbeatTicks)
        .put("maxInflightMessages", maxInflightMessages)
        .put("maxMessageBytes", maxMessageBytes)
        .put("preVote", preVote)
        .put("checkQuorum", checkQuorum)
        .put("snapshotEveryEntries", snapshotEveryEntries)
        .put("snapshotLogRatio", snapshotLogRatio)
        .put("maxPendingProposals", maxPendingProposals)
        .put("requestTimeoutMillis", requestTimeoutMillis)
        .put("maxRequestsAwaitingLeader", maxRequestsAwaitingLeader)
        .put("quiesceWhenIdle", quiesceWhenIdle)
        .put("snapshotChunkBytes", snapshotChunkBytes);
  }

  /** The Raft core configuration of node {@code nodeId} with these settings. */
  public RaftConfig toRaftConfig(long nodeId) {
    return new RaftConfig(nodeId).setElectionTicks(electionTicks).setHeartbeatTicks(heartbeatTicks)
        .setMaxInflightMessages(maxInflightMessages).setMaxMessageBytes(maxMessageBytes).setPreVote(preVote)
        .setCheckQuorum(checkQuorum);
  }

  public int getElectionTicks() { return electionTicks; }

  public RaftGroupOptions setElectionTicks(int v) {
    new RaftConfig().setElectionTicks(v);
    electionTicks = v;
    return this;
  }

  public int getHeartbeatTicks() { return heartbeatTicks; }

  public RaftGroupOptions setHeartbeatTicks(int v) {
    new RaftConfig().setHeartbeatTicks(v);
    heartbeatTicks = v;
    return this;
  }

  public int getMaxInflightMessages() { return maxInflightMessages; }

  public RaftGroupOptions setMaxInflightMessages(int v) {
    new RaftConfig().setMaxInflightMessages(v);
    maxInflightMessages = v;
    return this;
  }

  public long getMaxMessageBytes() { return maxMessageBytes; }

  public RaftGroupOptions setMaxMessageBytes(long v) {
    new RaftConfig().setMaxMessageBytes(v);
    maxMessageBytes = v;
    return this;
  }

  public boolean isPreVote() { return preVote; }

  public RaftGroupOptions setPreVote(boolean v) {
    preVote = v;
    return this;
  }

  public boolean isCheckQuorum() { return checkQuorum; }

  public RaftGroupOptions setCheckQuorum(boolean v) {
    checkQuorum = v;
    return this;
  }

  public long getSnapshotEveryEntries() { return snapshotEveryEntries; }

  /** Take a state-machine snapshot and compact the log every this many applied entries. */
  public RaftGroupOptions setSnapshotEveryEntries(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("snapshotEveryEntries must be >= 1, was " + v);
    }
    snapshotEveryEntries = v;
    return this;
  }

  public double getSnapshotLogRatio() { return snapshotLogRatio; }

  /**
   * Besides {@link #setSnapshotEveryEntries every so many entries}, a snapshot waits until the entries applied since
   * the last one add up to this many times its size ({@code 0}: it does not wait). Keeps the cost of snapshots
   * proportional to the log written (Ongaro's dissertation §5.1.1; LogCabin's snapshot ratio): a large state is not
   * written whole again every few thousand small entries, and the log kept until the next snapshot stays about as
   * large as the state.
   */
  public RaftGroupOptions setSnapshotLogRatio(double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("snapshotLogRatio must be a finite number >= 0, was " + v);
    }
    snapshotLogRatio = v;
    return this;
  }

  public int getMaxPendingProposals() { return maxPendingProposals; }

  /** Proposals of this node not yet applied beyond which new ones are refused (back-pressure). */
  public RaftGroupOptions setMaxPendingProposals(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("maxPendingProposals must be >= 1, was " + v);
    }
    maxPendingProposals = v;
    return this;
  }

  public long getRequestTimeoutMillis() { return requestTimeoutMillis; }

  /** Default timeout of proposals, reads and membership changes. */
  public RaftGroupOptions setRequestTimeoutMillis(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis must be >= 1, was " + v);
    }
    requestTimeoutMillis = v;
    return this;
  }

  public int getMaxRequestsAwaitingLeader() { return maxRequestsAwaitingLeader; }

  /**
   * Proposals and reads that may wait on this node while it knows no leader (an election, or a partition that cut
   * it off from the majority); beyond that new ones are refused at once. Those whose callers gave up are dropped,
   * never replayed to the next leader.
   */
  public RaftGroupOptions setMaxRequestsAwaitingLeader(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("maxRequestsAwaitingLeader must be >= 1, was " + v);
    }
    maxRequestsAwaitingLeader = v;
    return this;
  }

  public boolean isQuiesceWhenIdle() { return quiesceWhenIdle; }

  /**
   * Quiesces the group while it is idle, as CockroachDB and TiKV do: once every member holds and has committed the
   * leader's last entry and nothing is pending, the leader stops heartbeating and the followers stop their election
   * timers, so an idle group costs (nearly) nothing. Node-level liveness (the host's one heartbeat per peer node)
   * stands in for the group's heartbeats: a follower that stops hearing from the leader's node wakes and campaigns
   * as usual, a leader that stops hearing from a quorum wakes and steps down if it cannot reach one. Any proposal,
   * read, membership change or message wakes the group at once. On by default ({@link #DEFAULT_QUIESCE_WHEN_IDLE}).
   */
  public RaftGroupOptions setQuiesceWhenIdle(boolean v) {
    quiesceWhenIdle = v;
    return this;
  }

  public int getSnapshotChunkBytes() { return snapshotChunkBytes; }

  /**
   * The chunk size of this group's snapshots: each chunk has its own checksum, and followers fetch (and, after a
   * broken transfer, resume) snapshots chunk by chunk. Small chunks cost more checksums in the Raft message (4 bytes
   * each) and more round trips; large ones more data fetched again after a corrupted chunk.
   */
  public RaftGroupOptions setSnapshotChunkBytes(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("snapshotChunkBytes must be >= 1, was " + v);
    }
    snapshotChunkBytes = v;
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
