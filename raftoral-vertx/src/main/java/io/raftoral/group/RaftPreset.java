package io.raftoral.group;

/**
 * Ready-made timing settings. The node ticker's interval comes with each preset ({@link #tickMillis()}); group
 * timeouts are in ticks.
 *
 * <ul>
 *   <li>{@link #DEVELOPMENT}: 50 ms ticks, elections after 0.5 to 1 s: quick feedback on a laptop;
 *   <li>{@link #TESTING}: 10 ms ticks, elections after 100 to 200 ms: fast failover in tests;
 *   <li>{@link #PRODUCTION}: 100 ms ticks, elections after 1 to 2 s: tolerant of GC pauses and busy machines.
 * </ul>
 */
public enum RaftPreset {
  DEVELOPMENT(50, 10, 1, 10_000, 5_000),
  TESTING(10, 10, 1, 1_000, 5_000),
  PRODUCTION(100, 10, 1, 100_000, 10_000);

  private final long tickMillis;
  private final int electionTicks;
  private final int heartbeatTicks;
  private final long snapshotEveryEntries;
  private final long requestTimeoutMillis;

  RaftPreset(long tickMillis, int electionTicks, int heartbeatTicks, long snapshotEveryEntries,
      long requestTimeoutMillis) {
    this.tickMillis = tickMillis;
    this.electionTicks = electionTicks;
    this.heartbeatTicks = heartbeatTicks;
    this.snapshotEveryEntries = snapshotEveryEntries;
    this.requestTimeoutMillis = requestTimeoutMillis;
  }

  /** The node ticker interval this preset's group timeouts are meant for. */
  public long tickMillis() {
    return tickMillis;
  }

  /** Group options with this preset's timeouts. */
  public RaftGroupOptions groupOptions() {
    return new RaftGroupOptions().setElectionTicks(electionTicks).setHeartbeatTicks(heartbeatTicks)
        .setSnapshotEveryEntries(snapshotEveryEntries).setRequestTimeoutMillis(requestTimeoutMillis);
  }
}
