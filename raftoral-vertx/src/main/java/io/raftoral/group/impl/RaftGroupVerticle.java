package io.raftoral.group.impl;

import io.raftoral.group.CommandCodec;
import io.raftoral.group.Committed;
import io.raftoral.group.GroupDelivery;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.group.HostedGroup;
import io.raftoral.group.RaftGroup;
import io.raftoral.group.RaftGroupEvent;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.StateMachine;
import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.RaftStatus;
import io.raftoral.raft.ReadState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Role;
import io.raftoral.raft.Snapshot;
import io.raftoral.raft.SoftState;
import io.raftoral.storage.StoreWrite;
import io.raftoral.transport.RaftEnvelope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Raft group on one node: owns the group's {@link RaftNode} and {@link StateMachine}, confined to the
 * verticle's event-loop context. It steps inbound messages, ticks on the host's ticker, hands each {@link Ready} to
 * the store and the transport, applies committed entries and completes the callers' futures.
 *
 * <p>Proposals carry {@code (node id, sequence)} in front of the command, so whichever node proposed a command
 * recognizes it when applying and completes its caller's future with its own state machine's (deterministic)
 * result. That makes follower proposals transparent: they are forwarded to the leader by the Raft core and complete
 * here when applied, with no request/response protocol.
 *
 * <p>Committed entries are applied as soon as a {@code Ready} hands them out, before its write is durable: they
 * are already durable on a majority, and only the commit index itself would be waiting for the local write.
 */
public final class RaftGroupVerticle<C, R> extends VerticleBase implements RaftGroup<C, R>, HostedGroup {

  private static final Logger LOG = LoggerFactory.getLogger(RaftGroupVerticle.class);
  private static final byte PROPOSAL_MAGIC = 'R';
  /** magic, proposer node, session, sequence. */
  private static final int HEADER_BYTES = 25;

  private final long clusterId;
  private final GroupEnvironment env;
  private final RaftGroupOptions options;
  private final StateMachine<C, R> stateMachine;
  private final CommandCodec<C> codec;
  /** Membership to bootstrap with when the store has nothing; null to join an existing group. */
  private final Membership bootstrap;

  private RaftNode core;
  private MessageConsumer<GroupDelivery> consumer;
  private boolean persisting;
  private boolean stopped;
  private long appliedIndex;
  private long snapshotIndex;
  private long proposalSeq;
  /** This incarnation's proposer session: random, so sequences never collide with an earlier run's. */
  private final long session = new java.security.SecureRandom().nextLong() | 1;
  private final ProposalSessions sessions = new ProposalSessions();
  private long ticks;
  private long lastBusyTick;
  private long lastLeader = RaftNode.NONE;
  private long lastLeaderTerm;
  private long readSeq;
  private long lastPublishedApplied;
  private volatile RaftStatus status;
  /** The soft state of the last Ready that carried one: what the published events last reported. */
  private SoftState lastSoftState;

  /** Peer -> System.nanoTime() of the last message received from it (read from any thread). */
  private final Map<Long, Long> lastContactNanos = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, PendingProposal<R>> pendingProposals = new HashMap<>();
  private final Map<Long, PendingChange> pendingChanges = new HashMap<>();
  private final Map<Long, PendingRead<?>> readsAwaitingIndex = new HashMap<>();
  private final TreeMap<Long, List<PendingRead<?>>> readsAwaitingApply = new TreeMap<>();
  private final List<PendingTransfer> pendingTransfers = new ArrayList<>();
  /** Caller notifications of the entries being applied, run once status() is up to date. */
  private final List<Runnable> completions = new ArrayList<>();
  /** Proposals of the current event-loop turn, handed to Raft together (see {@link #queueForProposal}). */
  private final List<byte[]> proposalBatch = new ArrayList<>();
  private final List<Promise<?>> proposalBatchPromises = new ArrayList<>();
  /** Proposals and reads issued while no leader was known, run once one is. */
  private final List<Runnable> awaitingLeader = new ArrayList<>();

  private static final class PendingProposal<R> {
    final Promise<Committed<R>> promise;
    final byte[] payload;
    long timer;
    long lastAttemptTick;

