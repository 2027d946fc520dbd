package io.raftoral.group;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SplittableRandom;

/**
 * A state machine whose snapshot is big without costing heap: its state is a command count and a running hash, and
 * its snapshot streams {@code snapshotBytes} of pseudo-random data derived from that state (deterministically, so
 * every replica streams the same bytes) after a small header. Restoring regenerates the data and verifies every
 * byte, so a snapshot installed with one wrong byte fails loudly.
 */
public final class SyntheticSnapshotMachine implements StateMachine<String, Long> {

  /** Commands are strings. */
  public static final CommandCodec<String> CODEC = CommandCodec.utf8();
  private static final int BUFFER_BYTES = 8 * 1024;
  private static final long HASH_MULTIPLIER = 31;

  private final long snapshotBytes;
  private volatile long count;
  private volatile long hash;
  private volatile int restores;
  private volatile int snapshots;

  public SyntheticSnapshotMachine(long snapshotBytes) {
    this.snapshotBytes = snapshotBytes;
  }

  @Override
  public Long apply(long index, String command) {
    hash = hash * HASH_MULTIPLIER + command.hashCode();
    count = count + 1;
    return count;
  }

  /** Commands applied (also through snapshots). */
  public long count() {
    return count;
  }

  /** The running hash of the commands applied. */
  public long hash() {
    return hash;
  }

  /** How many snapshots were restored (each one verified byte by byte). */
  public int restores() {
    return restores;
  }

  /** How many snapshots this replica streamed. */
  public int snapshots() {
    return snapshots;
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    snapshots = snapshots + 1;
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(count);
    data.writeLong(hash);
    data.writeLong(snapshotBytes);
    SplittableRandom random = new SplittableRandom(seed(count, hash));
    byte[] buffer = new byte[BUFFER_BYTES];
    for (long left = snapshotBytes; left > 0; left -= buffer.length) {
      fill(random, buffer);
      data.write(buffer, 0, (int) Math.min(buffer.length, left));
    }
    data.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    long restoredCount = data.readLong();
    long restoredHash = data.readLong();
    long size = data.readLong();
    SplittableRandom random = new SplittableRandom(seed(restoredCount, restoredHash));
    byte[] expected = new byte[BUFFER_BYTES];
    byte[] actual = new byte[BUFFER_BYTES];
    for (long left = size; left > 0; left -= expected.length) {
      fill(random, expected);
      int n = (int) Math.min(expected.length, left);
      data.readFully(actual, 0, n);
      for (int i = 0; i < n; i++) {
        if (actual[i] != expected[i]) {
          throw new IllegalStateException("snapshot byte " + (size - left + i) + " is wrong");
        }
      }
    }
    if (data.read() != -1) {
      throw new IllegalStateException("snapshot longer than its " + size + " bytes of data");
    }
    count = restoredCount;
    hash = restoredHash;
    restores++;
  }

  private static long seed(long count, long hash) {
    return hash * HASH_MULTIPLIER + count;
  }

  private static void fill(SplittableRandom random, byte[] buffer) {
    for (int i = 0; i < buffer.length; i += Long.BYTES) {
      long v = random.nextLong();
      for (int k = 0; k < Long.BYTES; k++) {
        buffer[i + k] = (byte) (v >>> (k * Byte.SIZE));
      }
    }
  }
}
