package io.raftoral.raft;

/**
 * The three decisions on which Raft's safety rests, kept apart so that tests can run the simulator against
 * deliberately broken variants and prove that its invariant checkers notice. Production code always uses
 * {@link #STANDARD}.
 */
interface SafetyRules {

  /** §5.4.1: grant a vote only to a candidate whose log is at least as up-to-date as ours. */
  boolean candidateLogUpToDate(long candidateLastTerm, long candidateLastIndex, long ourLastTerm, long ourLastIndex);

  /** §5.4.2: a leader commits by counting replicas only entries of its current term. */
  boolean mayCommitByCounting(long entryTerm, long currentTerm);

  /** §5.3: entries may be applied up to the commit index, never beyond. */
  long applyLimit(long commitIndex, long lastIndex);

  SafetyRules STANDARD = new SafetyRules() {
    @Override
    public boolean candidateLogUpToDate(long cTerm, long cIndex, long ourTerm, long ourIndex) {
      return cTerm > ourTerm || (cTerm == ourTerm && cIndex >= ourIndex);
    }

    @Override
    public boolean mayCommitByCounting(long entryTerm, long currentTerm) {
      return entryTerm == currentTerm;
    }

    @Override
    public long applyLimit(long commitIndex, long lastIndex) {
      return commitIndex;
    }
  };
}