    PendingProposal(Promise<Committed<R>> promise, byte[] payload, long tick) {
      this.promise = promise;
      this.payload = payload;
      this.lastAttemptTick = tick;
    }
  }

  private record PendingChange(Promise<Long> promise, long term, long timer) {}

  private record PendingTransfer(long target, Promise<Void> promise, long timer) {}

  private static final class PendingRead<T> {
    final Promise<T> promise;
    final Supplier<T> query;
    long timer;
    long lastAttemptTick;

    PendingRead(Promise<T> promise, Supplier<T> query) {
      this.promise = promise;
      this.query = query;
    }

    void run() {
      try {
        promise.tryComplete(query.get());
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    }
  }

  public RaftGroupVerticle(long clusterId, GroupEnvironment env, RaftGroupOptions options,
      StateMachine<C, R> stateMachine, CommandCodec<C> codec, Membership bootstrap) {
    this.clusterId = clusterId;
    this.env = Objects.requireNonNull(env, "env");
    this.options = new RaftGroupOptions(Objects.requireNonNull(options, "options"));
    this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.bootstrap = bootstrap;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public Future<?> start() {
    return onContext(env.store().load(clusterId)).compose(stored -> {
      if (stored != null) {
        return Future.succeededFuture(stored);
      }
      PersistentState fresh = bootstrap != null ? PersistentState.bootstrap(bootstrap) : PersistentState.joining();
      return onContext(env.store().write(clusterId, new StoreWrite(null, fresh.entries(), fresh.hardState())))
          .map(v -> fresh);
    }).map(state -> {
      Snapshot snap = state.snapshot();
      if (snap.index() > 0) {
        stateMachine.restore(sessions.unwrap(snap.data()));
      }
      appliedIndex = snap.index();
      snapshotIndex = snap.index();
      core = new RaftNode(options.toRaftConfig(env.nodeId()), state, new Random());
      lastSoftState = new SoftState(core.leaderId(), core.role(), core.term());
      consumer = vertx.eventBus().localConsumer(GroupEnvironment.inboxAddress(env.nodeId(), clusterId),
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
    IllegalStateException gone = new IllegalStateException("group " + clusterId + " stopped on node " + env.nodeId());
    pendingProposals.values().forEach(p -> p.promise.tryFail(gone));
    pendingChanges.values().forEach(p -> p.promise.tryFail(gone));
    readsAwaitingIndex.values().forEach(p -> p.promise.tryFail(gone));
    readsAwaitingApply.values().forEach(l -> l.forEach(p -> p.promise.tryFail(gone)));
    pendingTransfers.forEach(p -> p.promise.tryFail(gone));
    pendingProposals.clear();
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Called by the host's ticker, on any thread. */
  public void tick() {
    if (context == null) {
      return;
    }
    context.runOnContext(v -> {
      if (stopped || core == null) {
        return;
      }
      ticks++;
      if (!quietLeaderNow()) {
        lastBusyTick = ticks;
      }
      if (ticks - lastBusyTick > 2L * options.getElectionTicks()) {
        // A leader with nothing going on for two election timeouts runs its Raft clock at half speed: it
        // heartbeats every other tick, well within the followers' election timeout (their clocks keep full speed,
        // so a dead leader is detected as fast as ever), which halves the idle traffic of a node hosting many
        // groups. Any activity brings it back to full speed at once.
        if ((ticks & 1) == 0) {
          core.tick();
        }
      } else {
        core.tick();
      }
      resendStaleProposals(false);
      reissueReads(false);
      processReady();
      if (core.isLeader() && !core.membership().learners().isEmpty()) {
        // A learner's acknowledgements move only its matchIndex, which produces no Ready: refresh status() so a
        // caller waiting for the learner to catch up (before promoting it, thesis §4.2.1) sees its progress.
        refreshStatus();
      }
      if (appliedIndex != lastPublishedApplied) {
        lastPublishedApplied = appliedIndex;
        publish(RaftGroupEvent.of(RaftGroupEvent.APPLIED, env.nodeId(), clusterId).put("index", appliedIndex));
      }
    });
  }

  private void onDelivery(GroupDelivery delivery) {
    if (stopped || core == null) {
      return;
    }
    Membership membership = core.membership();
    long now = System.nanoTime();
    for (Message m : delivery.messages()) {
      lastContactNanos.put(m.from(), now);
      if (!membership.contains(m.from()) && !membership.voters().isEmpty()) {
        env.countNonMemberMessage();
      }
      try {
        core.step(m);
      } catch (RuntimeException e) {
        env.countRejectedMessage();
        LOG.warn("group {} on node {}: message {} rejected: {}", clusterId, env.nodeId(), m, e.toString());
      }
    }
    processReady();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Ready processing
  // ---------------------------------------------------------------------------------------------------------------

  private void processReady() {
    while (!persisting && !stopped && core.hasReady()) {
      Ready rd = core.ready();
      if (rd.softState() != null) {
        onSoftState(rd.softState());
      }
      send(rd.messages());
      if (rd.snapshot() != null) {
        stateMachine.restore(sessions.unwrap(rd.snapshot().data()));
        appliedIndex = rd.snapshot().index();
        snapshotIndex = rd.snapshot().index();
        publishMembership(rd.snapshot().membership(), rd.snapshot().index());
      }
      apply(rd.committedEntries());
      if (rd.mustPersist() && !rd.mustSync()) {
        // Only the commit index changed: write it lazily, in order with later writes, without waiting.
        env.store().write(clusterId, StoreWrite.of(rd)).onFailure(e ->
            LOG.warn("group {} on node {}: lazy commit-index write failed: {}", clusterId, env.nodeId(), e.toString()));
      } else if (rd.mustPersist()) {
        persisting = true;
        persist(rd, 0);
        return;
      }
      afterPersist(rd);
    }
  }

  /**
   * Writes {@code rd} durably, then continues the Ready cycle. A failed write (a full disk, an I/O error) is retried
   * with a growing delay until it succeeds: nothing it promised (votes, acknowledgements) is sent before, the group
   * stays up and resumes when the store recovers.
   */
  private void persist(Ready rd, int failures) {
    onContext(env.store().write(clusterId, StoreWrite.of(rd))).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        long delay = Math.min(5_000, 50L << Math.min(failures, 7));
        if (failures == 0 || failures % 20 == 0) {
          LOG.error("group {} on node {}: durable write failed ({} times), retrying in {} ms: {}", clusterId,
              env.nodeId(), failures + 1, delay, ar.cause().toString());
        }
        vertx.setTimer(delay, id -> persist(rd, failures + 1));
        return;
      }
      persisting = false;
      afterPersist(rd);
      processReady();
    });
  }

  private void afterPersist(Ready rd) {
    if (stopped) {
      return;
    }
    send(rd.messagesAfterPersist());
    core.advance();
    for (ReadState rs : rd.readStates()) {
      onReadState(rs);
    }
    refreshStatus();
    maybeSnapshot();
  }

  private void send(List<Message> messages) {
    for (Message m : messages) {
      env.send(new RaftEnvelope(clusterId, m));
    }
  }

  private void apply(List<Entry> entries) {
    for (Entry e : entries) {
      if (e.index() <= appliedIndex) {
        continue;
      }
      if (e.type() == EntryType.CONFIG_CHANGE) {
        Membership after = core.membershipAt(e.index());
        publishMembership(after, e.index());
      } else if (e.data().length > 0) {
        applyCommand(e);
      }
      appliedIndex = e.index();
      PendingChange change = pendingChanges.remove(e.index());
      if (change != null) {
        vertx.cancelTimer(change.timer);
        if (e.type() == EntryType.CONFIG_CHANGE && e.term() == change.term) {
          long index = e.index();
          completions.add(() -> change.promise.tryComplete(index));
        } else {
          RaftException lost = new RaftException("leadership changed before the membership change at index "
              + e.index() + " committed; it was not applied");
          completions.add(() -> change.promise.tryFail(lost));
        }
      }
    }
    // Callers are told only once status() reflects what they are told about.
    refreshStatus();
    List<Runnable> done = new ArrayList<>(completions);
    completions.clear();
    done.forEach(Runnable::run);
    runReadsUpTo(appliedIndex);
  }

  private void applyCommand(Entry e) {
    byte[] data = e.data();
    long proposer = -1;
    long seq = -1;
    C command = null;
    RuntimeException failure = null;
    if (data.length >= HEADER_BYTES && data[0] == PROPOSAL_MAGIC) {
      ByteBuffer buf = ByteBuffer.wrap(data, 1, HEADER_BYTES - 1);
      proposer = buf.getLong();
      long proposerSession = buf.getLong();
      seq = buf.getLong();
      if (!sessions.markApplied(proposerSession, seq)) {
        return; // a re-sent proposal that was applied already
      }
      try {
        command = codec.decode(java.util.Arrays.copyOfRange(data, HEADER_BYTES, data.length));
      } catch (RuntimeException ex) {
        failure = ex;
      }
    } else {
      failure = new IllegalArgumentException("entry " + e.index() + " is not a Raftoral command");
    }
    R result = null;
    if (failure == null) {
      try {
        result = stateMachine.apply(e.index(), command);
      } catch (RuntimeException ex) {
        // Deterministic failures happen identically on every replica; report to the proposer, keep going.
        failure = ex;
      }
    }
    if (failure != null) {
      LOG.debug("group {} on node {}: entry {} not applied: {}", clusterId, env.nodeId(), e.index(), failure.toString());
    }
    if (proposer == env.nodeId() && proposerSessionOf(data) == session) {
      PendingProposal<R> pending = pendingProposals.remove(seq);
      if (pending != null) {
        vertx.cancelTimer(pending.timer);
        if (failure != null) {
          RuntimeException cause = failure;
          completions.add(() -> pending.promise.tryFail(cause));
        } else {
          Committed<R> committed = new Committed<>(result, e.index());
          completions.add(() -> pending.promise.tryComplete(committed));
        }
      }
    }
  }

  private static long proposerSessionOf(byte[] data) {
    return ByteBuffer.wrap(data, 9, 8).getLong();
  }

  private void maybeSnapshot() {
    if (appliedIndex - snapshotIndex < options.getSnapshotEveryEntries() || persisting) {
      return;
    }
    byte[] data = sessions.wrap(stateMachine.snapshot());
    Snapshot snap = core.compact(appliedIndex, data);
    if (snap == null) {
      return;
    }
    snapshotIndex = snap.index();
    env.store().saveSnapshot(clusterId, snap).onFailure(e ->
        LOG.error("group {} on node {}: saving snapshot {} failed: {}", clusterId, env.nodeId(), snap.index(), e.toString()));
  }

  /**
   * Whether this node leads a group with nothing going on right now: no pending proposals, reads, membership
   * changes or transfers, and every entry committed and applied.
   */
  private boolean quietLeaderNow() {
    RaftStatus s = status;
    return core.isLeader() && pendingProposals.isEmpty() && readsAwaitingIndex.isEmpty()
        && readsAwaitingApply.isEmpty() && pendingChanges.isEmpty() && pendingTransfers.isEmpty()
        && s != null && s.commitIndex() == s.lastIndex() && appliedIndex == s.commitIndex()
        && s.leadTransferee() == RaftNode.NONE;
  }

  /**
   * Re-sends proposals that may have been lost: all of them when a new leader appears, else those unanswered for
   * two election timeouts (a forward dropped by the network). Replicas skip the duplicates (see
   * {@link ProposalSessions}), so a command is applied once.
   */
  private void resendStaleProposals(boolean all) {
    if (pendingProposals.isEmpty() || core.leaderId() == RaftNode.NONE) {
      return;
    }
    long staleAfter = 2L * options.getElectionTicks();
    for (PendingProposal<R> p : pendingProposals.values()) {
      if (all || ticks - p.lastAttemptTick >= staleAfter) {
        p.lastAttemptTick = ticks;
        try {
          core.propose(p.payload);
        } catch (RaftException e) {
          // leadership in flux; the next tick or leader change retries
        }
      }
    }
  }

  /**
   * Asks again for the read points of reads still waiting: all of them after a leader change, else those waiting
   * for two election timeouts (a forwarded request or its answer may have been lost).
   */
  private void reissueReads(boolean all) {
    if (readsAwaitingIndex.isEmpty() || core.leaderId() == RaftNode.NONE) {
      return;
    }
    long staleAfter = 2L * options.getElectionTicks();
    for (Map.Entry<Long, PendingRead<?>> e : readsAwaitingIndex.entrySet()) {
      PendingRead<?> read = e.getValue();
      if (all || ticks - read.lastAttemptTick >= staleAfter) {
        read.lastAttemptTick = ticks;
        try {
          core.readIndex(readContext(e.getKey()));
        } catch (RuntimeException ex) {
          // still pending on this leader, or leadership in flux: the next tick or leader change retries
        }
      }
    }
  }

  private void onSoftState(SoftState soft) {
    // Compared with the last soft state handled here, not with status(): status() is refreshed after every
    // persist from the core's live state, so it may already show a change whose Ready has not been handled yet.
    SoftState before = lastSoftState;
    lastSoftState = soft;
    if (soft.leaderId() != RaftNode.NONE && (soft.leaderId() != lastLeader || soft.term() != lastLeaderTerm)) {
      // A new term counts as a change even with the same leader: a leader that stepped down and was elected again
      // dropped the read requests it had pending.
      boolean changed = lastLeader != RaftNode.NONE;
      lastLeader = soft.leaderId();
      lastLeaderTerm = soft.term();
      if (changed) {
        resendStaleProposals(true);
        // A read forwarded to the previous leader may have died with it: ask the new one (a duplicate answer is
        // ignored, the first one settles the read).
        reissueReads(true);
      }
    }
    if (before == null || before.leaderId() != soft.leaderId() || before.term() != soft.term()) {
      publish(RaftGroupEvent.of(RaftGroupEvent.LEADER_CHANGED, env.nodeId(), clusterId)
          .put("leader", soft.leaderId()).put("term", soft.term()));
    }
    if (before == null || before.role() != soft.role()) {
      publish(RaftGroupEvent.of(RaftGroupEvent.ROLE_CHANGED, env.nodeId(), clusterId)
          .put("role", soft.role().name()).put("term", soft.term()));
    }
    if (soft.role() != Role.LEADER && !pendingChanges.isEmpty()) {
      // Changes proposed as leader may still commit, but this node can no longer tell: fail them as unknown.
      // Those already committed here are settled by apply() (this Ready's committed entries, or a later one's):
      // a leader that removed itself steps down in the very step that commits its removal.
      long commit = core.status().commitIndex();
      Iterator<Map.Entry<Long, PendingChange>> changes = pendingChanges.entrySet().iterator();
      while (changes.hasNext()) {
        Map.Entry<Long, PendingChange> e = changes.next();
        if (e.getKey() <= commit) {
          continue;
        }
        vertx.cancelTimer(e.getValue().timer);
        e.getValue().promise.tryFail(new NotLeaderException(env.nodeId(), soft.leaderId()));
        changes.remove();
      }
    }
    if (soft.leaderId() != RaftNode.NONE && !awaitingLeader.isEmpty()) {
      List<Runnable> waiting = new ArrayList<>(awaitingLeader);
      awaitingLeader.clear();
      waiting.forEach(Runnable::run);
    }
    Iterator<PendingTransfer> it = pendingTransfers.iterator();
    while (it.hasNext()) {
      PendingTransfer t = it.next();
      if (soft.leaderId() == t.target) {
        vertx.cancelTimer(t.timer);
        t.promise.tryComplete();
        it.remove();
      }
    }
    refreshStatus();
  }

  private void publishMembership(Membership m, long index) {
    publish(RaftGroupEvent.of(RaftGroupEvent.MEMBERSHIP_CHANGED, env.nodeId(), clusterId)
        .put("voters", new JsonArray(new ArrayList<>(m.voters())))
        .put("learners", new JsonArray(new ArrayList<>(m.learners())))
        .put("index", index));
  }

  private void publish(io.vertx.core.json.JsonObject event) {
    vertx.eventBus().publish(RaftGroupEvent.address(env.nodeId(), clusterId), event);
  }

  private void refreshStatus() {
    RaftStatus s = core.status();
    status = new RaftStatus(s.id(), s.role(), s.term(), s.leaderId(), s.commitIndex(), appliedIndex, s.firstIndex(),
        s.lastIndex(), s.membership(), s.leadTransferee(), s.matchIndexes());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // RaftGroup
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public long clusterId() {
    return clusterId;
  }

  @Override
  public long nodeId() {
    return env.nodeId();
  }

  @Override
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public boolean isStopped() {
    return stopped;
  }

  @Override
  public long millisSinceContact(long peer) {
    Long at = lastContactNanos.get(peer);
    return at == null ? Long.MAX_VALUE : (System.nanoTime() - at) / 1_000_000;
  }

  @Override
  public RaftStatus status() {
    return status;
  }

  @Override
  public Future<Committed<R>> propose(C command) {
    return propose(command, Duration.ofMillis(options.getRequestTimeoutMillis()));
  }

  @Override
  public Future<Committed<R>> propose(C command, Duration timeout) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(timeout, "timeout");
    byte[] encoded = codec.encode(command);
    Promise<Committed<R>> promise = Promise.promise();
    onGroupContext(promise, () -> {
      if (pendingProposals.size() >= options.getMaxPendingProposals()) {
        promise.fail(new RaftException("group " + clusterId + " on node " + env.nodeId() + " has "
            + pendingProposals.size() + " proposals pending (maxPendingProposals); retry later"));
        return;
      }
      long seq = ++proposalSeq;
      byte[] payload = ByteBuffer.allocate(HEADER_BYTES + encoded.length).put(PROPOSAL_MAGIC)
          .putLong(env.nodeId()).putLong(session).putLong(seq).put(encoded).array();
      queueForProposal(payload, promise);
      long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
        PendingProposal<R> p = pendingProposals.remove(seq);
        if (p != null) {
          p.promise.tryFail(new TimeoutException("proposal not applied within " + timeout.toMillis()
              + " ms; its outcome is unknown"));
        }
      });
      PendingProposal<R> pending = new PendingProposal<>(promise, payload, ticks);
      pending.timer = timer;
      pendingProposals.put(seq, pending);
      processReady();
    });
    return promise.future();
  }

  private byte[] readContext(long seq) {
    return ByteBuffer.allocate(16).putLong(env.nodeId()).putLong(seq).array();
  }

  @Override
  public <T> Future<T> read(Supplier<T> query) {
    Objects.requireNonNull(query, "query");
    Promise<T> promise = Promise.promise();
    onGroupContext(promise, () -> {
      long seq = ++readSeq;
      PendingRead<T> read = new PendingRead<>(promise, query);
      read.lastAttemptTick = ticks;
      byte[] readContext = readContext(seq);
      whenLeaderKnown(() -> core.readIndex(readContext), promise);
      read.timer = vertx.setTimer(options.getRequestTimeoutMillis(), id -> {
        readsAwaitingIndex.remove(seq);
        promise.tryFail(new TimeoutException("read index not confirmed within " + options.getRequestTimeoutMillis()
            + " ms"));
      });
      readsAwaitingIndex.put(seq, read);
      processReady();
    });
    return promise.future();
  }

  private void onReadState(ReadState rs) {
    long seq = ByteBuffer.wrap(rs.context()).getLong(8);
    PendingRead<?> read = readsAwaitingIndex.remove(seq);
    if (read == null) {
      return;
    }
    vertx.cancelTimer(read.timer);
    if (appliedIndex >= rs.index()) {
      read.run();
    } else {
      readsAwaitingApply.computeIfAbsent(rs.index(), i -> new ArrayList<>()).add(read);
    }
  }

  private void runReadsUpTo(long index) {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= index) {
      readsAwaitingApply.pollFirstEntry().getValue().forEach(PendingRead::run);
    }
  }

