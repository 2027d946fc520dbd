package io.raftoral.raft.sim;

import io.raftoral.raft.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The situation of Figure 8 of the Raft paper (§5.4.2), driven step by step through the simulator so that every
 * invariant is checked along the way:
 *
 * <ol>
 *   <li>leader A of term t1 appends entry X at index j, replicated only to B (partition {A,B} | {C,D,E});
 *   <li>E wins term t2 in {C,D,E} and appends its no-op at index j, then is cut off before sending it;
 *   <li>A or B wins term t3 among {A,B,C,D} and starts replicating X to C and D, followed by its own no-op;
 *   <li>the moment that leader's commit index reaches j, {A,B} are cut off from {C,D,E}.
 * </ol>
 *
 * <p>A correct leader commits j only together with its no-op at j + 1, which then sits on C or D, so E can never
 * win afterwards. A leader that counts replicas of X (a term-t1 entry) toward commitment commits j while C and D
 * lack the no-op; E then wins with their votes and overwrites the committed X.
 */
public final class Figure8Script {

  private Figure8Script() {}

  /** Runs the script; throws {@link InvariantViolation} when a safety property fails. */
  public static void run(long seed, RaftNodeFactory factory) {
    Simulation sim = new Simulation(seed, SimulationOptions.scripted(5), factory);
    sim.startCluster();
    require(sim.runUntil(() -> sim.leaderId() != RaftNode.NONE, 200), "a first leader");
    long a = sim.leaderId();
    require(sim.runUntil(() -> allCaughtUp(sim, a), 100), "the first leader's no-op everywhere");
    List<Long> others = new ArrayList<>();
    for (long id = 1; id <= 5; id++) {
      if (id != a) {
        others.add(id);
      }
    }
    long b = others.get(0);
    Set<Long> cde = Set.of(others.get(1), others.get(2), others.get(3));

    sim.partition(Set.of(a, b), cde);
    sim.propose(a);
    long j = sim.node(a).status().lastIndex();
    require(sim.runUntil(() -> sim.node(b).status().lastIndex() >= j, 50), "X replicated to B");

    long t1 = sim.node(a).term();
    require(sim.runUntil(() -> leaderAmong(sim, cde, t1) != RaftNode.NONE, 300), "a leader of {C,D,E}");
    long e = leaderAmong(sim, cde, t1);
    long t2 = sim.node(e).term();
    List<Long> cd = new ArrayList<>(cde);
    cd.remove(e);
    sim.partition(Set.of(a, b, cd.get(0), cd.get(1)));

    require(sim.runUntil(() -> leaderAmong(sim, Set.of(a, b), t2) != RaftNode.NONE, 400), "a leader of {A,B,C,D}");
    long leader = leaderAmong(sim, Set.of(a, b), t2);
    require(sim.runUntil(() -> sim.node(leader) == null || sim.node(leader).status().commitIndex() >= j, 100),
        "index j committed");
    sim.partition(Set.of(a, b), Set.of(cd.get(0), cd.get(1), e));
    sim.runUntil(() -> false, 300);
  }

  private static boolean allCaughtUp(Simulation sim, long leader) {
    long last = sim.node(leader).status().lastIndex();
    for (long id = 1; id <= 5; id++) {
      if (sim.node(id).status().commitIndex() < last) {
        return false;
      }
    }
    return true;
  }

  private static long leaderAmong(Simulation sim, Set<Long> ids, long aboveTerm) {
    for (long id : ids) {
      RaftNode n = sim.node(id);
      if (n != null && n.isLeader() && n.term() > aboveTerm) {
        return id;
      }
    }
    return RaftNode.NONE;
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("script step did not happen: " + what);
    }
  }
}
