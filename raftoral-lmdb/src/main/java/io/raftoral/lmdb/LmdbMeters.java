package io.raftoral.lmdb;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one LMDB store (one per node): fsync latency and the size of each group commit, timed by the
 * writer thread, plus its commit, write and fsync counts and map size, read when scraped. Without a registry the
 * writer keeps {@link #NONE} and pays a field read per batch.
 */
final class LmdbMeters {

  private static final Duration MIN_EXPECTED_FSYNC = Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(10));
  private static final Duration MAX_EXPECTED_FSYNC = Duration.ofSeconds(10);
  private static final double MAX_EXPECTED_BATCH_WRITES = 10_000;

  static final LmdbMeters NONE = new LmdbMeters(null, null);

  private final Timer fsync;
  private final DistributionSummary batchSize;

  private LmdbMeters(Timer fsync, DistributionSummary batchSize) {
    this.fsync = fsync;
    this.batchSize = batchSize;
  }

  /** Registers the meters of {@code store} in {@code registry}; the writer records into the returned ones. */
  static LmdbMeters register(MeterRegistry registry, LmdbLogStore store) {
    Timer fsync = Timer.builder("raftoral.lmdb.fsync")
        .description("Duration of each fsync of the LMDB environment (one per group commit that needs durability)")
        .publishPercentileHistogram().minimumExpectedValue(MIN_EXPECTED_FSYNC).maximumExpectedValue(MAX_EXPECTED_FSYNC)
        .register(registry);
    DistributionSummary batch = DistributionSummary.builder("raftoral.lmdb.batch.size").baseUnit("writes")
        .description("Writes (from any group) committed together in one LMDB transaction")
        .publishPercentileHistogram().maximumExpectedValue(MAX_EXPECTED_BATCH_WRITES).register(registry);
    FunctionCounter.builder("raftoral.lmdb.commits", store, LmdbLogStore::commitCount)
        .description("LMDB write transactions committed").register(registry);
    FunctionCounter.builder("raftoral.lmdb.writes", store, LmdbLogStore::writeCount)
        .description("Writes committed (in those transactions)").register(registry);
    Gauge.builder("raftoral.lmdb.map.size", store, LmdbLogStore::mapSize).baseUnit("bytes")
        .description("Size of the LMDB memory map (it grows when full)").register(registry);
    return new LmdbMeters(fsync, batch);
  }

  /** An fsync that started at {@code startNanos} ({@link System#nanoTime()}) returned. Writer thread. */
  void synced(long startNanos) {
    if (fsync != null) {
      fsync.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A transaction with {@code writes} writes committed. Writer thread. */
  void committed(int writes) {
    if (batchSize != null) {
      batchSize.record(writes);
    }
  }
}