  @Override
  public Future<Long> addLearner(long nodeId) {
    return changeMembership(ConfigChange.addLearner(nodeId));
  }

  @Override
  public Future<Long> promote(long nodeId) {
    return changeMembership(ConfigChange.promote(nodeId));
  }

  @Override
  public Future<Long> remove(long nodeId) {
    return changeMembership(ConfigChange.remove(nodeId));
  }

  private Future<Long> changeMembership(ConfigChange change) {
    Promise<Long> promise = Promise.promise();
    onGroupContext(promise, () -> {
      long index = core.proposeConfigChange(change);
      long timer = vertx.setTimer(options.getRequestTimeoutMillis(), id -> {
        PendingChange c = pendingChanges.remove(index);
        if (c != null) {
          c.promise.tryFail(new TimeoutException(change + " not committed within "
              + options.getRequestTimeoutMillis() + " ms; its outcome is unknown"));
        }
      });
      pendingChanges.put(index, new PendingChange(promise, core.term(), timer));
      processReady();
    });
    return promise.future();
  }

  @Override
  public Future<Void> transferLeadership(long nodeId) {
    Promise<Void> promise = Promise.promise();
    onGroupContext(promise, () -> {
      if (core.leaderId() == nodeId) {
        promise.complete();
        return;
      }
      core.transferLeadership(nodeId);
      long timer = vertx.setTimer(options.getRequestTimeoutMillis(), id -> {
        pendingTransfers.removeIf(t -> t.promise == promise);
        promise.tryFail(new TimeoutException("node " + nodeId + " did not take over within "
            + options.getRequestTimeoutMillis() + " ms"));
      });
      pendingTransfers.add(new PendingTransfer(nodeId, promise, timer));
      processReady();
    });
    return promise.future();
  }

