package io.raftoral.demo.bench;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.raft.Role;
import io.raftoral.storage.InMemoryLogStore;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.InJvmNetwork;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.HistoryRetention;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * The heap bound of checkpoint history: three replicas in one JVM (in-JVM transport) run one workflow of 10,000
 * checkpoints to its end (its whole history kept), then 1,000 workflows of 1,000 checkpoints each that stay running
 * (each waits at a step the benchmark never releases). After each phase it prints the heap used after a GC
 * ({@link MemoryMXBean}) and the size of the LMDB data files, so that a run with a small {@code -Xmx} shows the
 * journals are not in the heap. With {@code --store memory} the same run keeps them in the heap, for comparison.
 *
 * <p>Options: {@code -Dbench.long=10000}, {@code -Dbench.workflows=1000}, {@code -Dbench.checkpoints=1000},
 * {@code -Dbench.inflight=50} (workflows being started and filled at once), {@code -Dbench.pipelining=false},
 * {@code -Dbench.snapshotEvery=5000} (log entries), {@code -Dbench.store=lmdb|memory}, {@code -Dbench.dir=...}.
 *
 * <p>Run: {@code java -Xmx384m -jar demo/target/raftoral-node.jar bench history --store lmdb --pipelining false}
 * (the bench command pipelines unless told not to).
 */
public final class HistoryBenchmark {

  private static final String CHECKPOINTS = "checkpoints";
  private static final long CLUSTER = 1;
  private static final int SNAPSHOT_EVERY_ENTRIES = 5_000;
  private static final long WAIT_MILLIS = 1_800_000;
  private static final int GC_ROUNDS = 3;
  private static final long PROGRESS_MILLIS = 10_000;
  /**
   * Off: each checkpoint waits for its commit, which paces the owners. Pipelined, 1,000 workflows would propose a
   * million entries at once, beyond the group's {@code maxPendingProposals}.
   */
  private static final boolean PIPELINING = Boolean.parseBoolean(System.getProperty("bench.pipelining", "false"));
  private static final double MIB = 1024.0 * 1024.0;

  /** Workflows whose run arrived at the hold, as "node:workflow". */
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  /** Owners' arrivals at the hold, by workflow id. */
  private final Map<String, Promise<Void>> ownerArrivals = new ConcurrentHashMap<>();
  private final Promise<Void> never = Promise.promise();

