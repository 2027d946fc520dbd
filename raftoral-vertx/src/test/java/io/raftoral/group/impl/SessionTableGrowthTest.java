package io.raftoral.group.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.CommandCodec;
import io.raftoral.group.GroupEnvironment;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.StateMachine;
import io.raftoral.raft.Entry;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication table a group snapshots ({@link ProposalSessions}) after a long partition under load: it stops
 * growing, however long the run. Driven through {@link CommandApplier} with the log such a run produces.
 */
class SessionTableGrowthTest {

  private static final long GROUP = 1;
  private static final long THIS_NODE = 1;
  private static final long TERM = 1;
  /** Nodes that keep proposing through the partition, each as one session; every proposal of theirs commits. */
  private static final int STEADY_PROPOSERS = 3;
  /**
   * The node cut off from the leader on and off: one proposal in {@link #LOST_EVERY} times out and is never re-sent
   * (the caller gave up), and the node restarts (a new session) every {@link #RESTART_EVERY_ENTRIES} entries.
   */
  private static final int LOST_EVERY = 10;
  private static final long RESTART_EVERY_ENTRIES = 5_000;
  /** The run: a warm-up, then two equal phases whose table sizes are compared. */
  private static final long PHASE_ENTRIES = 150_000;
  private static final int PHASES = 3;
  private static final byte[] COMMAND = {1};

  @Test
  void theTableAndItsSnapshotStopGrowingAfterALongPartitionUnderLoad() {
    StateMachine<byte[], Void> nothing = new StateMachine<>() {
      @Override
      public Void apply(long index, byte[] command) {
        return null;
      }

      @Override
      public byte[] snapshot() {
        return new byte[0];
      }

      @Override
      public void restore(byte[] snapshot) {}
    };
    RaftGroupVerticle<byte[], Void> group = new RaftGroupVerticle<>(GROUP, offlineEnvironment(),
        new RaftGroupOptions(), nothing, CommandCodec.bytes(), null);
    ProposalRequests<Void> proposals = new ProposalRequests<>(group, null, 1);
    CommandApplier<byte[], Void> applier = new CommandApplier<>(GROUP, THIS_NODE, nothing, CommandCodec.bytes());

    Random random = new Random(7);
    long[] steadySessions = new long[STEADY_PROPOSERS];
    long[] steadySequences = new long[STEADY_PROPOSERS];
    for (int p = 0; p < STEADY_PROPOSERS; p++) {
      steadySessions[p] = random.nextLong();
    }
    long isolatedSession = random.nextLong();
    long isolatedSequence = 0;
    List<Integer> maxSnapshotBytesPerPhase = new ArrayList<>();
    int phaseMax = 0;
    long index = 0;
    long entries = PHASE_ENTRIES * PHASES;
    while (index < entries) {
      int proposer = (int) (index % (STEADY_PROPOSERS + 1));
      byte[] data;
      if (proposer < STEADY_PROPOSERS) {
        data = ProposalFrame.encode(proposer + 2, steadySessions[proposer], ++steadySequences[proposer], COMMAND);
      } else {
        if (++isolatedSequence % LOST_EVERY == 0) {
          ++isolatedSequence; // timed out during the partition: never in the log
        }
        data = ProposalFrame.encode(STEADY_PROPOSERS + 2, isolatedSession, isolatedSequence, COMMAND);
      }
      index++;
      applier.apply(Entry.normal(index, TERM, data), proposals);
      if (index % RESTART_EVERY_ENTRIES == 0) {
        phaseMax = Math.max(phaseMax, applier.snapshot().length);
        isolatedSession = random.nextLong();
        isolatedSequence = 0;
      }
      if (index % PHASE_ENTRIES == 0) {
        maxSnapshotBytesPerPhase.add(phaseMax);
        phaseMax = 0;
      }
    }
    assertThat(maxSnapshotBytesPerPhase.get(PHASES - 1)).as("largest snapshot of the last phase, by phase: "
        + maxSnapshotBytesPerPhase).isLessThanOrEqualTo(maxSnapshotBytesPerPhase.get(PHASES - 2));
  }

  /**
   * A group environment for a group that is never started: it only names this node; nothing is stored, sent or
   * counted (every other method answers null).
   */
  private static GroupEnvironment offlineEnvironment() {
    return (GroupEnvironment) Proxy.newProxyInstance(GroupEnvironment.class.getClassLoader(),
        new Class<?>[] {GroupEnvironment.class}, (proxy, method, args) -> switch (method.getName()) {
          case "nodeId" -> THIS_NODE;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "offline environment of node " + THIS_NODE;
          default -> null;
        });
  }
}