  /**
   * Collects the proposals made during one turn of the event loop and hands them to Raft together at the end of
   * the turn: under load, one append message then carries many entries instead of one message per proposal.
   */
  private void queueForProposal(byte[] payload, Promise<?> promise) {
    proposalBatch.add(payload);
    proposalBatchPromises.add(promise);
    if (proposalBatch.size() == 1) {
      context.runOnContext(v -> flushProposals());
    }
  }

  private void flushProposals() {
    if (stopped || proposalBatch.isEmpty()) {
      return;
    }
    List<byte[]> batch = new ArrayList<>(proposalBatch);
    List<Promise<?>> promises = new ArrayList<>(proposalBatchPromises);
    proposalBatch.clear();
    proposalBatchPromises.clear();
    Runnable propose = () -> {
      try {
        core.propose(batch);
      } catch (io.raftoral.raft.ProposalDroppedException transferring) {
        // a leadership transfer is under way: the proposals stay pending and are re-sent to the new leader
      } catch (RuntimeException e) {
        promises.forEach(p -> p.tryFail(e));
      }
    };
    if (core.leaderId() != RaftNode.NONE) {
      propose.run();
    } else {
      awaitingLeader.add(propose);
    }
    processReady();
  }

  /**
   * Runs {@code action} (a propose or read-index call) now if a leader is known, else as soon as one is (during an
   * election): callers see a short wait instead of a spurious {@link NotLeaderException}. Their own timeout still
   * applies.
   */
  private void whenLeaderKnown(Runnable action, Promise<?> promise) {
    if (core.leaderId() != RaftNode.NONE) {
      action.run();
      return;
    }
    awaitingLeader.add(() -> {
      if (promise.future().isComplete()) {
        return;
      }
      try {
        action.run();
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Runs {@code action} on the group's context; exceptions it throws fail {@code promise}. */
  private void onGroupContext(Promise<?> promise, Runnable action) {
    Context ctx = context;
    if (ctx == null || core == null) {
      promise.fail(new IllegalStateException("group " + clusterId + " is not started"));
      return;
    }
    ctx.runOnContext(v -> {
      if (stopped) {
        promise.tryFail(new IllegalStateException("group " + clusterId + " stopped on node " + env.nodeId()));
        return;
      }
      try {
        action.run();
      } catch (RuntimeException e) {
        promise.tryFail(e);
      }
    });
  }

  /**
   * {@code future}'s outcome, delivered on this verticle's context. Always by a hop through the context's task
   * queue: a store may complete on a worker thread where {@code Vertx.currentContext()} still reports this context
   * (blocking code runs "on" its caller's context), so the current context cannot tell whether we are on its thread.
   */
  private <T> Future<T> onContext(Future<T> future) {
    Promise<T> promise = Promise.promise();
    Context ctx = context;
    future.onComplete(ar -> ctx.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }
}