  /**
   * {@code n} checkpoints then, when {@code hold}, a compute that waits for ever (the workflow stays running). A
   * {@code Multi} concatenation rather than {@code n} nested {@code flatMap}s, whose stack would overflow at the end.
   */
  private Uni<Integer> checkpoints(long node, WorkflowContext ctx, int n, boolean hold) {
    Uni<Integer> all = Multi.createFrom().range(0, n)
        .onItem().transformToUniAndConcatenate(i -> ctx.checkpoint("c-" + i, i))
        .collect().last().replaceWith(n);
    if (!hold) {
      return all;
    }
    return all.flatMap(v -> {
      held.add(node + ":" + ctx.workflowId());
      return ctx.compute("hold", Integer.class, () -> {
        ownerArrivals.computeIfAbsent(ctx.workflowId(), k -> Promise.promise()).tryComplete();
        return Uni.createFrom().completionStage(() -> never.future().toCompletionStage()).replaceWith(n);
      });
    });
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      boolean lmdb = "lmdb".equals(System.getProperty("bench.store", "memory"));
      Path base = null;
      LongFunction<LogStore> stores;
      if (lmdb) {
        Path dir = System.getProperty("bench.dir") != null ? Path.of(System.getProperty("bench.dir"))
            : BenchSupport.scratchDirectory("raftoral-history-bench");
        base = dir;
        stores = id -> LmdbLogStore.open(vertx, dir.resolve("node-" + id), BenchSupport.storeOptions());
      } else {
        stores = id -> new InMemoryLogStore(vertx);
      }
      new HistoryBenchmark().run(vertx, lmdb ? "LMDB store in " + base : "in-memory store", stores, base);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private void run(Vertx vertx, String label, LongFunction<LogStore> stores, Path lmdbDir) throws Exception {
    int longRun = Integer.getInteger("bench.long", 10_000);
    int workflows = Integer.getInteger("bench.workflows", 1_000);
    int checkpoints = Integer.getInteger("bench.checkpoints", 1_000);
    int inflight = Integer.getInteger("bench.inflight", 50);
    InJvmNetwork network = new InJvmNetwork(vertx);
    List<WorkflowRuntime> runtimes = new ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      long node = id;
      RaftHost host = BenchSupport.await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
          .setTickMillis(RaftPreset.TESTING.tickMillis()), stores.apply(id), network.transport(id)));
      WorkflowRegistry registry = WorkflowRegistry.create().register(CHECKPOINTS, 1, Integer.class, Integer.class,
          (n, ctx) -> checkpoints(node, ctx, Math.abs(n), n < 0));
      runtimes.add(BenchSupport.await(Bridge.future(WorkflowRuntime.builder(host, CLUSTER).registry(registry)
          .options(new WorkflowRuntimeOptions().setPublishEvents(false).setPipelining(PIPELINING)
              .setHistoryRetention(HistoryRetention.keepAll()))
          .groupOptions(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(
              Long.getLong("bench.snapshotEvery", SNAPSHOT_EVERY_ENTRIES)))
          .members(1, 2, 3).start())));
    }
    WorkflowRuntime leader = leader(vertx, runtimes);
    System.out.printf("%s, 3 replicas in one JVM, max heap %.0f MiB%n", label,
        Runtime.getRuntime().maxMemory() / MIB);
    report("started", lmdbDir);

    long t0 = System.nanoTime();
    String longId = BenchSupport.await(Bridge.future(leader.<Integer>start(CHECKPOINTS, 1, longRun))).workflowId();
    for (WorkflowRuntime rt : runtimes) {
      awaitEnd(rt, longId);
    }
    System.out.printf("  one workflow of %,d checkpoints ended in %.1f s (history kept)%n", longRun,
        (System.nanoTime() - t0) / 1e9);
    report("after it", lmdbDir);

    t0 = System.nanoTime();
    WorkflowRuntime starter = leader;
    BenchSupport.closedLoop(workflows, inflight, "workflows", i -> Bridge.future(starter.<Integer>start(CHECKPOINTS,
        1, -checkpoints)).compose(run -> ownerArrivals.computeIfAbsent(run.workflowId(), k -> Promise.promise())
        .future()));
    awaitHeld(vertx, 3 * workflows);
    System.out.printf("  %,d workflows of %,d checkpoints each running on every replica after %.1f s%n", workflows,
        checkpoints, (System.nanoTime() - t0) / 1e9);
    report("with them running", lmdbDir);
    WorkflowRuntime follower = runtimes.stream().filter(rt -> rt != starter).findFirst().orElseThrow();
    HistoryPage page = BenchSupport.await(Bridge.future(follower.history(longId, HistoryPage.MAX_PAGE_SIZE,
        null)));
    WorkflowStatus status = BenchSupport.await(Bridge.future(follower.status(longId)));
    System.out.printf("  a follower's history page of the long workflow: %d of its %,d checkpoints, next token %s%n",
        page.checkpoints().size(), status.checkpointCount(), page.nextPageToken() != null);
  }

  /** Waits for the end of {@code id} on {@code rt}, printing its progress every {@value #PROGRESS_MILLIS} ms. */
  private static void awaitEnd(WorkflowRuntime rt, String id) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (true) {
      try {
        BenchSupport.await(Bridge.future(rt.result(id, Duration.ofMillis(PROGRESS_MILLIS))));
        return;
      } catch (Exception timeout) {
        try {
          WorkflowStatus s = BenchSupport.await(Bridge.future(rt.status(id)));
          System.out.printf("    (%s: %,d checkpoints, owner %d)%n", s.state(), s.checkpointCount(), s.ownerNode());
        } catch (Exception busy) {
          System.out.printf("    (no status yet: %s)%n", busy.getMessage());
        }
        if (System.currentTimeMillis() > deadline) {
          throw timeout;
        }
      }
    }
  }

  private void awaitHeld(Vertx vertx, int expected) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (held.size() < expected) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + held.size() + " of " + expected + " runs reached the hold");
      }
      BenchSupport.await(BenchSupport.timer(vertx, 100));
    }
  }

  private static WorkflowRuntime leader(Vertx vertx, List<WorkflowRuntime> runtimes) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (WorkflowRuntime rt : runtimes) {
        if (rt.group().status().role() == Role.LEADER) {
          return rt;
        }
      }
      BenchSupport.await(BenchSupport.timer(vertx, 10));
    }
    throw new IllegalStateException("no leader elected");
  }

  private static void report(String when, Path lmdbDir) throws IOException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < GC_ROUNDS; i++) {
      memory.gc();
    }
    long heap = memory.getHeapMemoryUsage().getUsed();
    String disk = lmdbDir == null ? "" : String.format(", LMDB data files %.1f MiB", lmdbBytes(lmdbDir) / MIB);
    System.out.printf("  %-18s heap used after GC %.1f MiB%s%n", when + ":", heap / MIB, disk);
  }

  private static long lmdbBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals("data.mdb")).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }
}
