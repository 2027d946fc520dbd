package io.raftoral.raft.sim;

import io.raftoral.raft.ConfigChange;
import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.NotLeaderException;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.ProposalDroppedException;
import io.raftoral.raft.RaftConfig;
import io.raftoral.raft.RaftException;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.ReadState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Role;
import io.raftoral.raft.Snapshot;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-time simulation of one Raft group: simulated clock, seeded network that drops, delays,
 * duplicates and reorders messages and partitions arbitrary node sets, crashes that lose every unpersisted write,
 * restarts from what was persisted, and a random client workload of proposals, membership changes, leadership
 * transfers, compactions and reads. Every property of {@link InvariantChecker} is checked after every time unit;
 * after the chaos phase the faults stop and liveness is required: a leader emerges and every proposal a client
 * still waits for commits on every member within {@link SimulationOptions#livenessTicks()} ticks.
 *
 * <p>Everything derives from one seed, so a failure is replayed exactly by running that seed again.
 */
public final class Simulation {

  /** Time units per tick. Messages take 1..maxDelay units, so a message can overtake others (reordering). */
  static final int UNITS_PER_TICK = 10;
  /** {@code -Draftoral.sim.verbose=true} prints every event of a run (use with a single seed). */
  private static final boolean VERBOSE = Boolean.getBoolean("raftoral.sim.verbose");
  /** Quiescing scenarios: a leader idle this many ticks (and able to) quiesces its group. */
  private static final int QUIESCE_AFTER_IDLE_TICKS = 3;
  /** Quiescing scenarios: the client works this many ticks of each cycle, then leaves the group idle. */
  private static final int BUSY_TICKS = 25;
  private static final int CYCLE_TICKS = 70;
  /** Quiescing scenarios: per-tick probability that a quiesced leader is crashed or cut off from everyone. */
  private static final double QUIESCED_LEADER_FAULT = 0.03;

  private final long seed;
  private final SimulationOptions options;
  private final RaftNodeFactory factory;
  private final Random rnd;
  private final InvariantChecker checker;
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private final Map<Long, SimServer> servers = new TreeMap<>();
  private final PriorityQueue<InFlight> network = new PriorityQueue<>();
  private final Map<Long, Integer> partitionOf = new HashMap<>();
  private final SimulationReport report = new SimulationReport();
  private final Set<Long> retired = new HashSet<>();

  /** Client side: proposal id -> still waiting (not yet seen applied by the proposing leader nor anywhere). */
  private final LinkedHashMap<Long, Boolean> pendingProposals = new LinkedHashMap<>();
  private final Map<Long, Long> ackedAt = new HashMap<>();
  private final Map<Long, Long> firstAppliedAt = new HashMap<>();
  /** Proposal id -> {leader term, time} of the client's last retry. */
  private final Map<Long, long[]> lastRetry = new HashMap<>();
  /** Read id -> highest commit index any server knew when the read was issued. */
  private final Map<Long, Long> readRequestedAt = new HashMap<>();
  private long nextProposalId = 1;
  private long nextReadId = 1;
  private long time;
  private long seq;
  private boolean faultsOn = true;
  /** A script drives the run: no random client. */
  private boolean scripted;
  private double dropRate;
  private double duplicateRate;
  /** Whether the runtime quiesces idle groups, with node-level liveness to wake them (see {@link #quiescing}). */
  private final boolean quiescing;
  private final SimNodeLiveness liveness;

  public Simulation(long seed, SimulationOptions options, RaftNodeFactory factory) {
    this(seed, options, factory, false);
  }

  private Simulation(long seed, SimulationOptions options, RaftNodeFactory factory, boolean quiescing) {
    this.quiescing = quiescing;
    // Node liveness must notice a dead node well within an election timeout, as the host's node heartbeat does.
    this.liveness = new SimNodeLiveness((long) options.electionTicks() * UNITS_PER_TICK / 2);
    this.seed = seed;
    this.options = options;
    this.factory = factory;
    this.rnd = new Random(seed);
    this.checker = new InvariantChecker(v -> {
      throw new InvariantViolation(seed, v[0], v[1], traceTail());
    });
  }

  /** A simulation biased toward the Figure 8 scenario of §5.4.2 (see {@link SimulationOptions#figure8Prone}). */
  public static Simulation figure8Prone(long seed, RaftNodeFactory factory) {
    return new Simulation(seed, SimulationOptions.figure8Prone(seed), factory);
  }

  /**
   * A randomized simulation whose runtime quiesces idle groups ({@link RaftNode#quiesce()}) the way the group
   * runtime does: the client alternates busy and idle periods, leaders quiesce after a few idle ticks, node-level
   * liveness (a coalesced heartbeat per pair of servers, plus any Raft message) wakes a quiesced follower whose
   * leader's node it stops hearing and a quiesced leader that stops hearing a quorum, and quiesced leaders are
   * crashed or isolated on purpose. The same invariants and the same bounded liveness must hold.
   */
  public static Simulation quiescing(long seed, RaftNodeFactory factory) {
    return new Simulation(seed, SimulationOptions.randomFor(seed), factory, true);
  }

  /** A simulation whose options are themselves drawn from the seed (cluster size, fault rates). */
  public static Simulation randomized(long seed, RaftNodeFactory factory) {
    return new Simulation(seed, SimulationOptions.randomFor(seed), factory);
  }

  /** Runs the scenario; throws {@link InvariantViolation} (naming the seed) when a property fails. */
  public SimulationReport run() {
    startCluster();
    long chaosEnd = (long) options.chaosTicks() * UNITS_PER_TICK;
    try {
      for (time = 0; time < chaosEnd; time++) {
        step(true);
      }
      stopFaults();
      long livenessEnd = chaosEnd + (long) options.livenessTicks() * UNITS_PER_TICK;
      for (; time < livenessEnd; time++) {
        step(false);
        if (time % UNITS_PER_TICK == 0 && converged()) {
          break;
        }
      }
      if (!converged()) {
        throw new InvariantViolation(seed, "liveness", "no convergence within " + options.livenessTicks()
            + " ticks after faults stopped: " + livenessDiagnosis(), traceTail());
      }
      checkAcknowledgedDurable();
    } catch (InvariantViolation v) {
      throw v;
    } catch (RuntimeException e) {
      // The core threw (for example on an impossible log conflict): that is a failure of this seed too.
      InvariantViolation v = new InvariantViolation(seed, "no exception from the core", e.toString(), traceTail());
      v.initCause(e);
      throw v;
    }
    report.ticks = time / UNITS_PER_TICK;
    report.committed = checker.maxCommitted;
    return report;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Scripted control, for scenarios that need an exact sequence of events (with every invariant still checked)
  // ---------------------------------------------------------------------------------------------------------------

  /** Boots the initial voters. {@link #run()} does this itself; scripts call it first. */
  public void startCluster() {
    dropRate = options.dropRate();
    duplicateRate = options.duplicateRate();
    Membership initial = new Membership(ids(1, options.voters()), Set.of());
    for (long id = 1; id <= options.voters(); id++) {
      SimServer s = new SimServer(id, PersistentState.bootstrap(initial));
      servers.put(id, s);
      start(s);
    }
  }

  /**
   * Advances time one unit at a time until {@code condition} holds (checked after every unit), at most
   * {@code maxTicks} ticks. Invariants are checked after every unit.
   *
   * @return whether the condition was met
   */
  public boolean runUntil(BooleanSupplier condition, int maxTicks) {
    long end = time + (long) maxTicks * UNITS_PER_TICK;
    scripted = true;
    while (time < end) {
      guarded(() -> step(false));
      time++;
      if (condition.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  /** Only servers in the same group can talk; servers not named form one more group. */
  @SafeVarargs
  public final void partition(Set<Long>... groups) {
    partitionOf.clear();
    for (long id : servers.keySet()) {
      partitionOf.put(id, groups.length);
    }
    for (int g = 0; g < groups.length; g++) {
      for (long id : groups[g]) {
        partitionOf.put(id, g);
      }
    }
    record("network partitioned " + partitionOf);
  }

  public void heal() {
    partitionOf.clear();
    record("network healed");
  }

  /** The live server of highest term that believes it leads, or {@link RaftNode#NONE}. */
  public long leaderId() {
    SimServer l = leader();
    return l == null ? RaftNode.NONE : l.id;
  }

  /** A server's core while it is up, else null. */
  public RaftNode node(long id) {
    SimServer s = servers.get(id);
    return s == null ? null : s.node;
  }

  /** A client proposes on server {@code id}. */
  public void propose(long id) {
    propose(servers.get(id), nextProposalId++);
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (InvariantViolation v) {
      throw v;
    } catch (RuntimeException e) {
      InvariantViolation v = new InvariantViolation(seed, "no exception from the core", e.toString(), traceTail());
      v.initCause(e);
      throw v;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void step(boolean chaos) {
    for (SimServer s : servers.values()) {
      if (s.node != null && s.crashAt == time && faultsOn) {
        crash(s);
      }
    }
    deliverDueMessages();
    for (SimServer s : servers.values()) {
      if (s.node != null && s.persistDoneAt == time && s.pending != null) {
        completePersist(s);
      }
    }
    if (time % UNITS_PER_TICK == 0 && !scripted) {
      if (chaos) {
        chaosActions();
      } else {
        livenessClient();
      }
    }
    if (time % UNITS_PER_TICK == 0 && quiescing) {
      nodeHeartbeats();
      driveQuiescence();
    }
    for (SimServer s : servers.values()) {
      if (s.node != null && (time + s.tickPhase) % UNITS_PER_TICK == 0) {
        s.node.tick();
      }
    }
    for (SimServer s : servers.values()) {
      if (s.node != null && s.pending == null && s.node.hasReady()) {
        handOutReady(s);
      }
    }
    checker.checkServers(liveNodes());
  }

  private void deliverDueMessages() {
    while (!network.isEmpty() && network.peek().at <= time) {
      InFlight f = network.poll();
      SimServer to = servers.get(f.message.to());
      if (to == null || to.node == null || !connected(f.message.from(), f.message.to())) {
        continue;
      }
      if (VERBOSE) {
        record("deliver " + f.message);
      }
      liveness.heard(to.id, f.message.from(), time);
      to.node.step(f.message);
    }
  }

  private void handOutReady(SimServer s) {
    Ready ready = s.node.ready();
    if (VERBOSE && (ready.softState() != null || ready.hardState() != null || !ready.entries().isEmpty()
        || !ready.committedEntries().isEmpty())) {
      record("node " + s.id + " ready soft=" + ready.softState() + " hard=" + ready.hardState() + " entries="
          + ready.entries() + " committed=" + ready.committedEntries().size() + " snapshot=" + ready.snapshot());
    }
    if (ready.softState() != null && ready.softState().role() == Role.LEADER) {
      report.leadersElected++;
      record("node " + s.id + " became leader of term " + ready.softState().term());
      if (faultsOn && rnd.nextDouble() < options.faultRates().crashNewLeader()) {
        s.crashAt = time + rnd.nextInt(2 * UNITS_PER_TICK);
      }
    }
    long firstNew = ready.entries().isEmpty() ? -1 : ready.entries().get(0).index();
    if (firstNew > 0) {
      long prevTerm = ready.snapshot() != null && ready.snapshot().index() == firstNew - 1
          ? ready.snapshot().term() : s.disk.term(firstNew - 1);
      checker.onEntriesAppended(s.id, ready.entries(), prevTerm);
    }
    for (Message m : ready.messages()) {
      send(m);
    }
    if (faultsOn && s.node.isLeader() && ready.hardState() != null && ready.hardState().commit() > s.lastCommit
        && rnd.nextDouble() < options.faultRates().crashLeaderAfterCommit()) {
      // A leader that dies right after learning of a commit, before its followers do: the Figure 8 moment.
      s.crashAt = time + 1 + rnd.nextInt(UNITS_PER_TICK);
    }
    if (ready.hardState() != null) {
      s.lastCommit = ready.hardState().commit();
    }
    s.pending = ready;
    s.persistDoneAt = time + 1 + rnd.nextInt(options.maxPersistDelay());
  }

  private void completePersist(SimServer s) {
    Ready ready = s.pending;
    s.disk.write(ready);
    for (Message m : ready.messagesAfterPersist()) {
      send(m);
    }
    if (ready.snapshot() != null) {
      Snapshot snap = ready.snapshot();
      s.stateMachine.restore(snap.index(), snap.data());
      for (long i = 1; i <= snap.index(); i++) {
        checker.onApplied(s.id, i, s.stateMachine.fingerprintAt(i), "snapshot content");
      }
      report.snapshotsInstalled++;
      record("node " + s.id + " installed " + snap);
    }
    for (Entry e : ready.committedEntries()) {
      if (e.index() <= s.stateMachine.appliedIndex) {
        continue; // already covered by a snapshot installed in the same Ready
      }
      s.stateMachine.apply(e);
      checker.onApplied(s.id, e.index(), SimStateMachine.fingerprint(e), e.toString());
      onAppliedByServer(s, e);
    }
    for (ReadState rs : ready.readStates()) {
      long readId = ByteBuffer.wrap(rs.context()).getLong(8);
      Long committedAtRequest = readRequestedAt.remove(readId);
      if (committedAtRequest != null && rs.index() < committedAtRequest) {
        throw new InvariantViolation(seed, "linearizable reads", "node " + s.id + " got read index " + rs.index()
            + " for a read issued when index " + committedAtRequest + " was already committed", traceTail());
      }
      report.readsServed++;
    }
    s.pending = null;
    s.node.advance();
  }

  private void onAppliedByServer(SimServer s, Entry e) {
    long pid = SimStateMachine.proposalId(e);
    if (pid > 0) {
      firstAppliedAt.putIfAbsent(pid, e.index());
      Long proposedHere = s.proposedAt.remove(e.index());
      if (proposedHere != null && proposedHere == pid) {
        // The proposing leader applied its own entry at the index it returned: the client is told "committed".
        ackedAt.putIfAbsent(pid, e.index());
        pendingProposals.remove(pid);
        report.acknowledged++;
      }
      if (pendingProposals.containsKey(pid)) {
        pendingProposals.remove(pid);
      }
    } else if (e.type() == EntryType.CONFIG_CHANGE) {
      onConfigApplied(e.configChange());
    }
  }

  private void onConfigApplied(ConfigChange change) {
    if (change.type() == ConfigChange.Type.REMOVE) {
      retired.add(change.nodeId());
    }
  }

  private void send(Message m) {
    if (faultsOn && rnd.nextDouble() < dropRate) {
      return;
    }
    enqueue(m);
    if (faultsOn && rnd.nextDouble() < duplicateRate) {
      enqueue(m);
    }
  }

  private void enqueue(Message m) {
    // Once faults stop, the network also becomes timely (delays well under a tick), the usual liveness assumption.
    int maxDelay = faultsOn ? options.maxMessageDelay() : Math.min(options.maxMessageDelay(), UNITS_PER_TICK / 2);
    long delay = 1 + rnd.nextInt(maxDelay);
    if (faultsOn && rnd.nextDouble() < options.faultRates().longDelay()) {
      delay += rnd.nextInt(5 * options.electionTicks() * UNITS_PER_TICK / 10);
    }
    network.add(new InFlight(time + delay, seq++, m));
  }

  private boolean connected(long a, long b) {
    return partitionOf.getOrDefault(a, 0).equals(partitionOf.getOrDefault(b, 0));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Chaos and client workload
  // ---------------------------------------------------------------------------------------------------------------

  private void chaosActions() {
    boolean busy = !quiescing || (time / UNITS_PER_TICK) % CYCLE_TICKS < BUSY_TICKS;
    if (busy && rnd.nextDouble() < options.proposeRate()) {
      propose(randomLive(), nextProposalId++);
    }
    if (quiescing) {
      faultOnQuiescedLeader();
    }
    SimulationOptions.FaultRates f = options.faultRates();
    if (rnd.nextDouble() < f.crash()) {
      crash(randomLive());
    }
    if (rnd.nextDouble() < f.crashLeader()) {
      crash(leader());
    }
    if (rnd.nextDouble() < f.restart()) {
      restartRandom();
    }
    if (rnd.nextDouble() < f.partition()) {
      partitionRandom();
    }
    if (rnd.nextDouble() < f.heal()) {
      partitionOf.clear();
      record("network healed");
    }
    if (busy && rnd.nextDouble() < f.membershipChange()) {
      membershipChange();
    }
    if (busy && rnd.nextDouble() < f.transfer()) {
      transferLeadership();
    }
    if (rnd.nextDouble() < f.compact()) {
      compactRandom();
    }
    if (busy && rnd.nextDouble() < f.read()) {
      readRandom();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Quiescing runtime (quiescing scenarios only)
  // ---------------------------------------------------------------------------------------------------------------

  /** Every live server's node heartbeat to every other one, lost like any message (partitions, drops). */
  private void nodeHeartbeats() {
    for (SimServer from : servers.values()) {
      for (SimServer to : servers.values()) {
        if (from != to && from.node != null && to.node != null && connected(from.id, to.id)
            && !(faultsOn && rnd.nextDouble() < dropRate)) {
          liveness.heard(to.id, from.id, time);
        }
      }
    }
  }

  /** What the group runtime does each tick: quiesce idle leaders, wake whom node-level liveness no longer covers. */
  private void driveQuiescence() {
    for (SimServer s : servers.values()) {
      RaftNode n = s.node;
      if (n == null) {
        continue;
      }
      if (n.isQuiesced()) {
        s.idleTicks = 0;
        boolean covered = n.isLeader() ? quorumLive(s) : liveness.isLive(s.id, n.leaderId(), time);
        if (!covered) {
          n.wake();
          report.livenessWakes++;
          record("node " + s.id + " woken: node liveness lost " + (n.isLeader() ? "for a quorum" : "for the leader"));
        }
      } else if (n.canQuiesce()) {
        if (++s.idleTicks >= QUIESCE_AFTER_IDLE_TICKS && n.quiesce()) {
          s.idleTicks = 0;
          report.quiescences++;
          record("node " + s.id + " quiesced the group at term " + n.term());
        }
      } else {
        s.idleTicks = 0;
      }
    }
  }

  private boolean quorumLive(SimServer s) {
    int live = 0;
    for (long voter : s.node.membership().voters()) {
      if (liveness.isLive(s.id, voter, time)) {
        live++;
      }
    }
    return live >= s.node.membership().quorum();
  }

  /** Crashes or isolates a quiesced leader: the faults quiescing must survive. */
  private void faultOnQuiescedLeader() {
    SimServer leader = leader();
    if (leader == null || !leader.node.isQuiesced() || rnd.nextDouble() >= QUIESCED_LEADER_FAULT) {
      return;
    }
    report.quiescedLeaderFaults++;
    if (rnd.nextBoolean()) {
      crash(leader);
    } else {
      partition(Set.of(leader.id));
      report.partitions++;
    }
  }

  private void propose(SimServer s, long pid) {
    if (s == null) {
      return;
    }
    byte[] data = ByteBuffer.allocate(8).putLong(pid).array();
    try {
      long index = s.node.propose(data);
      pendingProposals.put(pid, true);
      report.proposals++;
      if (index > 0) {
        s.proposedAt.put(index, pid);
      }
    } catch (NotLeaderException | ProposalDroppedException e) {
      // The client would retry elsewhere; the id is simply not pending.
    }
  }

  private void crash(SimServer s) {
    if (s == null) {
      return;
    }
    record("node " + s.id + " crashed" + (s.pending != null ? " losing an unpersisted Ready" : ""));
    // Messages still in the sender's socket buffers die with it: drop some of those not yet delivered.
    network.removeIf(f -> f.message.from() == s.id && rnd.nextBoolean());
    s.node = null;
    s.pending = null;
    s.proposedAt.clear();
    report.crashes++;
  }

  private void restartRandom() {
    List<SimServer> down = new ArrayList<>();
    for (SimServer s : servers.values()) {
      if (s.node == null && !retired.contains(s.id)) {
        down.add(s);
      }
    }
    if (!down.isEmpty()) {
      start(down.get(rnd.nextInt(down.size())));
    }
  }

  private void start(SimServer s) {
    RaftConfig config = new RaftConfig(s.id).setElectionTicks(options.electionTicks()).setHeartbeatTicks(1)
        .setMaxInflightMessages(options.maxInflight()).setMaxMessageBytes(options.maxMessageBytes());
    s.node = factory.create(config, s.disk.load(), new Random(rnd.nextLong()));
    s.stateMachine.restore(s.disk.snapshot.index(), s.disk.snapshot.data());
    s.tickPhase = rnd.nextInt(UNITS_PER_TICK);
    s.pending = null;
    s.idleTicks = 0;
    liveness.forget(s.id);
    checker.onRestart(s.id);
    record("node " + s.id + " started at term " + s.node.term());
  }

  private void partitionRandom() {
    partitionOf.clear();
    List<Long> ids = new ArrayList<>(servers.keySet());
    int groups = 2 + rnd.nextInt(2);
    for (long id : ids) {
      partitionOf.put(id, rnd.nextInt(groups));
    }
    report.partitions++;
    record("network partitioned " + partitionOf);
  }

  private void membershipChange() {
    SimServer leader = leader();
    if (leader == null) {
      return;
    }
    Membership m = leader.node.membership();
    ConfigChange change;
    double r = rnd.nextDouble();
    if (!m.learners().isEmpty() && m.voters().size() < options.maxVoters() && r < 0.5) {
      change = ConfigChange.promote(pick(m.learners()));
    } else if (r < 0.7 && servers.size() < options.voters() + options.spareServers()) {
      long newId = servers.size() + 1;
      SimServer fresh = new SimServer(newId, PersistentState.joining());
      servers.put(newId, fresh);
      start(fresh);
      change = ConfigChange.addLearner(newId);
    } else if (m.voters().size() > 3 || (!m.learners().isEmpty() && r < 0.85)) {
      Set<Long> candidates = m.voters().size() > 3 ? m.voters() : m.learners();
      change = ConfigChange.remove(pick(candidates));
    } else {
      return;
    }
    try {
      leader.node.proposeConfigChange(change);
      report.configChanges++;
      record("leader " + leader.id + " proposed " + change);
    } catch (RaftException | IllegalArgumentException e) {
      // Pending change, no commit in this term yet, or the change no longer fits: a client would retry.
    }
  }

  private void transferLeadership() {
    SimServer leader = leader();
    if (leader == null) {
      return;
    }
    Set<Long> voters = leader.node.membership().voters();
    long target = pick(voters);
    try {
      leader.node.transferLeadership(target);
      report.transfers++;
      record("leader " + leader.id + " transfers leadership to " + target);
    } catch (RaftException | IllegalArgumentException e) {
      // not a voter any more, or leadership lost: nothing to do
    }
  }

  private void compactRandom() {
    SimServer s = randomLive();
    if (s == null || s.pending != null) {
      return;
    }
    long applied = s.stateMachine.appliedIndex;
    if (applied <= s.disk.snapshot.index() + 2) {
      return;
    }
    long index = applied - rnd.nextInt(3);
    Snapshot snap = s.node.compact(index, s.stateMachine.snapshot(index));
    if (snap == null) {
      return; // a snapshot from the leader is on its way to this server's state machine
    }
    s.disk.compact(snap);
    report.compactions++;
  }

  private void readRandom() {
    SimServer s = randomLive();
    if (s == null) {
      return;
    }
    try {
      long readId = nextReadId++;
      s.node.readIndex(ByteBuffer.allocate(16).putLong(s.id).putLong(readId).array());
      readRequestedAt.put(readId, checker.maxCommitted);
      report.readsRequested++;
    } catch (NotLeaderException e) {
      // no leader known
    }
  }

  private void stopFaults() {
    faultsOn = false;
    partitionOf.clear();
    for (SimServer s : servers.values()) {
      if (s.node == null && !retired.contains(s.id)) {
        start(s);
      }
    }
    record("faults stopped; all servers up, network healed");
  }

  /** After the faults: keep re-proposing what clients still wait for, through the leader. */
  private void livenessClient() {
    if (time % (3 * UNITS_PER_TICK) != 0 || pendingProposals.isEmpty()) {
      return;
    }
    SimServer leader = leader();
    if (leader == null) {
      return;
    }
    for (long pid : new ArrayList<>(pendingProposals.keySet())) {
      if (firstAppliedAt.containsKey(pid)) {
        pendingProposals.remove(pid);
        continue;
      }
      // Like a client with a per-request timeout: retry when the leader changed or the last try timed out.
      long[] last = lastRetry.get(pid);
      if (last == null || last[0] != leader.node.term() || time - last[1] > 3L * options.electionTicks() * UNITS_PER_TICK) {
        lastRetry.put(pid, new long[] {leader.node.term(), time});
        propose(leader, pid);
      }
    }
  }

  private boolean converged() {
    SimServer leader = leader();
    if (leader == null || !pendingProposals.isEmpty()) {
      return false;
    }
    long commit = leader.node.status().commitIndex();
    if (commit < leader.node.status().lastIndex()) {
      return false;
    }
    for (long member : leader.node.membership().members()) {
      SimServer s = servers.get(member);
      if (s == null || s.node == null || s.stateMachine.appliedIndex < commit) {
        return false;
      }
    }
    return true;
  }

  private String livenessDiagnosis() {
    StringBuilder sb = new StringBuilder();
    SimServer leader = leader();
    sb.append("leader=").append(leader == null ? "none" : leader.id).append(", waiting proposals=")
        .append(pendingProposals.size());
    for (SimServer s : servers.values()) {
      sb.append("\n    node ").append(s.id).append(": ")
          .append(s.node == null ? "down" : s.node.status() + " applied=" + s.stateMachine.appliedIndex);
    }
    return sb.toString();
  }

  private void checkAcknowledgedDurable() {
    SimServer leader = leader();
    for (Map.Entry<Long, Long> ack : ackedAt.entrySet()) {
      long pid = ack.getKey();
      long index = ack.getValue();
      Long applied = checker.appliedRecord().get(index);
      for (long member : leader.node.membership().members()) {
        SimServer s = servers.get(member);
        if (s.stateMachine.appliedIndex < index) {
          throw new InvariantViolation(seed, "durability of acknowledged proposals", "proposal " + pid
              + " acknowledged at index " + index + " but node " + member + " applied only up to "
              + s.stateMachine.appliedIndex, traceTail());
        }
        Entry inLog = s.node.entryAt(index);
        if (inLog != null && SimStateMachine.proposalId(inLog) != pid) {
          throw new InvariantViolation(seed, "durability of acknowledged proposals", "proposal " + pid
              + " was acknowledged at index " + index + " but node " + member + " holds " + inLog, traceTail());
        }
        if (applied == null || s.stateMachine.fingerprintAt(index) != applied) {
          throw new InvariantViolation(seed, "durability of acknowledged proposals", "node " + member
              + " applied something else than acknowledged proposal " + pid + " at index " + index, traceTail());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private SimServer leader() {
    SimServer best = null;
    for (SimServer s : servers.values()) {
      if (s.node != null && s.node.role() == Role.LEADER && (best == null || s.node.term() > best.node.term())) {
        best = s;
      }
    }
    return best;
  }

  private SimServer randomLive() {
    List<SimServer> live = new ArrayList<>();
    for (SimServer s : servers.values()) {
      if (s.node != null) {
        live.add(s);
      }
    }
    return live.isEmpty() ? null : live.get(rnd.nextInt(live.size()));
  }

  private List<RaftNode> liveNodes() {
    List<RaftNode> live = new ArrayList<>();
    for (SimServer s : servers.values()) {
      if (s.node != null) {
        live.add(s.node);
      }
    }
    return live;
  }

  private long pick(Set<Long> ids) {
    List<Long> list = new ArrayList<>(ids);
    return list.get(rnd.nextInt(list.size()));
  }

  private static Set<Long> ids(long from, long to) {
    Set<Long> out = new HashSet<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  private void record(String event) {
    String line = "t=" + time / UNITS_PER_TICK + "." + time % UNITS_PER_TICK + " " + event;
    if (VERBOSE) {
      System.out.println(line);
    }
    trace.addLast(line);
    if (trace.size() > 40) {
      trace.removeFirst();
    }
  }

  private String traceTail() {
    StringBuilder sb = new StringBuilder();
    for (String line : trace) {
      sb.append("    ").append(line).append('\n');
    }
    return sb.toString();
  }

  private record InFlight(long at, long seq, Message message) implements Comparable<InFlight> {
    @Override
    public int compareTo(InFlight o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  /** One simulated server: its disk survives crashes, everything else does not. */
  private static final class SimServer {
    final long id;
    final SimDisk disk;
    final SimStateMachine stateMachine = new SimStateMachine();
    final Map<Long, Long> proposedAt = new HashMap<>();
    RaftNode node;
    Ready pending;
    long persistDoneAt;
    long crashAt = -1;
    long lastCommit;
    int tickPhase;
    /** Ticks this server has been a leader able to quiesce. */
    int idleTicks;

    SimServer(long id, PersistentState initial) {
      this.id = id;
      this.disk = new SimDisk(initial);
    }
  }
}
