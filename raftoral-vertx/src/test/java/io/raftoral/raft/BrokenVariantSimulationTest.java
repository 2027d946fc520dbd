package io.raftoral.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.sim.Figure8Script;
import io.raftoral.raft.sim.InvariantViolation;
import io.raftoral.raft.sim.RaftNodeFactory;
import io.raftoral.raft.sim.Simulation;
import org.junit.jupiter.api.Test;

/**
 * Proves that the simulator's checkers can fail: each test runs the simulation against a core with one safety rule
 * deliberately broken and requires that some seed reports a violation. A checker that never fires would make
 * {@link RaftSimulationTest} worthless.
 */
class BrokenVariantSimulationTest {

  private static final int MAX_SEEDS = 3000;

  /**
   * §5.4.2 / Figure 8: counting replicas of a previous-term entry toward commitment. Random runs rarely line up
   * the five events this bug needs, so the simulator is driven through them by {@link Figure8Script}.
   */
  @Test
  void brokenVariantCommittingPreviousTermEntriesByCountingIsCaught() {
    SafetyRules broken = new SafetyRules() {
      @Override
      public boolean candidateLogUpToDate(long cTerm, long cIndex, long ourTerm, long ourIndex) {
        return STANDARD.candidateLogUpToDate(cTerm, cIndex, ourTerm, ourIndex);
      }

      @Override
      public boolean mayCommitByCounting(long entryTerm, long currentTerm) {
        return true;
      }

      @Override
      public long applyLimit(long commitIndex, long lastIndex) {
        return commitIndex;
      }
    };
    RaftNodeFactory factory = (config, state, random) -> new RaftNode(config, state, random, broken);
    assertThatThrownBy(() -> Figure8Script.run(1, factory))
        .isInstanceOf(InvariantViolation.class)
        .satisfies(t -> System.out.println("broken variant caught: " + t.getMessage().lines().findFirst().orElse("")))
        .extracting(t -> ((InvariantViolation) t).invariant())
        .isIn("leader completeness", "commit agreement", "state machine safety");
  }

  /** §5.4.1: granting votes without the election restriction (log up-to-date check). */
  @Test
  void brokenVariantVotingWithoutUpToDateCheckIsCaught() {
    InvariantViolation v = firstViolation(new SafetyRules() {
      @Override
      public boolean candidateLogUpToDate(long cTerm, long cIndex, long ourTerm, long ourIndex) {
        return true;
      }

      @Override
      public boolean mayCommitByCounting(long entryTerm, long currentTerm) {
        return entryTerm == currentTerm;
      }

      @Override
      public long applyLimit(long commitIndex, long lastIndex) {
        return commitIndex;
      }
    });
    assertThat(v).as("a violation for the missing election restriction").isNotNull();
  }

  /** §5.3: applying entries before they are committed. */
  @Test
  void brokenVariantApplyingUncommittedEntriesIsCaught() {
    InvariantViolation v = firstViolation(new SafetyRules() {
      @Override
      public boolean candidateLogUpToDate(long cTerm, long cIndex, long ourTerm, long ourIndex) {
        return STANDARD.candidateLogUpToDate(cTerm, cIndex, ourTerm, ourIndex);
      }

      @Override
      public boolean mayCommitByCounting(long entryTerm, long currentTerm) {
        return entryTerm == currentTerm;
      }

      @Override
      public long applyLimit(long commitIndex, long lastIndex) {
        return lastIndex;
      }
    });
    assertThat(v).as("a violation for applying uncommitted entries").isNotNull();
  }

  private static InvariantViolation firstViolation(SafetyRules broken) {
    RaftNodeFactory factory = (config, state, random) -> new RaftNode(config, state, random, broken);
    for (long seed = 1; seed <= MAX_SEEDS; seed++) {
      try {
        Simulation.randomized(seed, factory).run();
      } catch (InvariantViolation v) {
        System.out.println("broken variant caught at seed " + seed + ": " + v.invariant() + " ("
            + v.getMessage().lines().limit(12).reduce("", (a, b) -> a + "\n" + b) + ")");
        return v;
      }
    }
    return null;
  }
}
