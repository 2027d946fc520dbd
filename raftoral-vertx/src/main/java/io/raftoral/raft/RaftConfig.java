package io.raftoral.raft;

/**
 * Settings of one {@link RaftNode}. Times are in ticks of the caller's clock.
 *
 * <p>Mutable with fluent setters; {@link RaftNode} copies what it needs when created.
 */
public final class RaftConfig {

  public static final int DEFAULT_ELECTION_TICKS = 10;
  public static final int DEFAULT_HEARTBEAT_TICKS = 1;
  public static final int DEFAULT_MAX_INFLIGHT_MESSAGES = 256;
  public static final long DEFAULT_MAX_INFLIGHT_BYTES = 16L * 1024 * 1024;
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 1024L * 1024;
  public static final boolean DEFAULT_PRE_VOTE = true;
  public static final boolean DEFAULT_CHECK_QUORUM = true;
  public static final boolean DEFAULT_FORWARD_PROPOSALS = true;

  private long id;
  private int electionTicks = DEFAULT_ELECTION_TICKS;
  private int heartbeatTicks = DEFAULT_HEARTBEAT_TICKS;
  private int maxInflightMessages = DEFAULT_MAX_INFLIGHT_MESSAGES;
  private long maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES;
  private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private boolean preVote = DEFAULT_PRE_VOTE;
  private boolean checkQuorum = DEFAULT_CHECK_QUORUM;
  private boolean forwardProposals = DEFAULT_FORWARD_PROPOSALS;

  public RaftConfig() {}

  public RaftConfig(long id) {
    setId(id);
  }

  public RaftConfig(RaftConfig other) {
    this.id = other.id;
    this.electionTicks = other.electionTicks;
    this.heartbeatTicks = other.heartbeatTicks;
    this.maxInflightMessages = other.maxInflightMessages;
    this.maxInflightBytes = other.maxInflightBytes;
    this.maxMessageBytes = other.maxMessageBytes;
    this.preVote = other.preVote;
    this.checkQuorum = other.checkQuorum;
    this.forwardProposals = other.forwardProposals;
  }

  public long getId() { return id; }

  /** This server's id; must be &gt; 0. */
  public RaftConfig setId(long id) {
    if (id <= 0) {
      throw new IllegalArgumentException("id must be > 0, was " + id);
    }
    this.id = id;
    return this;
  }

  public int getElectionTicks() { return electionTicks; }

  /**
   * Base election timeout; each election waits a random time in {@code [electionTicks, 2 * electionTicks)} (§5.2).
   * Must exceed the heartbeat interval.
   */
  public RaftConfig setElectionTicks(int electionTicks) {
    if (electionTicks < 2) {
      throw new IllegalArgumentException("electionTicks must be >= 2, was " + electionTicks);
    }
    this.electionTicks = electionTicks;
    return this;
  }

  public int getHeartbeatTicks() { return heartbeatTicks; }

  public RaftConfig setHeartbeatTicks(int heartbeatTicks) {
    if (heartbeatTicks < 1) {
      throw new IllegalArgumentException("heartbeatTicks must be >= 1, was " + heartbeatTicks);
    }
    this.heartbeatTicks = heartbeatTicks;
    return this;
  }

  public int getMaxInflightMessages() { return maxInflightMessages; }

  /** How many append messages may be unacknowledged per follower in the replicate state (pipelining depth). */
  public RaftConfig setMaxInflightMessages(int maxInflightMessages) {
    if (maxInflightMessages < 1) {
      throw new IllegalArgumentException("maxInflightMessages must be >= 1, was " + maxInflightMessages);
    }
    this.maxInflightMessages = maxInflightMessages;
    return this;
  }

  public long getMaxInflightBytes() { return maxInflightBytes; }

  /** How many entry bytes may be unacknowledged per follower. */
  public RaftConfig setMaxInflightBytes(long maxInflightBytes) {
    if (maxInflightBytes < 1) {
      throw new IllegalArgumentException("maxInflightBytes must be >= 1, was " + maxInflightBytes);
    }
    this.maxInflightBytes = maxInflightBytes;
    return this;
  }

  public long getMaxMessageBytes() { return maxMessageBytes; }

  /** Upper bound of entry bytes in one append message (one entry is always allowed). */
  public RaftConfig setMaxMessageBytes(long maxMessageBytes) {
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 1, was " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
    return this;
  }

  public boolean isPreVote() { return preVote; }

  /** Run a PreVote round before incrementing the term (thesis §9.6). */
  public RaftConfig setPreVote(boolean preVote) {
    this.preVote = preVote;
    return this;
  }

  public boolean isCheckQuorum() { return checkQuorum; }

  /**
   * A leader checks once per election timeout that a quorum was heard from during the timeout just ended, and steps
   * down otherwise (so it steps down between one and two election timeouts after losing its quorum); followers that
   * heard from a leader within the election timeout ignore vote requests (thesis §6.2, §4.2.3).
   */
  public RaftConfig setCheckQuorum(boolean checkQuorum) {
    this.checkQuorum = checkQuorum;
    return this;
  }

  public boolean isForwardProposals() { return forwardProposals; }

  /** Whether a follower that knows the leader forwards proposals to it instead of refusing them. */
  public RaftConfig setForwardProposals(boolean forwardProposals) {
    this.forwardProposals = forwardProposals;
    return this;
  }

  void validate() {
    if (id <= 0) {
      throw new IllegalArgumentException("id must be set");
    }
    if (heartbeatTicks >= electionTicks) {
      throw new IllegalArgumentException("heartbeatTicks (" + heartbeatTicks + ") must be < electionTicks (" + electionTicks + ")");
    }
  }
}
