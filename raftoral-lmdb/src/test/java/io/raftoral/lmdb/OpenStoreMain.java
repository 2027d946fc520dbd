package io.raftoral.lmdb;

import io.raftoral.storage.StorageException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Another process opening a store (see {@link StorageDirectoryLockTest}): exit 0 when it opened, 3 when refused. */
public final class OpenStoreMain {

  private OpenStoreMain() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    int code;
    try {
      LmdbLogStore store = LmdbLogStore.open(vertx, Path.of(args[0]));
      store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("opened");
      code = 0;
    } catch (StorageException e) {
      System.out.println(e.getMessage());
      code = 3;
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(code);
  }
}
