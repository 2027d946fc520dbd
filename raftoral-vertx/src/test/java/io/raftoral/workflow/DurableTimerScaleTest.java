package io.raftoral.workflow;

import static io.raftoral.workflow.WorkflowTestSupport.fut;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import io.raftoral.group.RaftPreset;
import io.raftoral.testkit.LocalWorkflowCluster;
import io.raftoral.workflow.impl.WorkflowRuntimeImpl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a check: the idle cost of sleeping workflows. Starts {@value #DEFAULT_COUNT} workflows (or
 * {@code -Draftoral.timers.count=N}) on a 3-member execution cluster in this JVM, each sleeping an hour, and prints
 * the heap used and the process CPU while they sleep, next to the same figures for the empty cluster. Run with
 * {@code mvn -pl raftoral-vertx -am verify -Dtest=DurableTimerScaleTest -Draftoral.timers.scale=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "raftoral.timers.scale", matches = "true")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class DurableTimerScaleTest {

  private static final int DEFAULT_COUNT = 100_000;
  /** Starts in flight at once. */
  private static final int BATCH = 1_000;
  /** Tries per start: on a loaded machine a proposal can time out through an election. */
  private static final int START_ATTEMPTS = 5;
  private static final long RETRY_DELAY_MILLIS = 500;
  /** Elections after 0.5 to 1 s (10 ms ticks) and 30 s proposal timeouts: GC pauses of a large heap are no failure. */
  private static final int ELECTION_TICKS = 50;
  private static final long REQUEST_TIMEOUT_MILLIS = 30_000;
  /** How long the idle CPU is measured. */
  private static final long IDLE_WINDOW_MILLIS = 10_000;
  private static final int IDLE_WINDOWS = 3;
  /** Few snapshots of the large state while starting (each serializes every workflow). */
  private static final long SNAPSHOT_EVERY_ENTRIES = 100_000;
  private static final long SETTLE_MILLIS = 2_000;
  private static final int GC_ROUNDS = 3;
  private static final long BYTES_PER_MIB = 1024 * 1024;
  private static final double NANOS_PER_MILLI = 1_000_000.0;

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.MINUTES);
  }

  @Test
  void idleCostOfSleepingWorkflows() throws Exception {
    int count = Integer.getInteger("raftoral.timers.count", DEFAULT_COUNT);
    Vertx vertx = Vertx.vertx();
    LocalWorkflowCluster c = new LocalWorkflowCluster(vertx, node -> WorkflowRegistry.create()
        .register("sleeper", 1, Integer.class, String.class, (in, ctx) -> ctx.sleep(Duration.ofHours(1))
            .replaceWith("woke")),
        new WorkflowRuntimeOptions(),
        RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(SNAPSHOT_EVERY_ENTRIES)
            .setElectionTicks(ELECTION_TICKS).setRequestTimeoutMillis(REQUEST_TIMEOUT_MILLIS));
    try {
      join(c.start(1, 2, 3));
      join(idle(vertx, c, SETTLE_MILLIS));
      long heapEmpty = heapUsedAfterGc();
      double cpuEmpty = idleCpu(vertx, c);

      long startedAt = System.nanoTime();
      for (int done = 0; done < count; done += BATCH) {
        List<Future<?>> batch = new ArrayList<>();
        for (int i = done; i < Math.min(count, done + BATCH); i++) {
          batch.add(startSleeper(vertx, c, i, START_ATTEMPTS));
        }
        join(Future.all(batch));
        // Paced: the timers of the previous batch are armed before the next starts (bounded pending proposals).
        int armed = done;
        join(c.await(() -> timers(c) >= armed, TimeUnit.MINUTES.toMillis(5), armed + " armed timers"));
      }
      join(c.await(() -> timers(c) == count, TimeUnit.MINUTES.toMillis(10), count + " armed timers"));
      double startSeconds = (System.nanoTime() - startedAt) / NANOS_PER_MILLI / 1000;
      join(idle(vertx, c, SETTLE_MILLIS));
      long heapSleeping = heapUsedAfterGc();
      // Consecutive windows: the first may still hold the snapshot and compaction that followed the starts.
      List<String> cpuSleeping = new ArrayList<>();
      for (int w = 0; w < IDLE_WINDOWS; w++) {
        cpuSleeping.add(String.format("%.1f%%", idleCpu(vertx, c) * 100));
      }

      System.out.printf("%n[durable timers] %d workflows sleeping on 3 members in one JVM (started and asleep in"
          + " %.1f s)%n", count, startSeconds);
      System.out.printf("[durable timers] heap used: %d MiB empty cluster, %d MiB with them asleep:"
          + " %.0f bytes per sleeping workflow (all 3 replicas, Raft log tail included)%n",
          heapEmpty / BYTES_PER_MIB, heapSleeping / BYTES_PER_MIB, (heapSleeping - heapEmpty) / (double) count);
      System.out.printf("[durable timers] process CPU while idle, in %d ms windows: %.1f%% of one core empty,"
          + " %s with them asleep%n", IDLE_WINDOW_MILLIS, cpuEmpty * 100, String.join(" then ", cpuSleeping));
      assertThat(timers(c)).isEqualTo(count);
    } finally {
      join(c.close());
      join(Future.fromCompletionStage(vertx.close().toCompletionStage()));
    }
  }

  /** Starts sleeper {@code i} under a fixed id, so a start whose outcome is unknown (a timeout) can be repeated. */
  private static Future<WorkflowRun<String>> startSleeper(Vertx vertx, LocalWorkflowCluster c, int i,
      int attempts) {
    StartOptions options = new StartOptions().setWorkflowId("sleeper-" + i);
    return fut(c.runtime(1 + i % 3).<String>start("sleeper", 1, i, options)).recover(e -> attempts <= 1
        ? Future.failedFuture(e)
        : idle(vertx, c, RETRY_DELAY_MILLIS).compose(v -> startSleeper(vertx, c, i, attempts - 1)));
  }

  private static int timers(LocalWorkflowCluster c) {
    int sum = 0;
    for (long n = 1; n <= 3; n++) {
      sum += ((WorkflowRuntimeImpl) c.runtime(n)).pendingTimerCount();
    }
    return sum;
  }

  private static Future<Void> idle(Vertx vertx, LocalWorkflowCluster c, long millis) {
    Promise<Void> p = Promise.promise();
    c.context().runOnContext(v -> vertx.setTimer(millis, t -> p.complete()));
    return p.future();
  }

  /** Process CPU time over the idle window, as a fraction of one core. */
  private static double idleCpu(Vertx vertx, LocalWorkflowCluster c) throws Exception {
    OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    long cpuBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    join(idle(vertx, c, IDLE_WINDOW_MILLIS));
    return (os.getProcessCpuTime() - cpuBefore) / (double) (System.nanoTime() - wallBefore);
  }

  private static long heapUsedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < GC_ROUNDS; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
