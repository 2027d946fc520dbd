package io.raftoral.group.impl;

import io.raftoral.group.CommandCodec;
import io.raftoral.group.GroupDelivery;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.group.HostedGroup;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.StateMachine;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.ReadState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Snapshot;
import io.raftoral.raft.SoftState;
import io.raftoral.transport.RaftEnvelope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Raft group on one node: owns the group's {@link RaftNode} and {@link StateMachine}, confined to the
 * verticle's event-loop context. It steps inbound messages, ticks on the host's ticker, hands each {@link Ready} to
 * the store and the transport, applies committed entries and answers the callers.
 *
 * <p>Each kind of request has its own small class, like MicroRaft's tasks: {@link ProposalRequests},
 * {@link ReadRequests}, {@link MembershipChangeRequests} and {@link LeadershipTransferRequests}, all on the one
 * {@link PendingRequests} table (deadline, fail-all). Events go out through {@link GroupEventPublisher}.
 *
 * <p>Proposals carry {@code (node id, session, sequence)} in front of the command ({@link ProposalFrame}), so
 * whichever node proposed a command recognizes it when applying and completes its caller with its own state
 * machine's (deterministic) result. That makes follower proposals transparent: they are forwarded to the leader by
 * the Raft core and complete here when applied, with no request/response protocol.
 *
 * <p>Committed entries are applied as soon as a {@code Ready} hands them out, before its write is durable: they
 * are already durable on a majority, and only the commit index itself would be waiting for the local write.
 */
public final class RaftGroupVerticle<C, R> extends VerticleBase implements HostedGroup {

  private static final Logger LOG = LoggerFactory.getLogger(RaftGroupVerticle.class);
  /** A request unanswered this many election timeouts is re-sent (a forward or its answer may have been lost). */
  private static final long STALE_AFTER_ELECTION_TIMEOUTS = 2;
  /** A leader idle this many election timeouts halves its clock (see {@link IdleClock}). */
  private static final long IDLE_AFTER_ELECTION_TIMEOUTS = 2;
  /** With {@link RaftGroupOptions#isQuiesceWhenIdle()}: a leader idle this many election timeouts quiesces. */
  private static final long QUIESCE_AFTER_ELECTION_TIMEOUTS = 1;
  /** Quiesced, the leader's node must have been heard within this fraction of an election timeout. */
  private static final int LIVENESS_ELECTION_TIMEOUT_DIVISOR = 2;

  private final long groupId;
  private final GroupEnvironment env;
  private final RaftGroupOptions options;
  private final CommandApplier<C, R> applier;
  private final RaftGroup<C, R> handle;
  /** Membership to bootstrap with when the store has nothing; null to join an existing group. */
  private final Membership bootstrap;

  private RaftNode core;
  private GroupStore store;
  /** Takes and installs this group's snapshots; {@link #fetcher} brings the leader's ones here. */
  private GroupSnapshots snapshots;
  private SnapshotFetcher fetcher;
  private MessageConsumer<GroupDelivery> consumer;
  private boolean persisting;
  /** Whether {@link #processReady()} is on the stack: a Ready is handed out at most once before its advance. */
  private boolean inReadyLoop;
  private boolean stopped;
  private long appliedIndex;
  private final IdleClock clock;
  /** Null unless {@link RaftGroupOptions#isQuiesceWhenIdle()}. */
  private final Quiescence quiescence;
  private final GroupStatus status = new GroupStatus();
  private SoftStateHandler softStates;

  private ProposalRequests<R> proposals;
  private ReadRequests reads;
  private MembershipChangeRequests changes;
  private LeadershipTransferRequests transfers;
  private GroupEventPublisher events;
  private GroupMeters meters = GroupMeters.NONE;
  /** Caller notifications of the entries being applied, run once status() is up to date. */
  private final List<Runnable> completions = new ArrayList<>();
  private final LeaderWaiters leaderWaiters;

