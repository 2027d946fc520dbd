package io.raftoral.raft;

import io.raftoral.raft.ProgressTracker.VoteResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * One server of one Raft group, as a deterministic state machine with no I/O (etcd-raft style).
 *
 * <p>Drive it with {@link #tick()} at a fixed rate and {@link #step(Message)} for every message received; submit
 * work with {@link #propose(byte[])}, {@link #proposeConfigChange(ConfigChange)},
 * {@link #transferLeadership(long)} and {@link #readIndex(byte[])}. Whenever {@link #hasReady()} is true, take
 * {@link #ready()}, carry it out as its Javadoc says, then call {@link #advance()}. Between {@code ready()} and
 * {@code advance()} the node keeps stepping and ticking; it just produces no further {@code Ready}.
 *
 * <p>Not thread-safe: one thread (or one Vert.x context) owns a node. Every method returns at once.
 *
 * <p>Implements leader election with randomized timeouts (§5.2), PreVote (thesis §9.6) and CheckQuorum
 * (thesis §6.2), log replication (§5.3) with pipelining and per-follower flow control, fast backtracking and the
 * current-term commit rule (§5.4.2), snapshots (§7), learners and single-server membership changes (thesis §4.1,
 * §4.2.1), leadership transfer (thesis §3.10) and ReadIndex reads (thesis §6.4).
 *
 * <p>An idle group can be quiesced ({@link #quiesce()}, {@link #wake()}), as CockroachDB and TiKV ("hibernate
 * regions") do so that a node can host many groups: the leader stops heartbeating and the followers stop their
 * election timers. Liveness then rests on the runtime, which must {@link #wake()} a quiesced follower as soon as
 * node-level liveness no longer vouches for the leader's node, and a quiesced leader when it no longer vouches for a
 * quorum. Safety never depends on timers (§5.2 uses them only for liveness), so quiescing cannot break it.
 *
 * <p>This class holds the algorithm: roles, {@code step} and what to send when. Its state lives apart, as in etcd
 * raft: the log in {@link RaftLog}, the leader's per-follower flow control and the vote tally in
 * {@link ProgressTracker} (etcd's {@code tracker/}), the ReadIndex bookkeeping in {@link ReadOnly} (etcd's
 * {@code read_only.go}).
 */
public final class RaftNode {

  /** "No node": no leader known, no vote cast. Real node ids are &gt; 0. */
  public static final long NONE = 0;

  private final long id;
  private final RaftConfig config;
  private final Random random;
  private final SafetyRules rules;
  private final RaftLog log;

  private long term;
  private long vote;
  private long lead = NONE;
  private Role role = Role.FOLLOWER;

  private int electionElapsed;
  private int heartbeatElapsed;
  private int randomizedElectionTimeout;
  /** No heartbeats (leader) or election timer (follower) until woken: see {@link #quiesce()}. */
  private boolean quiesced;

  /** Leader: replication progress of every member, this server included; candidate: the votes received. */
  private final ProgressTracker tracker;
  private long leadTransferee = NONE;

  /** Leader only: read requests waiting to be confirmed (thesis §6.4). */
  private final ReadOnly readOnly = new ReadOnly();
  private final List<ReadState> readStates = new ArrayList<>();

  private final List<Message> messages = new ArrayList<>();
  private final List<Message> messagesAfterPersist = new ArrayList<>();
  private HardState lastHardState;
  private SoftState lastSoftState;
  /** The term of the last durable hard state: leader messages of a newer, still volatile term must wait. */
  private long durableTerm;
  private Ready outstanding;

  /**
   * Creates a server from what it had persisted ({@link PersistentState#bootstrap(Membership)} for a new one).
   *
   * @param config settings; copied
   * @param state the persisted state to start from
   * @param random the source of election-timeout randomness; inject a seeded one for reproducible runs
   */
  public RaftNode(RaftConfig config, PersistentState state, Random random) {
    this(config, state, random, SafetyRules.STANDARD);
  }

  RaftNode(RaftConfig config, PersistentState state, Random random, SafetyRules rules) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(state, "state");
    this.random = Objects.requireNonNull(random, "random");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.config = new RaftConfig(config);
    this.config.validate();
    this.id = config.getId();
    this.log = new RaftLog(state);
    this.tracker = new ProgressTracker(this.config.getMaxInflightMessages(), this.config.getMaxInflightBytes());
    this.term = state.hardState().term();
    this.vote = state.hardState().vote();
    this.durableTerm = term;
    becomeFollower(term, NONE);
    this.lastHardState = hardState();
    this.lastSoftState = softState();
  }

  /** This server's id. */
  public long id() {
    return id;
  }

  /** A snapshot of the node's state. */
  public RaftStatus status() {
    Map<Long, Long> match = role == Role.LEADER ? tracker.matchIndexes() : Map.of();
    return new RaftStatus(id, role, term, lead, log.committed(), log.applying(), log.firstIndex(), log.lastIndex(),
        log.membership(), leadTransferee, match);
  }

  public Role role() {
    return role;
  }

  public long term() {
    return term;
  }

  public long leaderId() {
    return lead;
  }

  public boolean isLeader() {
    return role == Role.LEADER;
  }

  /**
   * The entry at {@code index} if it is still in this server's log (not compacted, not beyond the end), else null.
   * For diagnostics and invariant checkers; entries reach the application through {@link Ready}.
   */
  public Entry entryAt(long index) {
    return index >= log.firstIndex() && index <= log.lastIndex() ? log.entry(index) : null;
  }

  /**
   * The configuration in effect after entry {@code index}, which must not precede this server's snapshot. For
   * diagnostics and invariant checkers.
   */
  public Membership membershipAt(long index) {
    if (index < log.snapshotIndex()) {
      throw new IllegalArgumentException("index " + index + " precedes the snapshot at " + log.snapshotIndex());
    }
    return log.membershipAt(index);
  }

  /** The configuration in effect (that of the last configuration entry in the log, thesis §4.1). */
  public Membership membership() {
    return log.membership();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Inputs
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Advances the logical clock by one tick: election timeouts for followers, heartbeats for the leader. A quiesced
   * server ignores ticks until woken.
   */
  public void tick() {
    if (quiesced) {
      return;
    }
    if (role == Role.LEADER) {
      tickLeader();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      hup(false);
    }
  }

  private void tickLeader() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= config.getElectionTicks()) {
      electionElapsed = 0;
      if (config.isCheckQuorum() && !quorumRecentlyActive()) {
        // thesis §6.2: a leader cut off from a quorum steps down so clients can find the real one.
        becomeFollower(term, NONE);
        return;
      }
      if (leadTransferee != NONE) {
        // The transfer did not finish within an election timeout: resume normal operation (thesis §3.10).
        leadTransferee = NONE;
      }
    }
    tracker.forEach((peer, pr) -> {
      if (pr.state == Progress.State.SNAPSHOT && ++pr.ticksInSnapshot > 2 * config.getElectionTicks()) {
        // The snapshot or its acknowledgement was lost: probe again (which resends it if still needed).
        pr.becomeProbe();
      }
    });
    if (heartbeatElapsed >= config.getHeartbeatTicks()) {
      heartbeatElapsed = 0;
      bcastHeartbeat(readOnly.lastPendingRequestContext());
    }
  }

  /**
   * Whether this server leads a group with nothing left to replicate: every entry durable here, committed and
   * matched by every member, no ReadIndex request, leadership transfer or configuration change in progress. Only
   * then may it {@link #quiesce()}.
   */
  public boolean canQuiesce() {
    if (role != Role.LEADER || leadTransferee != NONE || readOnly.pending() > 0 || outstanding != null
        || log.committed() != log.lastIndex() || log.stableIndex() != log.lastIndex()
        || log.term(log.committed()) != term) {
      return false;
    }
    boolean[] caughtUp = {true};
    tracker.forEach((peer, pr) -> caughtUp[0] &= pr.match == log.lastIndex()
        && (peer == id || pr.state == Progress.State.REPLICATE));
    return caughtUp[0];
  }

  /**
   * Leader: quiesces an idle group (CockroachDB's and TiKV's scheme): sends one last heartbeat marked
   * {@link Message#QUIESCE}, then stops heartbeating and ignores ticks. A follower that receives it and holds
   * exactly the leader's log and commit index stops its election timer too; one that is behind stays awake, and its
   * election (or any message) wakes the leader again. CheckQuorum (thesis §6.2) pauses with the clock: the runtime
   * must {@link #wake()} the leader when node-level liveness no longer vouches for a quorum of its group.
   *
   * @return whether the server is quiesced (false while {@link #canQuiesce()} is false)
   */
  public boolean quiesce() {
    if (quiesced) {
      return true;
    }
    if (!canQuiesce()) {
      return false;
    }
    quiesced = true;
    bcastHeartbeat(Message.QUIESCE);
    return true;
  }

  /** Whether this server is quiesced (see {@link #quiesce()}); cleared by {@link #wake()}. */
  public boolean isQuiesced() {
    return quiesced;
  }

  /**
   * Ends quiescence: ticks count again. Proposals, reads, membership changes, transfers and every message except
   * quiesce heartbeats and plain heartbeat responses wake a server themselves; the runtime calls this when
   * node-level liveness stops vouching for the leader's node (on a follower, which then campaigns after its election
   * timeout as usual, §5.2) or for a quorum (on a leader). A woken leader heartbeats at once and starts a fresh
   * CheckQuorum period in which every follower must answer (thesis §6.2), so one cut off from its quorum while
   * quiesced steps down within an election timeout.
   */
  public void wake() {
    unquiesce(true);
  }

  /**
   * Ends quiescence. A follower that wakes tells the leader (unless the leader woke it), as CockroachDB does: a
   * group is quiesced or awake as a whole, never a follower timing out beside a leader that does not heartbeat.
   */
  private void unquiesce(boolean wakeLeader) {
    if (!quiesced) {
      return;
    }
    quiesced = false;
    if (role == Role.LEADER) {
      electionElapsed = 0;
      heartbeatElapsed = config.getHeartbeatTicks();
      tracker.forEach((peer, pr) -> pr.recentActive = peer == id);
    } else if (wakeLeader && lead != NONE) {
      // Quiesced, this follower holds exactly the leader's committed log: acknowledging it is true and is news.
      send(Message.builder(MessageType.APPEND_RESPONSE, id, lead).index(log.lastIndex()).build());
    }
  }

  /**
   * Proposes application data.
   *
   * @return the log index the entry got when this server leads, or 0 when the proposal was forwarded to the leader
   *     (its index is then unknown here)
   * @throws NotLeaderException when this server does not lead and cannot forward (no known leader, or forwarding
   *     disabled)
   * @throws ProposalDroppedException while a leadership transfer is in progress
   */
  public long propose(byte[] data) {
    Objects.requireNonNull(data, "data");
    return propose(List.of(data));
  }

  /**
   * Proposes several entries at once: on the leader they are appended together and replicated in the same append
   * messages; on a follower they are forwarded in one message.
   *
   * @return the index of the first entry when this server leads, or 0 when forwarded
   * @throws NotLeaderException as {@link #propose(byte[])}
   * @throws ProposalDroppedException as {@link #propose(byte[])}
   */
  public long propose(List<byte[]> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    wake();
    if (role == Role.LEADER) {
      if (leadTransferee != NONE) {
        throw new ProposalDroppedException("leadership is being transferred to " + leadTransferee);
      }
      long first = log.lastIndex() + 1;
      for (byte[] data : batch) {
        appendEntry(EntryType.NORMAL, Objects.requireNonNull(data, "data"));
      }
      bcastAppend();
      return first;
    }
    if (lead == NONE || !config.isForwardProposals()) {
      throw new NotLeaderException(id, lead);
    }
    List<Entry> entries = new ArrayList<>(batch.size());
    for (byte[] data : batch) {
      entries.add(new Entry(0, 0, EntryType.NORMAL, Objects.requireNonNull(data, "data")));
    }
    send(Message.builder(MessageType.PROPOSE, id, lead).entries(entries).build());
    return 0;
  }

  /**
   * Proposes one membership change (thesis §4.1). It takes effect on each server as soon as that server appends it.
   * Only one change may be uncommitted at a time, and only once the leader has committed an entry of its own term
   * (the fix for the single-server change bug described on the raft-dev list, 2015).
   *
   * @return the index of the configuration entry
   * @throws NotLeaderException when this server does not lead
   * @throws ProposalDroppedException when another change is pending or the leader's term has no commit yet
   * @throws IllegalArgumentException when the change does not fit the current configuration
   */
  public long proposeConfigChange(ConfigChange change) {
    Objects.requireNonNull(change, "change");
    requireLeader();
    wake();
    if (leadTransferee != NONE) {
      throw new ProposalDroppedException("leadership is being transferred to " + leadTransferee);
    }
    if (log.term(log.committed()) != term) {
      throw new ProposalDroppedException("the leader has not yet committed an entry in term " + term);
    }
    if (log.lastConfigIndex() > log.committed()) {
      throw new ProposalDroppedException("configuration change at index " + log.lastConfigIndex() + " is not committed yet");
    }
    log.membership().apply(change); // validates
    long index = appendEntry(EntryType.CONFIG_CHANGE, change.encode());
    syncProgressWithMembership();
    bcastAppend();
    return index;
  }

  /**
   * Asks the leader to hand leadership to {@code target} (thesis §3.10): proposals are refused while the target
   * catches up, then it is told to start an election at once. The transfer is abandoned after an election timeout.
   *
   * @throws NotLeaderException when this server does not lead
   * @throws IllegalArgumentException when {@code target} is not a voter
   */
  public void transferLeadership(long target) {
    requireLeader();
    wake();
    if (target == id) {
      return;
    }
    if (!log.membership().isVoter(target)) {
      throw new IllegalArgumentException("node " + target + " is not a voter of " + log.membership());
    }
    if (leadTransferee == target) {
      return;
    }
    leadTransferee = target;
    electionElapsed = 0;
    Progress pr = tracker.get(target);
    if (pr.match == log.lastIndex()) {
      sendTimeoutNow(target);
    } else {
      maybeSendAppend(target, true);
    }
  }

  /**
   * Requests a linearizable read point (thesis §6.4). The answer arrives as a {@link ReadState} with the same
   * context in a later {@link Ready}; requests that cannot be served (leadership lost) are dropped silently, so
   * callers need a timeout.
   *
   * @param context unique per request; returned in the {@link ReadState}
   * @throws NotLeaderException when no leader is known
   * @throws IllegalArgumentException on the leader, when a read with the same context is still pending
   */
  public void readIndex(byte[] context) {
    Objects.requireNonNull(context, "context");
    if (context.length == 0) {
      throw new IllegalArgumentException("context must not be empty");
    }
    wake();
    if (role == Role.LEADER) {
      handleReadIndex(id, context);
    } else if (lead != NONE) {
      send(Message.builder(MessageType.READ_INDEX, id, lead).context(context).build());
    } else {
      throw new NotLeaderException(id, lead);
    }
  }

  /**
   * Replaces the log up to {@code index} by a snapshot whose state-machine image is {@code data}. The caller must
   * have applied {@code index} and persisted the snapshot; the returned snapshot is what will be sent to followers
   * that need the compacted entries.
   *
   * @return the new snapshot, or null when a snapshot at or beyond {@code index} already replaced that part of the
   *     log (one received from the leader may not have reached the application yet); nothing changed then
   * @throws IllegalArgumentException when {@code index} was not applied or is not durable yet
   */
  public Snapshot compact(long index, byte[] data) {
    return log.compact(index, Objects.requireNonNull(data, "data"));
  }

  /** The transport could not reach {@code peer}: stop pipelining to it and probe instead. */
  public void reportUnreachable(long peer) {
    Progress pr = tracker.get(peer);
    if (role == Role.LEADER && pr != null && pr.state == Progress.State.REPLICATE && peer != id) {
      pr.becomeProbe();
    }
  }

  /** The transport reports whether sending a snapshot to {@code peer} succeeded. */
  public void reportSnapshot(long peer, boolean success) {
    Progress pr = tracker.get(peer);
    if (role != Role.LEADER || pr == null || pr.state != Progress.State.SNAPSHOT) {
      return;
    }
    if (!success) {
      pr.pendingSnapshot = 0;
    }
    pr.becomeProbe();
    pr.paused = true; // wait for the next heartbeat response before probing
  }

  /**
   * Handles a message from another server of the group. Messages for another group, another recipient, or from an
   * unknown sender in an unexpected role are ignored; malformed content never corrupts the state.
   */
  public void step(Message m) {
    Objects.requireNonNull(m, "message");
    if (m.to() != id || m.from() == id || m.from() <= 0) {
      return;
    }
    if (quiesced && !keepsQuiesced(m)) {
      unquiesce(m.from() != lead);
    }
    if (m.term() == 0) {
      // Local-kind messages (forwarded proposals and read requests) carry no term.
      if (m.type() != MessageType.PROPOSE && m.type() != MessageType.READ_INDEX) {
        return;
      }
    } else if (m.term() > term) {
      if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
        boolean force = Arrays.equals(m.context(), Message.CAMPAIGN_TRANSFER);
        boolean inLease = config.isCheckQuorum() && lead != NONE && electionElapsed < config.getElectionTicks();
        if (!force && inLease) {
          // thesis §4.2.3: a server that recently heard from a leader does not help unseat it.
          return;
        }
      }
      if (m.type() == MessageType.PRE_VOTE) {
        // Pre-votes never change our term.
      } else if (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject()) {
        // A granted pre-vote carries the term we would campaign in; it is counted below.
      } else if (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
          || m.type() == MessageType.SNAPSHOT) {
        becomeFollower(m.term(), m.from());
      } else {
        becomeFollower(m.term(), NONE);
      }
    } else if (m.term() < term) {
      if ((config.isCheckQuorum() || config.isPreVote())
          && (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APPEND)) {
        // A stale leader (for example one that was partitioned) learns our term and steps down. Without this, with
        // CheckQuorum or PreVote the partitioned node could never be heard from again.
        send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).build());
      } else if (m.type() == MessageType.PRE_VOTE) {
        send(Message.builder(MessageType.PRE_VOTE_RESPONSE, id, m.from()).term(term).reject(true).build());
      }
      return;
    }

    switch (m.type()) {
      case PRE_VOTE, VOTE -> handleVoteRequest(m);
      default -> {
        switch (role) {
          case LEADER -> stepLeader(m);
          case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
          case FOLLOWER -> stepFollower(m);
          default -> throw new IllegalStateException(role.name());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Ready / advance
  // ---------------------------------------------------------------------------------------------------------------

  /** Whether there is work for the caller; always false between {@link #ready()} and {@link #advance()}. */
  public boolean hasReady() {
    if (outstanding != null) {
      return false;
    }
    return !softState().equals(lastSoftState)
        || !hardState().equals(lastHardState)
        || log.unstableSnapshot() != null
        || log.hasUnstable()
        || !messages.isEmpty()
        || !messagesAfterPersist.isEmpty()
        || !readStates.isEmpty()
        || applicableLimit() > log.applying();
  }

  /**
   * The work to do now. Must be followed by {@link #advance()} before the next call.
   *
   * @throws IllegalStateException when the previous Ready has not been advanced
   */
  public Ready ready() {
    if (outstanding != null) {
      throw new IllegalStateException("advance() the previous Ready first");
    }
    SoftState soft = softState();
    HardState hard = hardState();
    Snapshot snapshot = log.unstableSnapshot();
    List<Entry> committed = log.nextCommitted(applicableLimit());
    Ready ready = new Ready(
        soft.equals(lastSoftState) ? null : soft,
        hard.equals(lastHardState) ? null : hard,
        log.unstableEntries(),
        snapshot,
        messages,
        messagesAfterPersist,
        committed,
        readStates,
        mustSync(hard, snapshot));
    lastSoftState = soft;
    lastHardState = hard;
    log.acceptUnstable();
    if (!committed.isEmpty()) {
      log.acceptApplying(committed.get(committed.size() - 1).index());
    }
    messages.clear();
    messagesAfterPersist.clear();
    readStates.clear();
    outstanding = ready;
    return ready;
  }

  /**
   * Reports that the last {@link Ready} has been carried out: its state is durable, its committed entries applied.
   * On the leader this is where its own copy of new entries starts counting toward commitment.
   */
  public void advance() {
    if (outstanding == null) {
      throw new IllegalStateException("no Ready to advance");
    }
    if (outstanding.hardState() != null) {
      durableTerm = outstanding.hardState().term();
    }
    log.stableToAccepted();
    outstanding = null;
    if (role == Role.LEADER) {
      Progress self = tracker.get(id);
      if (self != null && self.maybeUpdate(log.stableIndex()) && maybeCommit()) {
        bcastAppend();
        afterLeaderCommit();
      }
    }
  }

  private boolean mustSync(HardState hard, Snapshot snapshot) {
    return snapshot != null || log.hasUnstable()
        || hard.term() != lastHardState.term() || hard.vote() != lastHardState.vote();
  }

  private long applicableLimit() {
    return Math.min(rules.applyLimit(log.committed(), log.lastIndex()), log.lastIndex());
  }

  private HardState hardState() {
    return new HardState(term, vote, log.committed());
  }

  private SoftState softState() {
    return new SoftState(lead, role, term);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Role transitions
  // ---------------------------------------------------------------------------------------------------------------

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = NONE;
    }
    lead = NONE;
    quiesced = false;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTimeout = config.getElectionTicks() + random.nextInt(config.getElectionTicks());
    leadTransferee = NONE;
    tracker.reset();
    readOnly.reset();
  }

  private void becomeFollower(long newTerm, long leader) {
    reset(newTerm);
    lead = leader;
    role = Role.FOLLOWER;
  }

  private void becomePreCandidate() {
    // The term does not change: a pre-candidate that loses costs the cluster nothing (thesis §9.6).
    tracker.resetVotes();
    lead = NONE;
    role = Role.PRE_CANDIDATE;
  }

  private void becomeCandidate() {
    reset(term + 1);
    vote = id;
    role = Role.CANDIDATE;
  }

  private void becomeLeader() {
    reset(term);
    lead = id;
    role = Role.LEADER;
    syncProgressWithMembership();
    tracker.markAllRecentlyActive();
    tracker.get(id).maybeUpdate(log.stableIndex());
    // §8: a no-op entry of the new term lets the leader learn what is committed (and makes ReadIndex possible).
    appendEntry(EntryType.NORMAL, new byte[0]);
  }

  private boolean promotable() {
    return log.membership().isVoter(id);
  }

  private void hup(boolean transfer) {
    if (role == Role.LEADER || !promotable()) {
      return;
    }
    if (config.isPreVote() && !transfer) {
      campaign(true, false);
    } else {
      campaign(false, transfer);
    }
  }

  private void campaign(boolean pre, boolean transfer) {
    long voteTerm;
    MessageType type;
    if (pre) {
      becomePreCandidate();
      voteTerm = term + 1;
      type = MessageType.PRE_VOTE;
    } else {
      becomeCandidate();
      voteTerm = term;
      type = MessageType.VOTE;
    }
    if (poll(id, true) == VoteResult.WON) {
      // A single voter wins at once.
      if (pre) {
        campaign(false, transfer);
      } else {
        becomeLeader();
      }
      return;
    }
    for (long voter : log.membership().voters()) {
      if (voter == id) {
        continue;
      }
      send(Message.builder(type, id, voter).term(voteTerm).index(log.lastIndex()).logTerm(log.lastTerm())
          .context(transfer ? Message.CAMPAIGN_TRANSFER : null).build());
    }
  }

  private VoteResult poll(long from, boolean granted) {
    return tracker.poll(log.membership(), from, granted);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Message handling
  // ---------------------------------------------------------------------------------------------------------------

  private void handleVoteRequest(Message m) {
    MessageType responseType = m.type() == MessageType.VOTE ? MessageType.VOTE_RESPONSE : MessageType.PRE_VOTE_RESPONSE;
    boolean canVote = vote == m.from()
        || (vote == NONE && lead == NONE)
        || (m.type() == MessageType.PRE_VOTE && m.term() > term);
    if (canVote && rules.candidateLogUpToDate(m.logTerm(), m.index(), log.lastTerm(), log.lastIndex())) {
      // §5.2, §5.4.1. A pre-vote answer carries the candidate's future term so it is not taken as stale.
      send(Message.builder(responseType, id, m.from()).term(m.term()).build());
      if (m.type() == MessageType.VOTE) {
        electionElapsed = 0;
        vote = m.from();
      }
    } else {
      send(Message.builder(responseType, id, m.from()).term(term).reject(true).build());
    }
  }

  private void stepLeader(Message m) {
    switch (m.type()) {
      case PROPOSE -> {
        if (leadTransferee != NONE) {
          return;
        }
        boolean any = false;
        for (Entry e : m.entries()) {
          if (e.type() == EntryType.NORMAL) {
            appendEntry(EntryType.NORMAL, e.data());
            any = true;
          }
        }
        if (any) {
          bcastAppend();
        }
      }
      case READ_INDEX -> handleReadIndex(m.from(), m.context());
      case APPEND_RESPONSE -> handleAppendResponse(m);
      case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
      default -> {
        // Vote responses of an election already won, or messages from a leader of this term (impossible unless a
        // peer misbehaves): nothing to do.
      }
    }
  }

  private void stepCandidate(Message m) {
    switch (m.type()) {
      case APPEND -> {
        becomeFollower(m.term(), m.from());
        handleAppend(m);
      }
      case HEARTBEAT -> {
        becomeFollower(m.term(), m.from());
        handleHeartbeat(m);
      }
      case SNAPSHOT -> {
        becomeFollower(m.term(), m.from());
        handleSnapshot(m);
      }
      case PRE_VOTE_RESPONSE, VOTE_RESPONSE -> {
        boolean matches = (role == Role.PRE_CANDIDATE && m.type() == MessageType.PRE_VOTE_RESPONSE)
            || (role == Role.CANDIDATE && m.type() == MessageType.VOTE_RESPONSE);
        if (!matches) {
          return;
        }
        VoteResult result = poll(m.from(), !m.reject());
        if (result == VoteResult.WON) {
          if (role == Role.PRE_CANDIDATE) {
            campaign(false, false);
          } else {
            becomeLeader();
            bcastAppend();
          }
        } else if (result == VoteResult.LOST) {
          becomeFollower(term, NONE);
        }
      }
      default -> {
        // No leader to forward proposals or reads to; they are dropped and their callers time out.
      }
    }
  }

  private void stepFollower(Message m) {
    switch (m.type()) {
      case PROPOSE -> {
        if (lead != NONE && config.isForwardProposals()) {
          send(Message.builder(MessageType.PROPOSE, id, lead).entries(m.entries()).build());
        }
      }
      case READ_INDEX -> {
        if (lead != NONE) {
          send(Message.builder(MessageType.READ_INDEX, id, lead).context(m.context()).build());
        }
      }
      case APPEND -> {
        electionElapsed = 0;
        lead = m.from();
        handleAppend(m);
      }
      case HEARTBEAT -> {
        electionElapsed = 0;
        lead = m.from();
        handleHeartbeat(m);
      }
      case SNAPSHOT -> {
        electionElapsed = 0;
        lead = m.from();
        handleSnapshot(m);
      }
      case TIMEOUT_NOW -> hup(true);
      case READ_INDEX_RESPONSE -> readStates.add(new ReadState(m.index(), m.context()));
      default -> {
      }
    }
  }

  private void handleAppend(Message m) {
    if (m.index() < log.committed()) {
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(log.committed()).build());
      return;
    }
    long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.entries());
    if (lastNew >= 0) {
      log.commitTo(Math.min(m.commit(), lastNew));
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(lastNew).build());
    } else {
      // Fast backtracking: point the leader at the last entry that could match, with its term.
      long hint = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(m.index()).reject(true)
          .rejectHint(hint).logTerm(Math.max(log.term(hint), 0)).build());
    }
  }

  private void handleHeartbeat(Message m) {
    // The leader sends min(match, commit), so the entries up to there are known to match its log.
    if (m.commit() <= log.lastIndex()) {
      log.commitTo(m.commit());
    }
    if (Arrays.equals(m.context(), Message.QUIESCE)) {
      // Only a follower holding exactly what the leader committed may stop its timer: one that is behind needs the
      // heartbeats (and their appends) to catch up, and its timer wakes the group if they stop.
      quiesced = role == Role.FOLLOWER && log.lastIndex() == m.commit() && log.committed() == m.commit();
    }
    send(Message.builder(MessageType.HEARTBEAT_RESPONSE, id, m.from()).context(m.context()).build());
  }

  /**
   * Messages that leave a quiesced server quiesced: the leader's quiesce heartbeat (a duplicate or a newer one) and,
   * on the leader, heartbeat responses (late answers to the last heartbeats, which change nothing once every
   * follower matches). Everything else is news and wakes the server.
   */
  private boolean keepsQuiesced(Message m) {
    if (m.term() != term) {
      return false;
    }
    if (m.type() == MessageType.HEARTBEAT) {
      return m.from() == lead && Arrays.equals(m.context(), Message.QUIESCE);
    }
    return m.type() == MessageType.HEARTBEAT_RESPONSE && role == Role.LEADER
        && (m.context().length == 0 || Arrays.equals(m.context(), Message.QUIESCE));
  }

  private void handleSnapshot(Message m) {
    Snapshot s = m.snapshot();
    if (s == null) {
      return;
    }
    if (s.index() <= log.committed()) {
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(log.committed()).build());
    } else if (log.matchTerm(s.index(), s.term())) {
      // We already have the snapshot's last entry: the entries before it match, just commit them.
      log.commitTo(s.index());
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(s.index()).build());
    } else {
      log.restore(s);
      send(Message.builder(MessageType.APPEND_RESPONSE, id, m.from()).index(s.index()).build());
    }
  }

  private void handleAppendResponse(Message m) {
    Progress pr = tracker.get(m.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    if (m.reject()) {
      long nextProbe = m.rejectHint();
      if (m.logTerm() > 0) {
        nextProbe = log.findConflictByTerm(m.rejectHint(), m.logTerm());
      }
      if (pr.maybeDecrTo(m.index(), nextProbe)) {
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
        maybeSendAppend(m.from(), true);
      }
      return;
    }
    boolean wasPaused = pr.paused;
    if (pr.maybeUpdate(m.index()) || (pr.match == m.index() && pr.state == Progress.State.PROBE)) {
      switch (pr.state) {
        case PROBE -> pr.becomeReplicate();
        case SNAPSHOT -> {
          if (pr.match + 1 >= log.firstIndex()) {
            pr.becomeProbe();
            pr.becomeReplicate();
          }
        }
        case REPLICATE -> pr.freeInflightsUpTo(m.index());
        default -> throw new IllegalStateException();
      }
      if (maybeCommit()) {
        bcastAppend();
        afterLeaderCommit();
        if (role != Role.LEADER) {
          return;
        }
      } else if (wasPaused) {
        maybeSendAppend(m.from(), true);
      }
      while (maybeSendAppend(m.from(), false)) {
        // Keep the pipeline full up to the in-flight limits.
      }
      if (m.from() == leadTransferee && pr.match == log.lastIndex()) {
        sendTimeoutNow(m.from());
      }
    }
  }

  private void handleHeartbeatResponse(Message m) {
    Progress pr = tracker.get(m.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    pr.paused = false;
    if (pr.state == Progress.State.REPLICATE && pr.inflightsFull()) {
      // All appends in flight may have been lost; make room so one more can go and reveal the gap.
      pr.freeFirstInflight();
    }
    if (pr.match < log.lastIndex() || pr.state == Progress.State.PROBE) {
      maybeSendAppend(m.from(), true);
    }
    if (m.context().length > 0) {
      handleReadAck(m.from(), m.context());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Leader mechanics
  // ---------------------------------------------------------------------------------------------------------------

  private long appendEntry(EntryType type, byte[] data) {
    Entry e = new Entry(log.lastIndex() + 1, term, type, data);
    log.append(List.of(e));
    // The leader's own copy counts only once durable: see advance().
    return e.index();
  }

  private void syncProgressWithMembership() {
    tracker.syncWithMembership(id, log.membership(),
        log.membershipAt(Math.max(log.committed(), log.snapshotIndex())), log.lastIndex() + 1);
  }

  /** §5.3, §5.4.2: commits the highest index stored on a quorum of voters, if it is of the current term. */
  private boolean maybeCommit() {
    long quorumIndex = tracker.quorumMatchIndex(log.membership());
    if (quorumIndex > log.committed() && rules.mayCommitByCounting(log.term(quorumIndex), term)) {
      log.commitTo(quorumIndex);
      return true;
    }
    return false;
  }

  /** Work that follows every commit advance on the leader. */
  private void afterLeaderCommit() {
    if (log.lastConfigIndex() <= log.committed()) {
      syncProgressWithMembership(); // stop replicating to servers whose removal is now committed
    }
    if (log.term(log.committed()) == term) {
      for (ReadOnly.Request r : readOnly.takeAwaitingCommit()) {
        handleReadIndex(r.from(), r.context());
      }
    }
    if (!log.membership().isVoter(id) && log.lastConfigIndex() <= log.committed()) {
      // thesis §4.2.2: a leader removed from the configuration steps down once the removal is committed.
      becomeFollower(term, NONE);
    }
  }

  private void bcastAppend() {
    for (long peer : tracker.peers()) {
      if (peer != id) {
        maybeSendAppend(peer, true);
      }
    }
  }

  private void bcastHeartbeat(byte[] context) {
    tracker.forEach((peer, pr) -> {
      if (peer != id) {
        long commit = Math.min(pr.match, log.committed());
        send(Message.builder(MessageType.HEARTBEAT, id, peer).commit(commit).context(context).build());
      }
    });
  }

  /**
   * Sends entries (or a snapshot, if the needed entries are compacted) to {@code peer}, within flow-control limits.
   *
   * @return whether a message was sent
   */
  private boolean maybeSendAppend(long peer, boolean sendIfEmpty) {
    Progress pr = tracker.get(peer);
    if (pr == null || pr.state == Progress.State.SNAPSHOT || pr.paused) {
      return false;
    }
    long prevIndex = pr.next - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm < 0) {
      if (prevIndex > log.lastIndex()) {
        pr.next = log.lastIndex() + 1;
        return false;
      }
      Snapshot s = log.snapshot();
      pr.becomeSnapshot(s.index());
      send(Message.builder(MessageType.SNAPSHOT, id, peer).snapshot(s).build());
      return true;
    }
    List<Entry> entries = pr.next <= log.lastIndex()
        ? log.slice(pr.next, log.lastIndex(), config.getMaxMessageBytes())
        : List.of();
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long bytes = 0;
    for (Entry e : entries) {
      bytes += e.sizeBytes();
    }
    send(Message.builder(MessageType.APPEND, id, peer).index(prevIndex).logTerm(prevTerm).entries(entries)
        .commit(log.committed()).build());
    pr.sentEntries(entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).index(), bytes, entries.size());
    return true;
  }

  private void sendTimeoutNow(long peer) {
    send(Message.builder(MessageType.TIMEOUT_NOW, id, peer).build());
  }

  private boolean quorumRecentlyActive() {
    return tracker.quorumRecentlyActive(log.membership(), id);
  }

  private void requireLeader() {
    if (role != Role.LEADER) {
      throw new NotLeaderException(id, lead);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // ReadIndex (thesis §6.4)
  // ---------------------------------------------------------------------------------------------------------------

  private void handleReadIndex(long from, byte[] context) {
    if (context.length == 0) {
      return;
    }
    if (log.term(log.committed()) != term) {
      // Step 1: until an entry of this term commits, the leader does not know the full commit index (even alone:
      // after a restart its persisted commit index may lag what it had committed before).
      readOnly.deferUntilCommit(from, context);
      return;
    }
    Membership mem = log.membership();
    if (mem.voters().size() == 1 && mem.isVoter(id)) {
      answerRead(from, log.committed(), context);
      return;
    }
    if (!readOnly.addRequest(log.committed(), from, context, id)) {
      if (from == id) {
        throw new IllegalArgumentException("a read with this context is already pending");
      }
      return; // a duplicate of a forwarded request: the pending one answers it
    }
    // Step 3: confirm leadership with a round of heartbeats.
    bcastHeartbeat(context);
  }

  private void handleReadAck(long from, byte[] context) {
    Set<Long> acks = readOnly.recvAck(from, context);
    if (acks == null) {
      return;
    }
    Membership mem = log.membership();
    int votersAcked = 0;
    for (long a : acks) {
      if (mem.isVoter(a)) {
        votersAcked++;
      }
    }
    if (votersAcked < mem.quorum()) {
      return;
    }
    // A quorum confirmed leadership after every earlier request too: release them in order.
    for (ReadOnly.Status s : readOnly.advance(context)) {
      answerRead(s.from, s.index, s.context);
    }
  }

  private void answerRead(long from, long index, byte[] context) {
    if (from == id) {
      readStates.add(new ReadState(index, context));
    } else {
      send(Message.builder(MessageType.READ_INDEX_RESPONSE, id, from).index(index).context(context).build());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Output
  // ---------------------------------------------------------------------------------------------------------------

  private void send(Message m) {
    MessageType t = m.type();
    boolean votingKind = t == MessageType.VOTE || t == MessageType.PRE_VOTE
        || t == MessageType.VOTE_RESPONSE || t == MessageType.PRE_VOTE_RESPONSE;
    if (m.term() == 0 && !votingKind && t != MessageType.PROPOSE && t != MessageType.READ_INDEX) {
      m = m.withTerm(term);
    }
    boolean promisesDurability = t == MessageType.VOTE || t == MessageType.VOTE_RESPONSE
        || t == MessageType.APPEND_RESPONSE;
    boolean leaderKind = t == MessageType.APPEND || t == MessageType.HEARTBEAT || t == MessageType.SNAPSHOT
        || t == MessageType.TIMEOUT_NOW || t == MessageType.READ_INDEX_RESPONSE;
    if (promisesDurability || (leaderKind && term != durableTerm)) {
      messagesAfterPersist.add(m);
    } else {
      messages.add(m);
    }
  }
}
