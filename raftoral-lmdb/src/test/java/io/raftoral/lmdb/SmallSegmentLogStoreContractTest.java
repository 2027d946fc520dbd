package io.raftoral.lmdb;

import io.raftoral.storage.LogStore;
import io.raftoral.storage.LogStoreContractTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The contract with log segments of 4 KiB and one kept full segment, so that the writes of each test roll
 * segments and retire old ones (their groups' state written again) many times. */
class SmallSegmentLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setLogSegmentBytes(4096).setMaxSealedLogSegments(1));
  }

  @Override
  protected LogStore reopen(Vertx vertx, Path directory, LogStore current) {
    try {
      await(current.close());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return LmdbLogStore.open(vertx, directory, new LmdbStoreOptions().setLogSegmentBytes(4096).setMaxSealedLogSegments(1));
  }
}
