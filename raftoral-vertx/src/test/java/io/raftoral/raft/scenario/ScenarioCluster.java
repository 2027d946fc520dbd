package io.raftoral.raft.scenario;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Message;
import io.raftoral.raft.MessageType;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.RaftConfig;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.ReadState;
import io.raftoral.raft.Ready;
import io.raftoral.raft.Role;
import io.raftoral.raft.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A synchronous, deterministic in-memory Raft cluster for scenario tests (in the spirit of MicroRaft's
 * {@code LocalRaftGroup}). No threads, no clock: time advances only through {@link #tick(long)} /
 * {@link #tickAll(int)}, messages move only through {@link #deliverAll()}.
 *
 * <p>Each server has an in-memory "disk" (hard state, snapshot, entries) written exactly as {@link Ready} prescribes,
 * an applied list (its state machine: the committed entries it applied, in order), and collected
 * {@link ReadState}s. The network is a FIFO queue with a firewall (blocked directed links), crash/restart, and an
 * optional interceptor that may drop ({@code null}) or rewrite any message at delivery time.
 *
 * <p>State Machine Safety is checked on every apply: two servers may never apply different entries at one index,
 * and a server applies indexes contiguously.
 */
public final class ScenarioCluster {

  public static final int ELECTION_TICKS = 10;
  public static final int HEARTBEAT_TICKS = 1;
  private static final int MAX_DELIVERY_ROUNDS = 10_000;

  /** One server: its node, its durable state and its state machine. */
  public final class Peer {
    final long id;
    final RaftConfig config;
    RaftNode node;
    // --- disk ---
    HardState hardState;
    Snapshot snapshot;
    final List<Entry> entries = new ArrayList<>();
    // --- state machine ---
    final List<Entry> applied = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    int snapshotsInstalled;
    // --- runtime ---
    boolean crashed;
    boolean slowDisk;
    Ready pendingReady;
    int incarnation;

    Peer(long id, RaftConfig config, PersistentState initial) {
      this.id = id;
      this.config = config;
      this.hardState = initial.hardState();
      this.snapshot = initial.snapshot();
      this.entries.addAll(initial.entries());
      this.node = new RaftNode(config, initial, new Random(seed * 1_000_003L + id));
    }

    PersistentState persisted() {
      return new PersistentState(hardState, snapshot, entries);
    }
  }

  private final long seed;
  private final UnaryOperator<RaftConfig> configurer;
  private final Map<Long, Peer> peers = new TreeMap<>();
  private final Deque<Message> queue = new ArrayDeque<>();
  private final List<Message> sent = new ArrayList<>();
  private final List<Message> delivered = new ArrayList<>();
  private final Set<List<Long>> blocked = new HashSet<>();
  private UnaryOperator<Message> interceptor = UnaryOperator.identity();
  /** What was applied at each index, by whichever server applied it first (State Machine Safety check). */
  private final Map<Long, Entry> appliedAt = new TreeMap<>();

  private ScenarioCluster(long seed, UnaryOperator<RaftConfig> configurer) {
    this.seed = seed;
    this.configurer = configurer;
  }

  /** {@code n} founding voters 1..n with default settings (PreVote and CheckQuorum on). */
  public static ScenarioCluster create(int n) {
    return create(n, 42, c -> c);
  }

  public static ScenarioCluster create(int n, long seed) {
    return create(n, seed, c -> c);
  }

  /**
   * {@code n} founding voters 1..n; {@code configurer} may change every server's {@link RaftConfig} (it is called
   * with a config whose id, election and heartbeat ticks are already set).
   */
  public static ScenarioCluster create(int n, long seed, UnaryOperator<RaftConfig> configurer) {
    ScenarioCluster c = new ScenarioCluster(seed, configurer);
    Set<Long> voters = new HashSet<>();
    for (long id = 1; id <= n; id++) {
      voters.add(id);
    }
    Membership initial = new Membership(voters, Set.of());
    for (long id = 1; id <= n; id++) {
      c.peers.put(id, c.new Peer(id, c.configFor(id, configurer), PersistentState.bootstrap(initial)));
    }
    c.deliverAll(); // apply the bootstrap configuration entries, if any
    return c;
  }

  private RaftConfig configFor(long id, UnaryOperator<RaftConfig> cfg) {
    RaftConfig base = new RaftConfig(id).setElectionTicks(ELECTION_TICKS).setHeartbeatTicks(HEARTBEAT_TICKS);
    return cfg.apply(base);
  }

  /** Starts a new, empty server {@code id} that waits to be added to the cluster (e.g. as a learner). */
  public RaftNode addNode(long id) {
    return addNode(id, configurer);
  }

  public RaftNode addNode(long id, UnaryOperator<RaftConfig> cfg) {
    if (peers.containsKey(id)) {
      throw new IllegalArgumentException("node " + id + " exists");
    }
    Peer p = new Peer(id, configFor(id, cfg), PersistentState.joining());
    peers.put(id, p);
    return p.node;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Accessors
  // -------------------------------------------------------------------------------------------------------------

  public RaftNode node(long id) {
    return peer(id).node;
  }

  public Collection<Long> ids() {
    return List.copyOf(peers.keySet());
  }

  Peer peer(long id) {
    Peer p = peers.get(id);
    if (p == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return p;
  }

  /** The entries node {@code id} has applied, in order (restored from snapshots where it installed one). */
  public List<Entry> applied(long id) {
    return List.copyOf(peer(id).applied);
  }

  /** The payloads (UTF-8) of the non-empty normal entries node {@code id} applied. */
  public List<String> appliedData(long id) {
    return peer(id).applied.stream()
        .filter(e -> e.type() == EntryType.NORMAL && e.data().length > 0)
        .map(e -> new String(e.data(), StandardCharsets.UTF_8))
        .collect(Collectors.toList());
  }

  public long lastApplied(long id) {
    List<Entry> a = peer(id).applied;
    return a.isEmpty() ? peer(id).snapshot.index() : a.get(a.size() - 1).index();
  }

  public List<ReadState> readStates(long id) {
    return List.copyOf(peer(id).readStates);
  }

  /** The entries on node {@code id}'s disk. */
  public List<Entry> diskEntries(long id) {
    return List.copyOf(peer(id).entries);
  }

  public HardState diskHardState(long id) {
    return peer(id).hardState;
  }

  public Snapshot diskSnapshot(long id) {
    return peer(id).snapshot;
  }

  /** How many snapshots node {@code id} received from a leader and installed (via Ready.snapshot). */
  public int snapshotsInstalled(long id) {
    return peer(id).snapshotsInstalled;
  }

  public boolean isCrashed(long id) {
    return peer(id).crashed;
  }

  /** Live leaders (more than one only if one is a stale leader of an older term). */
  public List<Long> leaders() {
    List<Long> out = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (!p.crashed && p.node.isLeader()) {
        out.add(p.id);
      }
    }
    return out;
  }

  /** The live leader of the highest term, or {@link RaftNode#NONE}. */
  public long leader() {
    long best = RaftNode.NONE;
    long bestTerm = -1;
    for (Peer p : peers.values()) {
      if (!p.crashed && p.node.isLeader() && p.node.term() > bestTerm) {
        best = p.id;
        bestTerm = p.node.term();
      }
    }
    return best;
  }

  /** Every message any node handed to the network (before firewall and interceptor), in order. */
  public List<Message> sent() {
    return List.copyOf(sent);
  }

  /** Every message actually stepped into a node, in order. */
  public List<Message> delivered() {
    return List.copyOf(delivered);
  }

  public long countSent(Predicate<Message> p) {
    return sent.stream().filter(p).count();
  }

  public long countDelivered(Predicate<Message> p) {
    return delivered.stream().filter(p).count();
  }

  public void clearMessageLog() {
    sent.clear();
    delivered.clear();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Client operations
  // -------------------------------------------------------------------------------------------------------------

  /** Proposes {@code data} (UTF-8) on node {@code id}; returns what {@link RaftNode#propose} returns. */
  public long propose(long id, String data) {
    return node(id).propose(data.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Time and delivery
  // -------------------------------------------------------------------------------------------------------------

  /** One tick on node {@code id} (no delivery). */
  public void tick(long id) {
    Peer p = peer(id);
    if (!p.crashed) {
      p.node.tick();
    }
  }

  /** {@code rounds} times: tick every live node once, then {@link #deliverAll()}. */
  public void tickAll(int rounds) {
    for (int i = 0; i < rounds; i++) {
      for (Peer p : peers.values()) {
        if (!p.crashed) {
          p.node.tick();
        }
      }
      deliverAll();
    }
  }

  /** Ticks all nodes round by round until {@code done} holds; returns the rounds used, or -1 after {@code max}. */
  public int tickAllUntil(BooleanSupplier done, int max) {
    for (int i = 0; i < max; i++) {
      if (done.getAsBoolean()) {
        return i;
      }
      tickAll(1);
    }
    return done.getAsBoolean() ? max : -1;
  }

  /** Ticks only node {@code id} until {@code done} holds (no delivery); returns the ticks used, or -1. */
  public int tickUntil(long id, BooleanSupplier done, int max) {
    for (int i = 0; i < max; i++) {
      if (done.getAsBoolean()) {
        return i;
      }
      tick(id);
    }
    return done.getAsBoolean() ? max : -1;
  }

  /**
   * Makes node {@code id} campaign by ticking it alone until it leaves the follower role, then delivers everything.
   *
   * @return whether it became leader
   */
  public boolean elect(long id) {
    RaftNode n = node(id);
    int used = tickUntil(id, () -> n.role() != Role.FOLLOWER, 4 * ELECTION_TICKS);
    if (used < 0) {
      throw new AssertionError("node " + id + " did not campaign within " + 4 * ELECTION_TICKS + " ticks");
    }
    deliverAll();
    return node(id).isLeader();
  }

  /**
   * Ticks only node {@code id}, delivering everything after each tick, until it leads.
   *
   * @return whether it became leader within {@code maxTicks}
   */
  public boolean campaignUntilLeader(long id, int maxTicks) {
    for (int i = 0; i < maxTicks && !node(id).isLeader(); i++) {
      tick(id);
      deliverAll();
    }
    return node(id).isLeader();
  }

  /** Handles every node's Ready (except slow disks' pending ones). Returns whether any was handled. */
  public boolean processReadies() {
    boolean any = false;
    for (Peer p : peers.values()) {
      if (!p.crashed && p.pendingReady == null && p.node.hasReady()) {
        handleReady(p);
        any = true;
      }
    }
    return any;
  }

  /**
   * Until quiescent: handle every node's Ready, then deliver the queued messages (FIFO). Returns the number of
   * messages stepped into nodes.
   */
  public int deliverAll() {
    int steps = 0;
    for (int round = 0; round < MAX_DELIVERY_ROUNDS; round++) {
      boolean any = processReadies();
      if (queue.isEmpty()) {
        if (!any) {
          return steps;
        }
        continue;
      }
      int batch = queue.size();
      for (int i = 0; i < batch; i++) {
        if (deliverOne(queue.pollFirst())) {
          steps++;
        }
      }
    }
    throw new AssertionError("no quiescence after " + MAX_DELIVERY_ROUNDS + " delivery rounds");
  }

  /** Puts a message on the network as if a node had sent it (it still passes firewall and interceptor). */
  public void inject(Message m) {
    sent.add(m);
    queue.addLast(m);
  }

  /** Delivers {@code m} straight into its recipient (no firewall, no interceptor), then nothing else. */
  public void stepDirect(Message m) {
    Peer to = peer(m.to());
    delivered.add(m);
    to.node.step(m);
  }

  private boolean deliverOne(Message m) {
    Peer to = peers.get(m.to());
    if (to == null || to.crashed || blocked.contains(List.of(m.from(), m.to()))) {
      return false;
    }
    Message out = interceptor.apply(m);
    if (out == null) {
      return false;
    }
    delivered.add(out);
    to.node.step(out);
    return true;
  }

  private void send(List<Message> ms) {
    for (Message m : ms) {
      sent.add(m);
      queue.addLast(m);
    }
  }

  private void handleReady(Peer p) {
    Ready r = p.node.ready();
    send(r.messages());
    p.pendingReady = r;
    if (!p.slowDisk) {
      completeReady(p);
    }
  }

  /** The rest of the Ready contract once the write is durable: persist, send, apply, advance. */
  private void completeReady(Peer p) {
    Ready r = p.pendingReady;
    p.pendingReady = null;
    // 1. persist: snapshot, then entries (replacing from the first one's index), then hard state.
    if (r.snapshot() != null) {
      p.snapshot = r.snapshot();
      p.entries.clear();
    }
    if (!r.entries().isEmpty()) {
      long first = r.entries().get(0).index();
      p.entries.removeIf(e -> e.index() >= first);
      long expected = p.snapshot.index() + p.entries.size() + 1;
      if (first != expected) {
        throw new AssertionError("node " + p.id + ": Ready entries start at " + first + " but disk expects " + expected);
      }
      p.entries.addAll(r.entries());
    }
    if (r.hardState() != null) {
      p.hardState = r.hardState();
    }
    // 2. messages that promise durability.
    send(r.messagesAfterPersist());
    // 3. state machine.
    if (r.snapshot() != null) {
      p.applied.clear();
      p.applied.addAll(decodeApplied(r.snapshot().data()));
      p.snapshotsInstalled++;
      long last = p.applied.isEmpty() ? 0 : p.applied.get(p.applied.size() - 1).index();
      if (last != r.snapshot().index() && !(p.applied.isEmpty() && r.snapshot().index() == 0)) {
        throw new AssertionError("node " + p.id + ": snapshot " + r.snapshot() + " restores state up to " + last);
      }
      p.applied.forEach(this::checkApplied);
    }
    for (Entry e : r.committedEntries()) {
      long expected = (p.applied.isEmpty() ? p.snapshot.index() : p.applied.get(p.applied.size() - 1).index()) + 1;
      if (e.index() != expected) {
        throw new AssertionError("node " + p.id + " applies " + e + " but next expected index is " + expected);
      }
      checkApplied(e);
      p.applied.add(e);
    }
    p.readStates.addAll(r.readStates());
    p.node.advance();
  }

  private void checkApplied(Entry e) {
    Entry before = appliedAt.putIfAbsent(e.index(), e);
    if (before != null && !before.equals(e)) {
      throw new AssertionError("State Machine Safety violated at index " + e.index() + ": " + before + " vs " + e);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Disk
  // -------------------------------------------------------------------------------------------------------------

  /** Node {@code id} now hands out Readys but does not finish writing them until {@link #flushDisk(long)}. */
  public void setSlowDisk(long id, boolean slow) {
    peer(id).slowDisk = slow;
  }

  /** Finishes node {@code id}'s pending Ready (persist, send after-persist messages, apply, advance). */
  public void flushDisk(long id) {
    Peer p = peer(id);
    if (p.pendingReady != null) {
      completeReady(p);
    }
  }

  public boolean hasPendingReady(long id) {
    return peer(id).pendingReady != null;
  }

  /**
   * Compacts node {@code id}'s log up to {@code index}: the snapshot data is its applied list up to there; the
   * disk keeps the snapshot and only the entries after it.
   */
  public Snapshot compact(long id, long index) {
    Peer p = peer(id);
    List<Entry> upTo = p.applied.stream().filter(e -> e.index() <= index).collect(Collectors.toList());
    if (upTo.isEmpty() || upTo.get(upTo.size() - 1).index() != index) {
      throw new IllegalArgumentException("node " + id + " has not applied " + index);
    }
    Snapshot s = p.node.compact(index, encodeApplied(upTo));
    p.snapshot = s;
    p.entries.removeIf(e -> e.index() <= index);
    return s;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Faults
  // -------------------------------------------------------------------------------------------------------------

  /** Cuts every link to and from {@code id}. */
  public void isolate(long id) {
    for (long other : peers.keySet()) {
      if (other != id) {
        blocked.add(List.of(id, other));
        blocked.add(List.of(other, id));
      }
    }
  }

  /**
   * Replaces the network topology: links inside a group work, links between groups (and from nodes in no group)
   * are cut. Earlier cuts are forgotten.
   */
  @SafeVarargs
  public final void partition(Set<Long>... groups) {
    blocked.clear();
    Map<Long, Integer> groupOf = new TreeMap<>();
    for (int g = 0; g < groups.length; g++) {
      for (long id : groups[g]) {
        groupOf.put(id, g);
      }
    }
    for (long a : peers.keySet()) {
      for (long b : peers.keySet()) {
        if (a != b) {
          Integer ga = groupOf.get(a);
          Integer gb = groupOf.get(b);
          if (ga == null || gb == null || !ga.equals(gb)) {
            blocked.add(List.of(a, b));
          }
        }
      }
    }
  }

  /** Cuts the directed link {@code from -> to}. */
  public void drop(long from, long to) {
    blocked.add(List.of(from, to));
  }

  /** Restores every link (crashed nodes stay crashed; the interceptor stays). */
  public void heal() {
    blocked.clear();
  }

  /** Drops ({@code null}) or rewrites messages at delivery time; identity to stop. */
  public void setInterceptor(UnaryOperator<Message> interceptor) {
    this.interceptor = interceptor == null ? UnaryOperator.identity() : interceptor;
  }

  /** Drops, at delivery time, every message matching {@code p}. */
  public void dropIf(Predicate<Message> p) {
    setInterceptor(m -> p.test(m) ? null : m);
  }

  public void clearInterceptor() {
    setInterceptor(null);
  }

  /** Stops node {@code id}: it loses its volatile state, its unfinished Ready, and the messages queued to it. */
  public void crash(long id) {
    Peer p = peer(id);
    p.crashed = true;
    p.pendingReady = null;
    queue.removeIf(m -> m.to() == id);
  }

  /** Restarts node {@code id} from its disk; its state machine is restored from the persisted snapshot. */
  public RaftNode restart(long id) {
    Peer p = peer(id);
    p.crashed = false;
    p.pendingReady = null;
    p.incarnation++;
    p.node = new RaftNode(p.config, p.persisted(), new Random(seed * 1_000_003L + id + 7919L * p.incarnation));
    p.applied.clear();
    p.applied.addAll(decodeApplied(p.snapshot.data()));
    p.readStates.clear();
    return p.node;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Snapshot data: the applied list
  // -------------------------------------------------------------------------------------------------------------

  static byte[] encodeApplied(List<Entry> applied) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bos);
      out.writeInt(applied.size());
      for (Entry e : applied) {
        out.writeLong(e.index());
        out.writeLong(e.term());
        out.writeByte(e.type().ordinal());
        out.writeInt(e.data().length);
        out.write(e.data());
      }
      out.flush();
      return bos.toByteArray();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static List<Entry> decodeApplied(byte[] data) {
    if (data.length == 0) {
      return List.of();
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      int n = in.readInt();
      List<Entry> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long index = in.readLong();
        long term = in.readLong();
        EntryType type = EntryType.values()[in.readByte()];
        byte[] d = new byte[in.readInt()];
        in.readFully(d);
        out.add(new Entry(index, term, type, d));
      }
      return out;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Message predicates
  // -------------------------------------------------------------------------------------------------------------

  public static Predicate<Message> type(MessageType t) {
    return m -> m.type() == t;
  }

  public static Predicate<Message> from(long id) {
    return m -> m.from() == id;
  }

  public static Predicate<Message> to(long id) {
    return m -> m.to() == id;
  }

  public static Predicate<Message> carriesEntries() {
    return m -> !m.entries().isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ScenarioCluster{\n");
    for (Peer p : peers.values()) {
      sb.append("  ").append(p.crashed ? "CRASHED " : "").append(p.node.status()).append('\n');
    }
    return sb.append("}").toString();
  }

  /** Short description of each node's log for assertion messages. */
  public String describeLogs() {
    StringBuilder sb = new StringBuilder();
    for (Peer p : peers.values()) {
      sb.append(p.id).append(": snap=").append(p.snapshot.index()).append(" ")
          .append(p.entries.stream().map(e -> e.index() + "@" + e.term()).collect(Collectors.joining(",")))
          .append('\n');
    }
    return sb.toString();
  }
}
