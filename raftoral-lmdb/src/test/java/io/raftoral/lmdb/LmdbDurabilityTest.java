package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.PersistentState;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both durability modes keep acknowledged writes; the options validate and round-trip through JSON. */
class LmdbDurabilityTest {

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

  @ParameterizedTest
  @EnumSource(LmdbDurability.class)
  void acknowledgedWritesAreThereAfterReopening(LmdbDurability durability) throws Exception {
    LmdbStoreOptions options = new LmdbStoreOptions().setDurability(durability);
    LmdbLogStore store = LmdbLogStore.open(vertx, dir, options);
    for (long i = 1; i <= 5; i++) {
      await(store.write(1, new StoreWrite(null, List.of(Entry.normal(i, 1, new byte[] {(byte) i})),
          new HardState(1, 0, 0))));
    }
    long explicitSyncs = store.syncCount();
    await(store.close());
    assertThat(explicitSyncs).as("every durable batch ends with an explicit sync").isEqualTo(5);

    LmdbLogStore reopened = LmdbLogStore.open(vertx, dir, options);
    PersistentState state = await(reopened.load(1));
    assertThat(state.entries()).hasSize(5);
    assertThat(state.entries().get(4).data()).containsExactly(5);
    await(reopened.close());
  }

  @Test
  void powerLossIsTheDefault() {
    assertThat(new LmdbStoreOptions().getDurability()).isEqualTo(LmdbDurability.POWER_LOSS);
  }

  @Test
  void optionsRoundTripThroughJson() {
    LmdbStoreOptions options = new LmdbStoreOptions().setDurability(LmdbDurability.PROCESS_CRASH)
        .setInitialMapBytes(1 << 20);
    LmdbStoreOptions copy = new LmdbStoreOptions(options.toJson());
    assertThat(copy.toJson()).isEqualTo(options.toJson());
    assertThat(new LmdbStoreOptions(new JsonObject()).toJson()).isEqualTo(new LmdbStoreOptions().toJson());
  }

  @Test
  void badOptionsAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new LmdbStoreOptions().setInitialMapBytes(0)).hasMessageContaining("initialMapBytes");
    assertThatThrownBy(() -> new LmdbStoreOptions().setDurability(null)).hasMessageContaining("durability");
  }
}
