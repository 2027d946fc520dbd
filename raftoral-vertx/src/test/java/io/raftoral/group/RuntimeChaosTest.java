package io.raftoral.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftoral.async.Bridge;
import io.raftoral.host.RaftHost;
import io.raftoral.testkit.LocalRaftCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runtime under seeded chaos (partitions, kills that lose unflushed writes, restarts on the stores) while
 * clients propose through random nodes: afterwards every replica holds the same commands, every acknowledged command
 * is there, and none was applied twice although proposals whose fate was unknown were re-sent.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RuntimeChaosTest {

  private static final long GROUP = 9;
  private static final long SEED = Long.getLong("raftoral.chaos.seed", 42L);
  private static final long CHAOS_MILLIS = Long.getLong("raftoral.chaos.millis", 6_000L);

  /** Counts how often each command was applied: any count above 1 is a duplicate application. */
  static final class CountingStateMachine implements StateMachine<String, Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    final TreeMap<String, Integer> counts = new TreeMap<>();

    @Override
    public Integer apply(long index, String command) {
      return counts.merge(command, 1, Integer::sum);
    }

    @Override
    public byte[] snapshot() {
      try {
        return JSON.writeValueAsBytes(counts);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void restore(byte[] snapshot) {
      try {
        counts.clear();
        counts.putAll(JSON.readValue(snapshot, new TypeReference<TreeMap<String, Integer>>() {}));
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  private final Map<Long, CountingStateMachine> machines = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  private Future<RaftGroup<String, Integer>> startGroup(LocalRaftCluster c, long id, boolean founding) {
    CountingStateMachine sm = new CountingStateMachine();
    machines.put(id, sm);
    RaftHost.GroupBuilder<String, Integer> b = c.node(id).host.group(GROUP, sm, CommandCodec.utf8())
        .options(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(50).setSnapshotLogRatio(0));
    if (founding) {
      b.members(1, 2, 3);
    }
    return b.start();
  }

  @Test
  void replicasConvergeWithEveryAcknowledgedCommandAppliedExactlyOnce(Vertx vertx, VertxTestContext ctx) {
    LocalRaftCluster c = new LocalRaftCluster(vertx);
    Random random = new Random(SEED);
    AtomicLong next = new AtomicLong();
    AtomicBoolean chaos = new AtomicBoolean(true);
    List<Long> down = new CopyOnWriteArrayList<>();
    c.startNodes(1, 2, 3)
        .compose(v -> Future.all(startGroup(c, 1, true), startGroup(c, 2, true), startGroup(c, 3, true)))
        .compose(v -> c.awaitLeader(GROUP, 10_000))
        .compose(v -> {
          // The drivers' timers live on a context of their own: timers set from a group's context would be
          // cancelled when the chaos kills that group's node.
          Promise<Void> chaosOver = Promise.promise();
          ((VertxInternal) vertx).createEventLoopContext()
              .runOnContext(x -> startDrivers(c, vertx, random, next, chaos, down, chaosOver));
          return chaosOver.future();
        })
        .compose(v -> {
          System.out.println("[RuntimeChaosTest] chaos over, down=" + down);
          chaos.set(false);
          c.heal();
          List<Future<?>> restarts = new ArrayList<>();
          for (long back : down) {
            restarts.add(c.restart(back).compose(h -> startGroup(c, back, false)));
          }
          down.clear();
          return Future.all(restarts);
        })
        .compose(v -> {
          System.out.println("[RuntimeChaosTest] restarted");
          return c.awaitLeader(GROUP, 20_000);
        })
        // A final command through the leader: once every replica applied it, they applied everything before it.
        .compose(leader -> Bridge.future(c.node(leader).host.<String, Integer>group(GROUP).propose("final", Duration.ofSeconds(10))))
        .compose(v -> c.await(() -> machines.values().stream().allMatch(m -> m.counts.containsKey("final")), 20_000,
            "every replica applying the final command"))
        // Proposals still pending when the chaos stopped are re-sent and may commit after the final command: wait
        // until the replicas agree (they must, eventually).
        .compose(v -> c.await(() -> machines.values().stream().map(m -> m.counts.size()).distinct().count() == 1
            && machines.values().stream().allMatch(m -> m.counts.equals(machines.get(1L).counts)), 20_000,
            "replicas agreeing"))
        .onFailure(e -> {
          for (long id : c.nodeIds()) {
            RaftGroup<String, Integer> g = c.node(id).isUp() ? c.node(id).host.group(GROUP) : null;
            System.out.println("[RuntimeChaosTest] node " + id + ": " + (g == null ? "down" : g.status())
                + " applied commands " + (machines.containsKey(id) ? machines.get(id).counts.size() : -1));
          }
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          TreeMap<String, Integer> reference = machines.get(1L).counts;
          for (Map.Entry<Long, CountingStateMachine> e : machines.entrySet()) {
            assertThat(e.getValue().counts.equals(reference)).as("replica %d equals replica 1", e.getKey()).isTrue();
            assertThat(e.getValue().counts.entrySet().stream().filter(x -> x.getValue() != 1).toList())
                .as("commands replica %d applied more than once", e.getKey()).isEmpty();
          }
          Set<String> missing = new TreeSet<>(acknowledged);
          missing.removeAll(reference.keySet());
          assertThat(missing).as("acknowledged commands that were not applied").isEmpty();
          System.out.printf("[RuntimeChaosTest] seed %d: %d commands issued, %d acknowledged, %d applied%n", SEED,
              next.get(), acknowledged.size(), reference.size() - 1);
          ctx.completeNow();
        })));
  }

  private void startDrivers(LocalRaftCluster c, Vertx vertx, Random random, AtomicLong next, AtomicBoolean chaos,
      List<Long> down, Promise<Void> chaosOver) {
      // Client: a proposal every 5 ms through a random live node.
      vertx.setPeriodic(5, id -> {
        if (!chaos.get()) {
          vertx.cancelTimer(id);
          return;
        }
        List<Long> up = new ArrayList<>();
        for (long n : c.nodeIds()) {
          if (c.node(n).isUp() && c.node(n).host.group(GROUP) != null) {
            up.add(n);
          }
        }
        if (up.isEmpty()) {
          return;
        }
        String command = "cmd-" + next.getAndIncrement();
        RaftGroup<String, Integer> g = c.node(up.get(random.nextInt(up.size()))).host.group(GROUP);
        Bridge.future(g.propose(command, Duration.ofSeconds(3))).onSuccess(r -> acknowledged.add(command));
      });
      // Faults: every 150 ms, partition one node, heal, kill one node, or restart the killed one.
      vertx.setPeriodic(150, id -> {
        if (!chaos.get()) {
          vertx.cancelTimer(id);
          return;
        }
        int action = random.nextInt(4);
        long victim = 1 + random.nextInt(3);
        if (action == 0) {
          Set<Long> others = new TreeSet<>(c.nodeIds());
          others.remove(victim);
          c.partition(Set.of(victim), others);
        } else if (action == 1) {
          c.heal();
        } else if (action == 2 && down.isEmpty() && c.node(victim).isUp()) {
          down.add(victim);
          c.kill(victim);
        } else if (action == 3 && !down.isEmpty()) {
          long back = down.remove(0);
          c.restart(back).compose(h -> startGroup(c, back, false));
        }
      });
      vertx.setTimer(CHAOS_MILLIS, id -> chaosOver.complete());
  }
}
