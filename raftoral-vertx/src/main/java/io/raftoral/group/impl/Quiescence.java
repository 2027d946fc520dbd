package io.raftoral.group.impl;

import io.raftoral.group.GroupEnvironment;
import io.raftoral.raft.Membership;
import io.raftoral.raft.RaftNode;

/**
 * Quiesces an idle group and wakes it when node-level liveness stops covering it, CockroachDB's scheme
 * ({@code Replica.maybeQuiesce}, unquiesce on node liveness loss); the Raft core only carries it out
 * ({@link RaftNode#quiesce()}, {@link RaftNode#wake()}).
 *
 * <p>A leader quiesces after {@code quiesceAfterTicks} ticks with nothing going on. A quiesced follower wakes as
 * soon as the leader's node is not heard within {@code livenessTicks} (then its election timer runs and it
 * campaigns as usual, §5.2); a quiesced leader wakes when a quorum of its voters' nodes is not heard, so that
 * CheckQuorum (thesis §6.2) can make it step down. {@code livenessTicks} is half an election timeout: a dead node is
 * noticed well before a follower's timer would have fired.
 *
 * <p>Confined to the group's context, except {@link #isQuiesced()}, which the host's ticker reads.
 */
final class Quiescence {

  private final GroupEnvironment env;
  private final long quiesceAfterTicks;
  private final long livenessTicks;
  private long idleTicks;
  private volatile boolean quiesced;

  Quiescence(GroupEnvironment env, long quiesceAfterTicks, long livenessTicks) {
    this.env = env;
    this.quiesceAfterTicks = quiesceAfterTicks;
    this.livenessTicks = livenessTicks;
  }

  /** Whether the core was quiesced when last looked at. Any thread. */
  boolean isQuiesced() {
    return quiesced;
  }

  /**
   * One tick of the group.
   *
   * @param quietLeader whether this node leads and has no request of its own pending
   * @return whether the group stays quiesced (the rest of the tick has nothing to do then)
   */
  boolean tick(RaftNode core, boolean quietLeader) {
    if (core.isQuiesced()) {
      idleTicks = 0;
      if (!covered(core)) {
        core.wake();
      }
    } else if (quietLeader && core.canQuiesce()) {
      if (++idleTicks >= quiesceAfterTicks) {
        idleTicks = 0;
        core.quiesce();
      }
    } else {
      idleTicks = 0;
    }
    return refresh(core);
  }

  /** Takes note of the core's state after it stepped or was asked something. */
  boolean refresh(RaftNode core) {
    quiesced = core.isQuiesced();
    return quiesced;
  }

  private boolean covered(RaftNode core) {
    if (!core.isLeader()) {
      long leader = core.leaderId();
      return leader != RaftNode.NONE && env.isNodeLive(leader, livenessTicks);
    }
    Membership m = core.membership();
    int live = 0;
    for (long voter : m.voters()) {
      if (env.isNodeLive(voter, livenessTicks)) {
        live++;
      }
    }
    return live >= m.quorum();
  }
}
