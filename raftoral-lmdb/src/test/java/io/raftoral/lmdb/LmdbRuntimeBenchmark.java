package io.raftoral.lmdb;

import io.raftoral.bench.RuntimeBenchmark;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The runtime benchmark of {@link RuntimeBenchmark} with every node on its own LMDB store (fsync on every commit),
 * in a temporary directory (or {@code -Dbench.dir=...}).
 */
public final class LmdbRuntimeBenchmark {

  public static void main(String[] args) throws Exception {
    Path base = System.getProperty("bench.dir") != null ? Path.of(System.getProperty("bench.dir"))
        : Files.createTempDirectory("raftoral-bench");
    Vertx vertx = Vertx.vertx();
    try {
      RuntimeBenchmark.run(vertx, "LMDB store (fsync) in " + base, id -> LmdbLogStore.open(vertx, base.resolve("node-" + id)),
          Integer.getInteger("bench.sequential", 2_000), Integer.getInteger("bench.total", 50_000),
          Integer.getInteger("bench.inflight", 64));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
