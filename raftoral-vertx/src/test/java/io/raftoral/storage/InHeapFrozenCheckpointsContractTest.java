package io.raftoral.storage;

/** {@link FrozenCheckpointsContractTest} for the in-heap store. */
class InHeapFrozenCheckpointsContractTest extends FrozenCheckpointsContractTest {

  @Override
  protected CheckpointStore store() {
    return new InHeapCheckpointStore();
  }
}
