package io.raftoral.raft.sim;

import java.util.Random;

/**
 * The shape of one simulated scenario.
 *
 * @param voters initial voters (ids 1..voters)
 * @param spareServers servers that may be added later as learners and promoted
 * @param maxVoters upper bound of voters reached through promotions
 * @param chaosTicks ticks of faults and workload
 * @param livenessTicks ticks allowed, after faults stop, for a leader to emerge and all waiting proposals to commit
 * @param electionTicks election timeout of every server
 * @param dropRate probability that a message is lost during the chaos phase
 * @param duplicateRate probability that a message is delivered twice during the chaos phase
 * @param maxMessageDelay upper bound of message delay in time units (a tick is 10 units)
 * @param maxPersistDelay upper bound of the time a durable write takes, in time units
 * @param proposeRate probability per tick that a client proposes
 * @param maxInflight pipelining depth per follower
 * @param maxMessageBytes append size limit
 * @param faultRates per-tick probabilities of each fault and operation
 */
public record SimulationOptions(
    int voters,
    int spareServers,
    int maxVoters,
    int chaosTicks,
    int livenessTicks,
    int electionTicks,
    double dropRate,
    double duplicateRate,
    int maxMessageDelay,
    int maxPersistDelay,
    double proposeRate,
    int maxInflight,
    long maxMessageBytes,
    FaultRates faultRates) {

  /**
   * Per-tick probabilities during the chaos phase.
   *
   * @param crash crash a random live server
   * @param crashLeader crash the current leader (the Figure 8 pattern of §5.4.2)
   * @param restart restart a random crashed server
   * @param partition split the servers into two or three random groups
   * @param heal heal all partitions
   * @param membershipChange propose an add-learner, promote or remove through the leader
   * @param transfer ask the leader to transfer leadership
   * @param compact compact a random server's log
   * @param read issue a ReadIndex read on a random server
   * @param crashNewLeader probability (per election, not per tick) that a new leader crashes within two ticks
   * @param longDelay probability (per message) of an extra delay of up to half an election timeout
   * @param crashLeaderAfterCommit probability (per commit advance) that the leader crashes within a tick of it
   */
  public record FaultRates(double crash, double crashLeader, double restart, double partition, double heal,
      double membershipChange, double transfer, double compact, double read, double crashNewLeader,
      double longDelay, double crashLeaderAfterCommit) {

    public static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static final FaultRates MIXED =
        new FaultRates(0.01, 0.003, 0.03, 0.01, 0.015, 0.015, 0.01, 0.02, 0.02, 0.05, 0.02, 0.002);
  }

  /**
   * Options for a scripted run: no random faults and no random client, one entry per append and no pipelining,
   * short message delays. The script drives partitions, crashes and proposals itself.
   */
  public static SimulationOptions scripted(int voters) {
    return new SimulationOptions(voters, 0, voters, 0, 400, 10, 0, 0, 3, 2, 0, 1, 1, FaultRates.NONE);
  }

  /**
   * Options biased toward the scenario of §5.4.2 Figure 8: five voters, leaders that crash soon after election,
   * quick restarts, one entry per append so a new leader's old-term entries reach followers before its no-op.
   */
  public static SimulationOptions figure8Prone(long seed) {
    Random r = new Random(seed ^ 0xF16E8L);
    return new SimulationOptions(5, 0, 5, 400, 1000, 10, r.nextDouble() * 0.2, 0.0, 2 + r.nextInt(12),
        1 + r.nextInt(10), 0.5, 4, 1, new FaultRates(0.0, 0.02, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.2, 0.05));
  }

  /** Options drawn from {@code seed}: 1, 3 or 5 voters, varied loss, duplication, delay and load. */
  public static SimulationOptions randomFor(long seed) {
    Random r = new Random(seed ^ 0x5DEECE66DL);
    int[] sizes = {1, 3, 3, 3, 5, 5};
    int voters = sizes[r.nextInt(sizes.length)];
    return new SimulationOptions(
        voters,
        r.nextInt(3),
        5,
        300 + r.nextInt(300),
        400,
        10,
        r.nextDouble() * 0.2,
        r.nextDouble() * 0.1,
        2 + r.nextInt(25),
        1 + r.nextInt(10),
        0.3 + r.nextDouble() * 0.7,
        1 + r.nextInt(8),
        64 + r.nextInt(512),
        FaultRates.MIXED);
  }
}
