package io.raftoral.demo.bench;

import io.raftoral.lmdb.LmdbDurability;
import io.raftoral.lmdb.LmdbStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/** What the benchmarks share: a closed-loop load driver, timers, blocking waits (on the benchmark's main thread). */
final class BenchSupport {

  /**
   * A temporary directory for a benchmark's stores, deleted when the JVM exits (a benchmark leaves tens of MiB of
   * LMDB files per run otherwise).
   */
  static Path scratchDirectory(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir), "delete-" + prefix));
    return dir;
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How long a closed loop may run: 1,000 workflows of 1,000 checkpoints take minutes on a busy 2-core machine. */
  private static final long CLOSED_LOOP_TIMEOUT_SECONDS = 1_800;

  private BenchSupport() {
  }

  /**
   * The LMDB store options of a benchmark ({@code -Dbench.durability=POWER_LOSS|PROCESS_CRASH}; {@code
   * -Dbench.logInFiles=false} keeps the Raft logs in LMDB tables, the layout before log files, for comparison).
   */
  static LmdbStoreOptions storeOptions() {
    return new LmdbStoreOptions().setDurability(LmdbDurability.valueOf(
        System.getProperty("bench.durability", LmdbStoreOptions.DEFAULT_DURABILITY.name())))
        .setLogInFiles(Boolean.parseBoolean(System.getProperty("bench.logInFiles",
            Boolean.toString(LmdbStoreOptions.DEFAULT_LOG_IN_FILES))));
  }

  /**
   * Runs {@code total} operations with {@code inflight} outstanding at any time (each completion starts the next)
   * and returns the elapsed seconds; failures are counted and reported, the first one printed.
   */
  static double closedLoop(int total, int inflight, String what, IntFunction<Future<?>> operation) throws Exception {
    return closedLoop(total, inflight, what, operation, null);
  }

  /** {@link #closedLoop(int, int, String, IntFunction)}, recording each operation's latency (ns) in {@code latencies}. */
  static double closedLoop(int total, int inflight, String what, IntFunction<Future<?>> operation, long[] latencies)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    long t0 = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = started.getAndIncrement();
      if (i >= total) {
        return;
      }
      long startedAt = System.nanoTime();
      operation.apply(i).onComplete(ar -> {
        if (latencies != null) {
          latencies[i] = System.nanoTime() - startedAt;
        }
        if (ar.failed() && failures.incrementAndGet() == 1) {
          System.out.println("  (first failure: " + ar.cause() + ")");
        }
        if (finished.incrementAndGet() == total) {
          done.complete(null);
        } else {
          next[0].run();
        }
      });
    };
    for (int i = 0; i < inflight; i++) {
      next[0].run();
    }
    done.get(CLOSED_LOOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failures.get() > 0) {
      System.out.println("  (" + failures.get() + " " + what + " failed)");
    }
    return seconds;
  }

  static Future<Void> timer(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }
}
