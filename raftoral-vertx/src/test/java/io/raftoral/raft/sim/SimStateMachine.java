package io.raftoral.raft.sim;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The state machine each simulated server applies entries to: it records a fingerprint of every applied entry, so
 * its snapshot is its whole applied history and two replicas can be compared index by index.
 */
final class SimStateMachine {

  private long[] fingerprints = new long[64];
  long appliedIndex;

  static long fingerprint(Entry e) {
    long h = e.term() * 1_000_003L + e.type().ordinal();
    return h * 31 + Arrays.hashCode(e.data());
  }

  /** Proposal id carried by a normal entry, or -1 for no-ops and configuration changes. */
  static long proposalId(Entry e) {
    return e.data().length == 8 && e.type() == EntryType.NORMAL ? ByteBuffer.wrap(e.data()).getLong() : -1;
  }

  void apply(Entry e) {
    if (e.index() != appliedIndex + 1) {
      throw new IllegalStateException("applying " + e.index() + " after " + appliedIndex);
    }
    ensure(e.index());
    fingerprints[(int) e.index()] = fingerprint(e);
    appliedIndex = e.index();
  }

  long fingerprintAt(long index) {
    return fingerprints[(int) index];
  }

  byte[] snapshot(long upTo) {
    ByteBuffer buf = ByteBuffer.allocate((int) (8 * upTo));
    for (int i = 1; i <= upTo; i++) {
      buf.putLong(fingerprints[i]);
    }
    return buf.array();
  }

  void restore(long index, byte[] data) {
    if (data.length != 8 * index) {
      throw new IllegalStateException("snapshot at " + index + " has " + data.length + " bytes");
    }
    fingerprints = new long[64];
    ensure(index);
    ByteBuffer buf = ByteBuffer.wrap(data);
    for (int i = 1; i <= index; i++) {
      fingerprints[i] = buf.getLong();
    }
    appliedIndex = index;
  }

  private void ensure(long index) {
    if (index >= fingerprints.length) {
      fingerprints = Arrays.copyOf(fingerprints, (int) Math.max(index + 1, fingerprints.length * 2L));
    }
  }
}
