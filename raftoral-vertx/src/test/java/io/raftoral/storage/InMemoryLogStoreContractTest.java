package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.raft.HardState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InMemoryLogStoreContractTest extends LogStoreContractTest {

  @Override
  protected LogStore createStore(Vertx vertx, Path directory) {
    return new InMemoryLogStore(vertx);
  }

  @Override
  protected LogStore reopen(Vertx vertx, Path directory, LogStore current) {
    return current; // the in-memory store lives as long as its object; a simulated crash is tested below
  }

  @Test
  void aCrashLosesExactlyTheWritesNotYetFlushed() throws Exception {
    InMemoryLogStore mem = (InMemoryLogStore) store;
    await(mem.write(1, new StoreWrite(null, entries(1, 5, 1), new HardState(1, 0, 5))));
    mem.holdFlushes(true); // a stalled disk: the next write stays pending
    Future<Void> lost = mem.write(1, new StoreWrite(null, entries(6, 8, 1), new HardState(1, 0, 8)));
    mem.crash();
    mem.recover();
    assertThat(await(mem.load(1)).entries()).isEqualTo(entries(1, 5, 1));
    assertThat(await(mem.load(1)).hardState().commit()).isEqualTo(5);
    assertThat(lost.failed()).as("a write lost in the crash fails").isTrue();
    assertThat(mem.flushCount()).isPositive();
  }
}
