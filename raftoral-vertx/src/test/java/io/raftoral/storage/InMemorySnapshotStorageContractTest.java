package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InMemorySnapshotStorageContractTest extends SnapshotStorageContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return new InMemoryLogStore(vertx);
  }

  @Test
  void aCrashKeepsTheVerifiedChunksOfATransferAndLosesAnUnflushedSnapshot() throws Exception {
    InMemoryLogStore mem = (InMemoryLogStore) store;
    byte[] data = data(1);
    SnapshotRef ref = refOf(data, "half");
    await(mem.receiveSnapshot(GROUP, ref).write(0, chunk(data, 0)));
    mem.holdFlushes(true);
    SnapshotSink sink = mem.createSnapshot(GROUP, CHUNK);
    sink.stream().write(data);
    Future<SnapshotRef> lost = sink.finish();
    mem.crash();
    mem.recover();
    assertThat(mem.receiveSnapshot(GROUP, ref).offset()).as("a restarted node resumes its transfer")
        .isEqualTo(CHUNK);
    assertThatThrownBy(() -> await(lost)).as("a snapshot not flushed is lost in the crash")
        .isInstanceOf(IllegalStateException.class);
  }
}
