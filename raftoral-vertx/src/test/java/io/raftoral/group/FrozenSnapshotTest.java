package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Snapshots of a state machine that freezes ({@link StateMachine#freeze()}) are streamed by a worker while the group
 * goes on applying commands; a node killed while its worker streams restarts from what is durable (its previous
 * snapshot and log), catches up, and snapshots again.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FrozenSnapshotTest {

  private static final long GROUP = 6;
  private static final long WAIT = 30_000;
  private static final int EVERY = 10;

  private final Map<Long, GatedMachine> machines = new HashMap<>();

  @Test
  void aNodeKilledWhileAWorkerStreamsItsSnapshotRestartsFromWhatIsDurable(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    CountDownLatch gate = new CountDownLatch(1);
    long[] firstIndexWhileStreaming = new long[1];
    c.startNodes(1, 2, 3)
        .compose(v -> Future.all(start(c, 1, gate, 1, 2, 3), start(c, 2, null, 1, 2, 3), start(c, 3, null, 1, 2, 3)))
        .compose(v -> c.awaitLeader(GROUP, WAIT))
        .compose(leader -> proposeAll(c, "a", EVERY + 2))
        .compose(v -> c.await(() -> machines.get(1L).freezes >= 1, WAIT, "node 1 freezing its state"))
        .compose(v -> proposeAll(c, "b", 2 * EVERY)) // applied on node 1 while its worker is held at the gate
        .compose(v -> c.await(() -> machines.get(1L).count == 3 * EVERY + 2, WAIT, "node 1 applying meanwhile"))
        .compose(v -> {
          firstIndexWhileStreaming[0] = c.group(1, GROUP).status().firstIndex();
          return c.kill(1);
        })
        .compose(v -> {
          gate.countDown(); // the worker of the killed node finishes writing into a store that crashed
          return c.restart(1);
        })
        .compose(h -> start(c, 1, null))
        .compose(g -> proposeAll(c, "c", 2 * EVERY))
        .compose(v -> c.await(() -> machines.get(1L).count == 5 * EVERY + 2
            && machines.get(1L).hash == machines.get(2L).hash, WAIT, "node 1 caught up after its restart"))
        .compose(v -> c.await(() -> c.group(1, GROUP).status().firstIndex() > firstIndexWhileStreaming[0], WAIT,
            "node 1 compacting its log again"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(firstIndexWhileStreaming[0]).as("no compaction while the snapshot streamed").isEqualTo(1);
          assertThat(machines.get(1L).writes).as("the restarted node's snapshots were written").isPositive();
          c.close().onComplete(x -> ctx.completeNow());
        })));
  }

  private Future<RaftGroup<String, Long>> start(LocalRaftCluster c, long id, CountDownLatch gate, long... members) {
    GatedMachine machine = new GatedMachine(gate);
    machines.put(id, machine);
    RaftGroupOptions options = RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(EVERY)
        .setSnapshotLogRatio(0);
    return c.startGroupOn(id, GROUP, options, machine, CommandCodec.utf8(), members);
  }

  private Future<Void> proposeAll(LocalRaftCluster c, String prefix, int count) {
    return c.proposeInOrder(GROUP, IntStream.range(0, count).mapToObj(i -> prefix + i).toList(), WAIT);
  }

  /** A count and a running hash of the commands; its frozen images wait at a gate (when given) before writing. */
  private static final class GatedMachine implements StateMachine<String, Long> {
    private final CountDownLatch gate;
    volatile long count;
    volatile long hash;
    volatile int freezes;
    volatile int writes;

    GatedMachine(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public Long apply(long index, String command) {
      hash = hash * 31 + command.hashCode();
      count = count + 1;
      return count;
    }

    @Override
    public FrozenSnapshot freeze() {
      long frozenCount = count;
      long frozenHash = hash;
      freezes = freezes + 1;
      return out -> {
        if (gate != null) {
          try {
            gate.await(WAIT, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted at the gate", e);
          }
        }
        write(out, frozenCount, frozenHash);
        writes = writes + 1;
      };
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      write(out, count, hash);
    }

    private static void write(OutputStream out, long count, long hash) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(count);
      data.writeLong(hash);
      data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      count = data.readLong();
      hash = data.readLong();
    }
  }
}