  public RaftGroupVerticle(long groupId, GroupEnvironment env, RaftGroupOptions options,
      StateMachine<C, R> stateMachine, CommandCodec<C> codec, Membership bootstrap) {
    this.groupId = groupId;
    this.env = Objects.requireNonNull(env, "env");
    this.options = new RaftGroupOptions(Objects.requireNonNull(options, "options"));
    this.applier = new CommandApplier<>(groupId, env.nodeId(), Objects.requireNonNull(stateMachine, "stateMachine"),
        Objects.requireNonNull(codec, "codec"));
    this.handle = new RaftGroupHandle<>(this, codec, this.options.getRequestTimeoutMillis());
    this.bootstrap = bootstrap;
    this.clock = new IdleClock(IDLE_AFTER_ELECTION_TIMEOUTS * this.options.getElectionTicks());
    this.quiescence = this.options.isQuiesceWhenIdle()
        ? new Quiescence(env, QUIESCE_AFTER_ELECTION_TIMEOUTS * this.options.getElectionTicks(),
            Math.max(1, this.options.getElectionTicks() / LIVENESS_ELECTION_TIMEOUT_DIVISOR))
        : null;
    this.leaderWaiters = new LeaderWaiters(this, this.options.getMaxRequestsAwaitingLeader());
  }

