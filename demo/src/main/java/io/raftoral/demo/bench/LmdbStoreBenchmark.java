package io.raftoral.demo.bench;

import io.raftoral.lmdb.LmdbLogStore;
import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.RaftNode;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Raw throughput of {@link LmdbLogStore}, fsync on (LMDB's default): G groups write at once, each a chain of writes
 * of one 100-byte entry (plus its hard state) with one write in flight per group (the next is submitted when the
 * previous one's future succeeded). After a warm-up it counts, over a fixed time, the entries made durable and the
 * write transactions committed ({@link LmdbLogStore#commitCount()}, one fsync each): entries per commit is the
 * group commit at work. Write latency is submit-to-future-completion.
 *
 * <p>Options: {@code -Dbench.groups=1,8,64}, {@code -Dbench.seconds=3}, {@code -Dbench.warmupSeconds=1},
 * {@code -Dbench.dir=<parent directory of the temporary stores>} (default: the system temp directory).
 *
 * <p>lmdbjava needs {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}
 * on Java 17, which {@code exec:java} cannot give (it runs in Maven's own JVM and fails with "module java.base does
 * not opens java.nio"). Run it in its own JVM through the {@code lmdb-bench} execution of raftoral-lmdb/pom.xml:
 * {@code mvn -B -q -pl raftoral-lmdb test-compile exec:exec@lmdb-bench} (options as Maven properties there:
 * {@code -Dbench.groups=1,8 -Dbench.seconds=5 -Dbench.warmupSeconds=1 -Dbench.jvmArgs="-Dbench.dir=/data"}), or give
 * Maven's JVM the opens: {@code MAVEN_OPTS="--add-opens java.base/java.nio=ALL-UNNAMED --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED" mvn -B -q -pl raftoral-lmdb test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.raftoral.lmdb.LmdbStoreBenchmark}.
 */
public final class LmdbStoreBenchmark {

  private static final int PAYLOAD = 100;

  private LmdbStoreBenchmark() {}

  record Result(int groups, long entries, long commits, double seconds, double meanMicros, long p50Micros,
      long p90Micros, long p99Micros) {}

  public static void main(String[] args) throws Exception {
    int[] groupCounts = Arrays.stream(System.getProperty("bench.groups", "1,8,64").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "3"));
    double warmup = Double.parseDouble(System.getProperty("bench.warmupSeconds", "1"));
    String parent = System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"));

    Vertx vertx = Vertx.vertx();
    try {
      System.out.printf("LmdbLogStore raw write throughput, durability " + BenchSupport.storeOptions().getDurability()
          + ", %d-byte entries, 1 write (1 entry) in flight"
          + " per group, %.1f s per row after %.1f s warm-up, store under %s%n", PAYLOAD, seconds, warmup, parent);
      System.out.printf("%7s %11s %9s %9s %10s %9s %8s %8s %8s%n", "groups", "entries/s", "entries", "commits",
          "entr/commit", "mean ms", "p50 ms", "p90 ms", "p99 ms");
      for (int groups : groupCounts) {
        Path dir = Files.createTempDirectory(Path.of(parent), "lmdb-bench-");
        try {
          Result r = run(vertx, dir, groups, warmup, seconds);
          System.out.printf("%7d %11.0f %9d %9d %10.1f %9.2f %8.2f %8.2f %8.2f%n", r.groups, r.entries / r.seconds,
              r.entries, r.commits, r.commits == 0 ? 0.0 : (double) r.entries / r.commits, r.meanMicros / 1000.0,
              r.p50Micros / 1000.0, r.p90Micros / 1000.0, r.p99Micros / 1000.0);
        } finally {
          deleteRecursively(dir);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** One row: {@code groups} chains on a fresh store in {@code dir}. */
  static Result run(Vertx vertx, Path dir, int groups, double warmupSeconds, double seconds) throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, BenchSupport.storeOptions());
    try {
      Chains chains = new Chains(store, groups);
      chains.start();
      // the measuring windows, waited for on the benchmark's main thread like the other benchmarks' waits
      BenchSupport.await(BenchSupport.timer(vertx, (long) (warmupSeconds * 1000)));
      long entries0 = chains.done.get();
      long commits0 = store.commitCount();
      chains.recording = true;
      long t0 = System.nanoTime();
      BenchSupport.await(BenchSupport.timer(vertx, (long) (seconds * 1000)));
      long entries1 = chains.done.get();
      long commits1 = store.commitCount();
      long t1 = System.nanoTime();
      chains.recording = false;
      chains.stop();
      long[] lat = chains.latencies();
      Arrays.sort(lat);
      return new Result(groups, entries1 - entries0, commits1 - commits0, (t1 - t0) / 1e9,
          Arrays.stream(lat).average().orElse(0), percentile(lat, 0.50), percentile(lat, 0.90),
          percentile(lat, 0.99));
    } finally {
      store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One chain of writes per group; completions arrive on the store's writer thread. */
  private static final class Chains {
    final LmdbLogStore store;
    final int groups;
    final long[] next;
    final AtomicLong done = new AtomicLong();
    final CountDownLatch stopped;
    final byte[] payload = new byte[PAYLOAD];
    volatile boolean running = true;
    volatile boolean recording;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;

    Chains(LmdbLogStore store, int groups) {
      this.store = store;
      this.groups = groups;
      this.next = new long[groups];
      this.stopped = new CountDownLatch(groups);
      Arrays.fill(payload, (byte) 'x');
    }

    void start() {
      for (int g = 0; g < groups; g++) {
        next[g] = 1;
        submit(g);
      }
    }

    private void submit(int g) {
      long index = next[g]++;
      long clusterId = g + 1;
      long submitted = System.nanoTime();
      StoreWrite write = new StoreWrite(null, List.of(Entry.normal(index, 1, payload)),
          new HardState(1, RaftNode.NONE, index - 1));
      store.write(clusterId, write).onComplete(ar -> {
        if (ar.failed()) {
          ar.cause().printStackTrace();
          running = false;
        } else {
          done.incrementAndGet();
          if (recording) {
            record(System.nanoTime() - submitted);
          }
        }
        if (running) {
          submit(g);
        } else {
          stopped.countDown();
        }
      });
    }

    private synchronized void record(long nanos) {
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = nanos / 1000;
    }

    synchronized long[] latencies() {
      return Arrays.copyOf(latencies, latencyCount);
    }

    void stop() throws InterruptedException {
      running = false;
      if (!stopped.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("chains did not stop");
      }
    }
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
