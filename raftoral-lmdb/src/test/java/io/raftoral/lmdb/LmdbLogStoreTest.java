package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.NodeIdentity;
import io.raftoral.storage.StorageException;
import io.raftoral.storage.StoreWrite;
import io.raftoral.transport.InJvmNetwork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LMDB-specific behaviour: identity checks, damaged data, map growth, compaction that frees space. */
class LmdbLogStoreTest {

  private Vertx vertx;
  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void directoryOfAnotherNodeOrClusterIsRefusedNamingTheDirectory() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, new NodeIdentity(1, "alpha"));
    await(store.saveIdentity(new NodeIdentity(1, "alpha")));
    await(store.close());
    assertThatThrownBy(() -> LmdbLogStore.open(vertx, dir, new NodeIdentity(2, "alpha")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir.toAbsolutePath().toString())
        .hasMessageContaining("node 1");
    assertThatThrownBy(() -> LmdbLogStore.open(vertx, dir, new NodeIdentity(1, "beta")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("cluster 'alpha'");
    LmdbLogStore again = LmdbLogStore.open(vertx, dir, new NodeIdentity(1, "alpha"));
    assertThat(await(again.identity())).isEqualTo(new NodeIdentity(1, "alpha"));
    await(again.close());
  }

  @Test
  void damagedDataIsRefusedNamingTheDirectory() throws Exception {
    Files.createDirectories(dir);
    byte[] garbage = new byte[64 * 1024];
    new Random(3).nextBytes(garbage);
    Files.write(dir.resolve("data.mdb"), garbage);
    assertThatThrownBy(() -> LmdbLogStore.open(vertx, dir))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir.toAbsolutePath().toString());
  }

  @Test
  void aFullMapGrowsInsteadOfFailing() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir,
        new LmdbStoreOptions().setInitialMapBytes(1024 * 1024).setLogInFiles(false));
    long before = store.mapSize();
    byte[] payload = new byte[4096];
    long index = 1;
    for (int batch = 0; batch < 20; batch++) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < 50; i++, index++) {
        entries.add(Entry.normal(index, 1, payload));
      }
      await(store.write(1, new StoreWrite(null, entries, new HardState(1, 0, index - 1))));
    }
    assertThat(store.mapSize()).isGreaterThan(before);
    assertThat(await(store.load(1)).entries()).hasSize(1000);
    await(store.close());
  }

  @Test
  void compactionReallyDeletesEntriesSoTheFileStopsGrowing() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    byte[] payload = new byte[1024];
    long index = 1;
    long sizeAfterFirstRound = 0;
    for (int round = 0; round < 10; round++) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < 2000; i++, index++) {
        entries.add(Entry.normal(index, 1, payload));
      }
      await(store.write(1, new StoreWrite(null, entries, new HardState(1, 0, index - 1))));
      await(store.saveSnapshot(1, new Snapshot(index - 1, 1, Membership.ofVoters(1L), new byte[] {1})));
      if (round == 1) {
        sizeAfterFirstRound = Files.size(dir.resolve("data.mdb"));
      }
    }
    assertThat(await(store.load(1)).entries()).isEmpty();
    // 10 rounds of 2 MB each were written; reused pages keep the file near its size after two rounds
    assertThat(Files.size(dir.resolve("data.mdb"))).isLessThan(sizeAfterFirstRound * 2);
    await(store.close());
  }

  @Test
  void oneCommitCoversTheWritesOfManyGroups() throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    List<Future<Void>> all = new ArrayList<>();
    for (long g = 1; g <= 64; g++) {
      all.add(store.write(g, new StoreWrite(null, List.of(Entry.normal(1, 1, new byte[100])), new HardState(1, 0, 0))));
    }
    await(Future.all(all));
    assertThat(store.writeCount()).isEqualTo(64);
    assertThat(store.commitCount()).isLessThan(64);
    await(store.close());
  }

  @Test
  void aHostRefusesStorageOfAnotherNodeAndRestartsOnItsOwn() throws Exception {
    InJvmNetwork network = new InJvmNetwork(vertx);
    LmdbLogStore store = LmdbLogStore.open(vertx, dir);
    RaftHost host = await(RaftHost.start(vertx,
        new RaftHostOptions().setNodeId(1).setClusterName("alpha"), store, network.transport(1)));
    await(vertx.undeploy(host.deploymentID()));
    await(store.close());

    LmdbLogStore reopened = LmdbLogStore.open(vertx, dir);
    assertThat(await(reopened.identity())).isEqualTo(new NodeIdentity(1, "alpha"));
    assertThatThrownBy(() -> await(RaftHost.start(vertx,
        new RaftHostOptions().setNodeId(2).setClusterName("alpha"), reopened, network.transport(2))))
        .hasMessageContaining(dir.toAbsolutePath().toString())
        .hasMessageContaining("node 1");
    RaftHost again = await(RaftHost.start(vertx,
        new RaftHostOptions().setNodeId(1).setClusterName("alpha"), reopened, network.transport(1)));
    assertThat(again.nodeId()).isEqualTo(1);
    await(vertx.undeploy(again.deploymentID()));
    await(reopened.close());
  }
}