  /** The handle users hold: every operation is a lazy {@code Uni} answered on this group's context. */
  public RaftGroup<C, R> group() {
    return handle;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public Future<?> start() {
    store = new GroupStore(env.store(), groupId, env.nodeId(), vertx, context);
    snapshots = new GroupSnapshots(groupId, env.nodeId(), env.store(), store, applier, context,
        options.getSnapshotChunkBytes(), this::maybeSnapshot);
    fetcher = new SnapshotFetcher(groupId, env, vertx, context, () -> stopped, () -> core.status().commitIndex(),
        () -> core.term(), this::stepFetched);
    return store.loadOrCreate(bootstrap).map(state -> {
      Snapshot snap = state.snapshot();
      if (snap.index() > 0) {
        snapshots.install(snap);
      }
      appliedIndex = snap.index();
      snapshots.installed(snap);
      meters = GroupMeters.of(env.meterRegistry(), groupId, status);
      proposals = new ProposalRequests<>(this, vertx, options.getMaxPendingProposals(), meters);
      reads = new ReadRequests(this, vertx);
      changes = new MembershipChangeRequests(this, vertx);
      transfers = new LeadershipTransferRequests(this, vertx);
      events = new GroupEventPublisher(vertx.eventBus(), env.nodeId(), groupId);
      core = new RaftNode(options.toRaftConfig(env.nodeId()), state, new Random());
      softStates = new SoftStateHandler(this, events, meters, staleAfterTicks(),
          new SoftState(core.leaderId(), core.role(), core.term()));
      consumer = vertx.eventBus().localConsumer(GroupEnvironment.inboxAddress(env.nodeId(), groupId),
          msg -> onDelivery(msg.body()));
      refreshStatus();
      env.attach(this);
      processReady();
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    env.detach(this);
    meters.close();
    if (core != null) {
      IllegalStateException gone = stoppedFailure();
      proposals.failAll(gone);
      changes.failAll(gone);
      reads.failAll(gone);
      transfers.failAll(gone);
      snapshots.failRequests(gone);
    }
    Future<Void> flushed = store == null ? Future.succeededFuture() : store.flushDeferred();
    return consumer == null ? flushed : flushed.compose(v -> consumer.unregister());
  }

  @Override
  public boolean isQuiesced() {
    return quiescence != null && quiescence.isQuiesced();
  }

  /** Called by the host's ticker, on any thread. */
  @Override
  public void tick() {
    if (context == null) {
      return;
    }
    context.runOnContext(v -> {
      if (stopped || core == null) {
        return;
      }
      if (quiescence != null && quiescence.tick(core, quietLeaderNow())) {
        processReady(); // the quiesce heartbeat, if the group quiesced just now
        return;
      }
      if (clock.tick(quietLeaderNow())) {
        core.tick();
      }
      proposals.resendStale(false, staleAfterTicks());
      reads.reissue(false, staleAfterTicks());
      leaderWaiters.dropAbandoned();
      processReady();
      if (core.isLeader() && !core.membership().learners().isEmpty()) {
        // A learner's acknowledgements move only its matchIndex, which produces no Ready: refresh status() so a
        // caller waiting for the learner to catch up (before promoting it, thesis §4.2.1) sees its progress.
        refreshStatus();
      }
      events.appliedIfMoved(appliedIndex);
    });
  }

  private long staleAfterTicks() {
    return STALE_AFTER_ELECTION_TIMEOUTS * options.getElectionTicks();
  }

  private void onDelivery(GroupDelivery delivery) {
    if (stopped || core == null) {
      return;
    }
    Membership membership = core.membership();
    long now = System.nanoTime();
    for (Message m : delivery.messages()) {
      status.heardFrom(m.from(), now, membership);
      if (!membership.contains(m.from()) && !membership.voters().isEmpty()) {
        env.countNonMemberMessage();
      }
      if (m.type() == MessageType.SNAPSHOT && fetcher.holds(m)) {
        continue; // stepped once its data is fetched; Raft goes on meanwhile
      }
      try {
        core.step(m);
      } catch (RuntimeException e) {
        env.countRejectedMessage();
        LOG.warn("group {} on node {}: message {} rejected: {}", groupId, env.nodeId(), m, e.toString());
      }
    }
    processReady();
  }

  /** Steps a SNAPSHOT message whose data the store now holds (see {@link SnapshotFetcher}). */
  private void stepFetched(Message m) {
    if (stopped) {
      return;
    }
    try {
      core.step(m);
    } catch (RuntimeException e) {
      env.countRejectedMessage();
      LOG.warn("group {} on node {}: message {} rejected: {}", groupId, env.nodeId(), m, e.toString());
    }
    processReady();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Ready processing
  // ---------------------------------------------------------------------------------------------------------------

  void processReady() {
    if (quiescence != null) {
      // Whatever just happened (a message, a request) may have woken the core: the host must tick it again.
      quiescence.refresh(core);
    }
    if (inReadyLoop) {
      // Called back from inside the loop (a caller answered by an apply proposed again on this thread): the
      // running loop picks the new work up after advancing the current Ready, which must come first.
      return;
    }
    inReadyLoop = true;
    try {
      processReadies();
    } finally {
      inReadyLoop = false;
      if (quiescence != null) {
        quiescence.refresh(core);
      }
    }
  }

  private void processReadies() {
    while (!persisting && !stopped && core.hasReady()) {
      Ready rd = core.ready();
      if (rd.softState() != null) {
        softStates.onSoftState(rd.softState());
        refreshStatus();
      }
      boolean nothingToWrite = rd.entries().isEmpty() && rd.snapshot() == null;
      if (nothingToWrite) {
        // No local write runs in parallel with these messages: answer the callers first, then send.
        apply(rd.committedEntries());
      }
      send(rd.messages());
      boolean durableWrite = rd.mustPersist() && rd.mustSync();
      if (durableWrite) {
        // Started before the apply below: on a follower the entries to apply arrive with the next ones to write, and
        // the disk need not wait for the state machine (what is applied is durable on a majority already). A
        // received snapshot is installed only once durable, and the entries committed after it applied after it.
        persisting = true;
        store.persist(rd, () -> stopped, () -> send(rd.messagesAfterPersist()), () -> {
          persisting = false;
          installReceived(rd);
          afterPersist(rd, false);
          processReady();
        });
      }
      if (!nothingToWrite && rd.snapshot() == null) {
        apply(rd.committedEntries());
      }
      if (durableWrite) {
        return;
      }
      if (rd.mustPersist()) {
        // Only the commit index changed: it goes to disk with the next durable write.
        store.deferCommitIndex(rd);
      }
      afterPersist(rd, true);
    }
  }

  /**
   * Installs the snapshot {@code rd} received from the leader, once durable (a crash in between restarts from it),
   * then applies the entries committed after it.
   */
  private void installReceived(Ready rd) {
    Snapshot snap = rd.snapshot();
    if (snap == null || stopped) {
      return;
    }
    snapshots.install(snap);
    meters.snapshot(GroupSnapshots.dataSize(snap));
    appliedIndex = snap.index();
    snapshots.installed(snap);
    events.membershipChanged(snap.membership(), snap.index());
    apply(rd.committedEntries());
  }

  /**
   * Finishes {@code rd} on the group's context; its durability-promising messages are sent here unless the store
   * sent them already (from its write's completion, see {@link GroupStore#persist}).
   */
  private void afterPersist(Ready rd, boolean sendPromises) {
    if (stopped) {
      return;
    }
    if (sendPromises) {
      send(rd.messagesAfterPersist());
    }
    core.advance();
    for (ReadState rs : rd.readStates()) {
      reads.onReadState(rs, appliedIndex);
    }
    refreshStatus();
    maybeSnapshot();
  }

  private void send(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<RaftEnvelope> envelopes = new ArrayList<>(messages.size());
    for (Message m : messages) {
      envelopes.add(new RaftEnvelope(groupId, m));
    }
    env.send(envelopes);
  }

  private void apply(List<Entry> entries) {
    if (!entries.isEmpty()) {
      meters.applying(entries.get(entries.size() - 1).index(), appliedIndex);
    }
    for (Entry e : entries) {
      if (e.index() <= appliedIndex) {
        continue;
      }
      if (e.type() == EntryType.CONFIG_CHANGE) {
        events.membershipChanged(core.membershipAt(e.index()), e.index());
      } else if (e.data().length > 0) {
        addCompletion(applier.apply(e, proposals));
      }
      appliedIndex = e.index();
      snapshots.applied(e.data().length);
      addCompletion(changes.onApplied(e));
    }
    // Callers are told only once status() reflects what they are told about.
    refreshStatus();
    List<Runnable> done = new ArrayList<>(completions);
    completions.clear();
    done.forEach(Runnable::run);
    reads.runUpTo(appliedIndex);
  }

  private void addCompletion(Runnable completion) {
    if (completion != null) {
      completions.add(completion);
    }
  }

  private void maybeSnapshot() {
    if (!persisting && !stopped) {
      snapshots.maybeTake(appliedIndex, options.getSnapshotEveryEntries(), options.getSnapshotLogRatio(),
          this::compact);
    }
  }

  /**
   * An operator's snapshot request (on the group's context): taken now, or after the write in flight (the log can
   * only be compacted up to what is durable). Completes with the newest snapshot index.
   */
  void snapshotNow(Promise<Long> done) {
    snapshots.request(done);
    maybeSnapshot();
  }

  /** Compacts the log up to {@code index}, where a snapshot whose Raft data is {@code data} was taken. */
  private Snapshot compact(long index, byte[] data) {
    if (stopped) {
      return null;
    }
    Snapshot snap = core.compact(index, data);
    if (snap != null) {
      meters.snapshot(GroupSnapshots.dataSize(snap));
      refreshStatus(); // a caller waiting for the snapshot reads the new first index in status()
    }
    return snap;
  }

  /**
   * Whether this node leads a group with nothing going on right now: no pending proposals, reads, membership
   * changes or transfers, and every entry committed and applied.
   */
  private boolean quietLeaderNow() {
    RaftStatus s = status.get();
    return core.isLeader() && proposals.isEmpty() && reads.isEmpty() && changes.isEmpty() && transfers.isEmpty()
        && s != null && s.commitIndex() == s.lastIndex() && appliedIndex == s.commitIndex()
        && s.leadTransferee() == RaftNode.NONE;
  }

  private void refreshStatus() {
    status.refresh(core.status(), appliedIndex);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // What the request classes use (on the group's context)
  // ---------------------------------------------------------------------------------------------------------------

  RaftNode core() {
    return core;
  }

  LeaderWaiters leaderWaiters() {
    return leaderWaiters;
  }

  ProposalRequests<R> proposals() {
    return proposals;
  }

  ReadRequests reads() {
    return reads;
  }

  MembershipChangeRequests changes() {
    return changes;
  }

  LeadershipTransferRequests transfers() {
    return transfers;
  }

  long ticks() {
    return clock.ticks();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // What the handle reads (from any thread)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public long groupId() {
    return groupId;
  }

  long nodeId() {
    return env.nodeId();
  }

  Context context() {
    return context;
  }

  boolean isStopped() {
    return stopped;
  }

  /** The status any thread may read. */
  /**
   * Milliseconds since {@code peer} was last heard from: in this group, or, when the group may quiesce (and so go
   * without heartbeats of its own), by this node at all (node-level liveness stands in for the group's contact).
   */
  long millisSinceContact(long peer) {
    long inGroup = status().millisSinceContact(peer);
    RaftStatus s = status().get();
    if (quiescence == null || s == null || !s.membership().contains(peer) || peer == env.nodeId()) {
      return inGroup;
    }
    return Math.min(inGroup, env.millisSinceNodeContact(peer));
  }

  GroupStatus status() {
    return status;
  }

  /** Whether the group has started (its core is up) on this node. */
  boolean isStarted() {
    return context != null && core != null;
  }

  IllegalStateException stoppedFailure() {
    return new IllegalStateException("group " + groupId + " stopped on node " + env.nodeId());
  }
}
