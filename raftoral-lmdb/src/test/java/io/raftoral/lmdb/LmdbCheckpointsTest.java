package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.storage.CheckpointStore;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;

/** The LMDB checkpoint store: writes readable once committed, ranges kept apart by cluster and workflow, deletes. */
class LmdbCheckpointsTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private LmdbLogStore store;
  private CheckpointStore checkpoints;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    store = LmdbLogStore.open(vertx, dir);
    checkpoints = store.checkpoints();
  }

  @AfterEach
  void close() throws Exception {
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> values(long cluster, String workflow) {
    List<String> out = new ArrayList<>();
    for (CheckpointStore.Stored s : checkpoints.read(cluster, workflow, 0, Integer.MAX_VALUE)) {
      out.add(s.position() + "=" + new String(s.checkpoint(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void aWriteIsReadableOnceItsTicketIsCommitted() {
    long ticket = checkpoints.put(1, "w", 0, bytes("a"));
    checkpoints.awaitCommitted(ticket);
    assertThat(checkpoints.committedThrough()).isGreaterThanOrEqualTo(ticket);
    assertThat(checkpoints.get(1, "w", 0)).isEqualTo(bytes("a"));
    assertThat(checkpoints.get(1, "w", 1)).isNull();
    assertThat(store.checkpoints()).isSameAs(checkpoints);
  }

  @Test
  void clustersAndWorkflowsKeepTheirOwnRanges() {
    checkpoints.put(1, "a", 0, bytes("a0"));
    checkpoints.put(1, "a", 1, bytes("a1"));
    checkpoints.put(1, "ab", 0, bytes("ab0"));
    checkpoints.put(2, "a", 0, bytes("2a0"));
    String longId = "x".repeat(600); // longer than an LMDB key may be: ids are not in the keys
    String otherLongId = "x".repeat(599) + "y";
    checkpoints.put(1, longId, 0, bytes("long"));
    long ticket = checkpoints.put(1, otherLongId, 0, bytes("other"));
    checkpoints.awaitCommitted(ticket);
    assertThat(values(1, "a")).containsExactly("0=a0", "1=a1");
    assertThat(values(1, "ab")).containsExactly("0=ab0");
    assertThat(values(2, "a")).containsExactly("0=2a0");
    assertThat(values(1, longId)).containsExactly("0=long");
    assertThat(values(1, otherLongId)).containsExactly("0=other");
    assertThat(checkpoints.read(1, "a", 1, 10)).extracting(CheckpointStore.Stored::position).containsExactly(1L);
    assertThat(checkpoints.read(1, "a", 0, 1)).hasSize(1);
  }

  @Test
  void trimsDeletesAndClearsTouchOnlyTheirRange() {
    List<CheckpointStore.Put> puts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      puts.add(new CheckpointStore.Put("w", i, bytes("w" + i)));
      puts.add(new CheckpointStore.Put("v", i, bytes("v" + i)));
    }
    checkpoints.putAll(1, puts);
    checkpoints.put(2, "w", 0, bytes("kept"));
    checkpoints.deleteBefore(1, "w", 7);
    long ticket = checkpoints.deleteWorkflow(1, "v");
    checkpoints.awaitCommitted(ticket);
    assertThat(values(1, "w")).containsExactly("7=w7", "8=w8", "9=w9");
    assertThat(values(1, "v")).isEmpty();
    checkpoints.awaitCommitted(checkpoints.clear(1));
    assertThat(values(1, "w")).isEmpty();
    assertThat(values(2, "w")).containsExactly("0=kept");
  }

  @Test
  void aWorkflowDeletedAndWrittenAgainHoldsOnlyItsNewEntries() {
    checkpoints.putAll(1, List.of(new CheckpointStore.Put("w", 0, bytes("old0")),
        new CheckpointStore.Put("w", 1, bytes("old1"))));
    checkpoints.deleteWorkflow(1, "w");
    long ticket = checkpoints.put(1, "w", 0, bytes("new0"));
    checkpoints.awaitCommitted(ticket);
    assertThat(values(1, "w")).containsExactly("0=new0");
    checkpoints.awaitCommitted(checkpoints.deleteBefore(1, "never-written", 5));
    checkpoints.awaitCommitted(checkpoints.deleteWorkflow(1, "never-written"));
    assertThat(values(1, "never-written")).isEmpty();
    assertThat(checkpoints.get(1, "never-written", 0)).isNull();
  }

  @Test
  void historyWritesCostTheLogNoFsync() {
    long syncsBefore = store.syncCount();
    long commitsBefore = store.commitCount();
    long ticket = 0;
    for (int i = 0; i < 200; i++) {
      ticket = checkpoints.put(1, "w" + (i % 7), i, bytes("v" + i));
    }
    checkpoints.awaitCommitted(ticket);
    assertThat(values(1, "w0")).hasSize(29);
    assertThat(store.syncCount()).isEqualTo(syncsBefore);
    assertThat(store.commitCount()).isEqualTo(commitsBefore);
  }

  @Test
  void theHistoryStartsEmptyAtEveryOpenForTheStateMachineToRebuild() throws Exception {
    checkpoints.awaitCommitted(checkpoints.put(1, "w", 0, bytes("a")));
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    store = LmdbLogStore.open(vertx, dir);
    checkpoints = store.checkpoints();
    assertThat(values(1, "w")).isEmpty();
    checkpoints.awaitCommitted(checkpoints.put(1, "w", 0, bytes("b")));
    assertThat(values(1, "w")).containsExactly("0=b");
  }

  @Test
  void theCheckpointTableOlderStoresKeptInTheLogsEnvironmentIsDropped() throws Exception {
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(8).open(dir.toFile())) {
      Dbi<ByteBuffer> legacy = env.openDbi("ckpt", DbiFlags.MDB_CREATE);
      ByteBuffer key = ByteBuffer.allocateDirect(8).putLong(1).flip();
      ByteBuffer value = ByteBuffer.allocateDirect(8).putLong(2).flip();
      legacy.put(key, value);
      assertThat(names(env)).contains("ckpt");
    }
    store = LmdbLogStore.open(vertx, dir);
    checkpoints = store.checkpoints();
    store.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(8).open(dir.toFile())) {
      assertThat(names(env)).doesNotContain("ckpt");
    }
    store = LmdbLogStore.open(vertx, dir);
  }

  private static List<String> names(Env<ByteBuffer> env) {
    List<String> out = new ArrayList<>();
    for (byte[] n : env.getDbiNames()) {
      out.add(new String(n, StandardCharsets.UTF_8));
    }
    return out;
  }
}
