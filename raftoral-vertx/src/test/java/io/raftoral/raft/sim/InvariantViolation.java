package io.raftoral.raft.sim;

/** A safety or liveness property failed in a simulation run. The message names the seed to replay. */
public final class InvariantViolation extends AssertionError {

  private final long seed;
  private final String invariant;

  public InvariantViolation(long seed, String invariant, String detail, String trace) {
    super("seed " + seed + ": " + invariant + " violated: " + detail
        + "\n  replay: run the same test with -Draftoral.sim.seed=" + seed + " (add -Draftoral.sim.verbose=true for every event)"
        + (trace.isEmpty() ? "" : "\n  last events:\n" + trace));
    this.seed = seed;
    this.invariant = invariant;
  }

  public long seed() {
    return seed;
  }

  /** Short name of the violated property, e.g. {@code "state machine safety"}. */
  public String invariant() {
    return invariant;
  }
}
