package io.raftoral.lmdb;

import io.raftoral.bench.WorkflowBenchmark;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The workflow benchmark of {@link WorkflowBenchmark} with every replica on its own LMDB store (fsync on every
 * commit), in a temporary directory (or {@code -Dbench.dir=...}).
 */
public final class LmdbWorkflowBenchmark {

  public static void main(String[] args) throws Exception {
    Path base = System.getProperty("bench.dir") != null ? Path.of(System.getProperty("bench.dir"))
        : Files.createTempDirectory("raftoral-wf-bench");
    Vertx vertx = Vertx.vertx();
    try {
      WorkflowBenchmark.run(vertx, "LMDB store (fsync) in " + base,
          id -> LmdbLogStore.open(vertx, base.resolve("node-" + id)));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
