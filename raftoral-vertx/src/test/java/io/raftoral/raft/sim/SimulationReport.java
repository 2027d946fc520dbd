package io.raftoral.raft.sim;

/** What happened in one simulation run, for sanity checks that the scenario exercised something. */
public final class SimulationReport {
  public long ticks;
  public long committed;
  public int proposals;
  public int acknowledged;
  public int leadersElected;
  public int crashes;
  public int partitions;
  public int configChanges;
  public int transfers;
  public int compactions;
  public int snapshotsInstalled;
  public int readsRequested;
  public int readsServed;
  /** Times a leader quiesced its group (quiescing scenarios only). */
  public int quiescences;
  /** Crashes and isolations of a leader while it was quiesced. */
  public int quiescedLeaderFaults;
  /** Quiesced servers woken because node-level liveness stopped vouching for the leader or a quorum. */
  public int livenessWakes;

  /** Adds {@code other}'s counts to this one. */
  public void add(SimulationReport o) {
    ticks += o.ticks;
    committed += o.committed;
    proposals += o.proposals;
    acknowledged += o.acknowledged;
    leadersElected += o.leadersElected;
    crashes += o.crashes;
    partitions += o.partitions;
    configChanges += o.configChanges;
    transfers += o.transfers;
    compactions += o.compactions;
    snapshotsInstalled += o.snapshotsInstalled;
    readsRequested += o.readsRequested;
    readsServed += o.readsServed;
    quiescences += o.quiescences;
    quiescedLeaderFaults += o.quiescedLeaderFaults;
    livenessWakes += o.livenessWakes;
  }

  @Override
  public String toString() {
    return "ticks=" + ticks + " committed=" + committed + " proposals=" + proposals + " acknowledged=" + acknowledged
        + " leaders=" + leadersElected + " crashes=" + crashes + " partitions=" + partitions
        + " configChanges=" + configChanges + " transfers=" + transfers + " compactions=" + compactions
        + " snapshotsInstalled=" + snapshotsInstalled + " reads=" + readsServed + "/" + readsRequested
        + " quiescences=" + quiescences + " quiescedLeaderFaults=" + quiescedLeaderFaults
        + " livenessWakes=" + livenessWakes;
  }
}
