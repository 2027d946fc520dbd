package io.raftoral.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftoral.group.StateMachine;
import io.raftoral.workflow.impl.WorkflowCommand;
import io.raftoral.workflow.impl.WorkflowStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CheckpointStore#freeze(long)}: a view of a cluster that keeps what was written before it whatever is deleted
 * or written again after, until it is closed; and the workflow snapshot streamed from it off the context, which must
 * be byte for byte the snapshot that would have been streamed on the context at the freeze.
 */
public abstract class FrozenCheckpointsContractTest {

  private static final long CLUSTER = 1;
  private static final long OTHER_CLUSTER = 2;
  private static final long OWNER = 7;

  /** The store under test, empty. */
  protected abstract CheckpointStore store();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> values(List<CheckpointStore.Stored> stored) {
    List<String> out = new ArrayList<>();
    for (CheckpointStore.Stored s : stored) {
      out.add(s.position() + "=" + new String(s.checkpoint(), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Waits until every write submitted so far is readable (writes of one store apply in submission order). */
  private static void settle(CheckpointStore store) {
    store.awaitCommitted(store.put(99, "settle", 0, bytes("x")));
  }

  @Test
  void aFrozenViewKeepsWhatWasWrittenBeforeItWhateverIsDeletedOrWrittenAgainAfter() {
    CheckpointStore store = store();
    for (int i = 0; i < 5; i++) {
      store.put(CLUSTER, "trimmed", i, bytes("t" + i));
    }
    store.put(CLUSTER, "deleted", 0, bytes("old"));
    store.put(OTHER_CLUSTER, "cleared", 0, bytes("c0"));
    try (CheckpointStore.Frozen view = store.freeze(CLUSTER);
        CheckpointStore.Frozen otherView = store.freeze(OTHER_CLUSTER)) {
      store.deleteBefore(CLUSTER, "trimmed", 3);
      store.deleteWorkflow(CLUSTER, "deleted");
      store.put(CLUSTER, "deleted", 0, bytes("new")); // the same id started again
      store.clear(OTHER_CLUSTER);
      store.put(CLUSTER, "later", 0, bytes("l0"));
      settle(store);

      assertThat(values(view.read("trimmed", 0, 5))).containsExactly("0=t0", "1=t1", "2=t2", "3=t3", "4=t4");
      assertThat(values(view.read("deleted", 0, 10))).containsExactly("0=old");
      assertThat(values(otherView.read("cleared", 0, 10))).containsExactly("0=c0");
      assertThat(view.read("cleared", 0, 10)).as("another cluster's workflow").isEmpty();
      assertThat(view.read("later", 0, 10)).isEmpty();
      // The store itself reads as it is now.
      assertThat(values(store.read(CLUSTER, "deleted", 0, 10))).containsExactly("0=new");
      assertThat(values(store.read(CLUSTER, "later", 0, 10))).containsExactly("0=l0");
    }
    settle(store);
    assertThat(values(store.read(CLUSTER, "trimmed", 0, 10))).containsExactly("3=t3", "4=t4");
    assertThat(values(store.read(CLUSTER, "deleted", 0, 10))).containsExactly("0=new");
    assertThat(store.read(OTHER_CLUSTER, "cleared", 0, 10)).isEmpty();
  }

  @Test
  void aClearHeldBackByAViewSparesWhatARestoreWroteAfterIt() {
    CheckpointStore store = store();
    store.put(CLUSTER, "w", 0, bytes("before"));
    CheckpointStore.Frozen view = store.freeze(CLUSTER);
    store.clear(CLUSTER);
    store.putAll(CLUSTER, List.of(new CheckpointStore.Put("w", 0, bytes("restored")),
        new CheckpointStore.Put("v", 0, bytes("restored-v"))));
    settle(store);
    assertThat(values(view.read("w", 0, 10))).containsExactly("0=before");
    view.close();
    view.close(); // idempotent
    settle(store);
    assertThat(values(store.read(CLUSTER, "w", 0, 10))).containsExactly("0=restored");
    assertThat(values(store.read(CLUSTER, "v", 0, 10))).containsExactly("0=restored-v");
  }

  @Test
  void deletesWaitForEveryOpenView() {
    CheckpointStore store = store();
    store.put(CLUSTER, "a", 0, bytes("a0"));
    store.put(CLUSTER, "b", 0, bytes("b0"));
    CheckpointStore.Frozen first = store.freeze(CLUSTER);
    store.deleteWorkflow(CLUSTER, "a");
    CheckpointStore.Frozen second = store.freeze(CLUSTER);
    store.deleteWorkflow(CLUSTER, "b");
    first.close();
    settle(store);
    assertThat(values(first.read("a", 0, 1))).containsExactly("0=a0");
    assertThat(values(second.read("b", 0, 1))).containsExactly("0=b0");
    second.close();
    settle(store);
    assertThat(store.read(CLUSTER, "a", 0, 1)).isEmpty();
    assertThat(store.read(CLUSTER, "b", 0, 1)).isEmpty();
  }

  @Test
  void aFrozenWorkflowSnapshotWrittenLaterIsTheSnapshotOfTheFreezeWhateverWasAppliedSince() throws IOException {
    WorkflowStateMachine sm = new WorkflowStateMachine(CLUSTER, store());
    Applier log = new Applier(sm);
    log.run("kept", 40);
    log.apply(new WorkflowCommand.Finish("kept", OWNER, 40, "\"done\"", null, null, 2_000, null, null, 100));
    log.run("trimmed", 40);
    log.apply(new WorkflowCommand.Finish("trimmed", OWNER, 40, "\"done\"", null, null, 2_100, null, null, 5));
    log.run("running", 3);

    ByteArrayOutputStream onContext = new ByteArrayOutputStream();
    sm.snapshot(onContext);
    StateMachine.FrozenSnapshot frozen = sm.freeze();
    assertThat(frozen).as("a store that freezes").isNotNull();

    // Everything a snapshot holds changes after the freeze: appends, an end without history, a prune of every ended
    // record, and an id started again.
    log.appendAt("running", 3, 4);
    log.apply(new WorkflowCommand.Finish("running", OWNER, 7, "\"done\"", null, null, 3_000, null, null, 0));
    log.apply(new WorkflowCommand.Prune(0, Long.MAX_VALUE));
    log.run("kept", 2);

    ByteArrayOutputStream offContext = new ByteArrayOutputStream();
    try (frozen) {
      frozen.write(offContext);
    }
    assertThat(offContext.toByteArray()).isEqualTo(onContext.toByteArray());

    WorkflowStateMachine restored = new WorkflowStateMachine(CLUSTER, new InHeapCheckpointStore());
    restored.restore(new ByteArrayInputStream(offContext.toByteArray()));
    assertThat(restored.get("kept").checkpointCount).isEqualTo(40);
    assertThat(restored.get("running").checkpointCount).isEqualTo(3);
    assertThat(restored.endedCount()).isEqualTo(2);
  }

  /** Applies commands through the codec, as the log does. */
  private static final class Applier {
    private final WorkflowStateMachine sm;
    private long index;

    Applier(WorkflowStateMachine sm) {
      this.sm = sm;
    }

    void apply(WorkflowCommand c) {
      sm.apply(++index, WorkflowStateMachine.CODEC.decode(WorkflowStateMachine.CODEC.encode(c)));
    }

    void run(String id, int entries) {
      apply(new WorkflowCommand.Start(id, "t", 1, "\"in\"", OWNER, 1_000));
      appendAt(id, 0, entries);
    }

    void appendAt(String id, int from, int count) {
      for (int i = from; i < from + count; i++) {
        apply(new WorkflowCommand.Append(id, OWNER, i, "k" + i, Integer.toString(i), null, null));
      }
    }
  }
}
