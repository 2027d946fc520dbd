package io.raftoral.lmdb;

import io.raftoral.raft.Entry;
import io.raftoral.raft.HardState;
import io.raftoral.raft.Membership;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Snapshot;
import io.raftoral.storage.StoreWrite;
import io.vertx.core.Vertx;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link LmdbCrashTest}: writes to an {@link LmdbLogStore} as fast as it can until it is killed.
 *
 * <p>Usage: {@code CrashWriterMain <directory> [seed]}. On start it loads groups {@link #GROUPS} and continues each
 * log after its last stored index, in a new term (the stored hard state's term + 1). Then it keeps
 * {@link #IN_FLIGHT} writes outstanding, each of 1 to 8 entries of one randomly chosen group (contiguous indexes per
 * group, payload {@link #payload}) plus a hard state whose commit is the index before the write. Once a write's
 * future succeeded it prints {@code ACK <clusterId> <lastIndex>}; once a compaction
 * ({@link io.raftoral.storage.LogStore#saveSnapshot}, data {@link #snapshotData}) succeeded it prints
 * {@code SNAP <clusterId> <index>}. Every line is flushed at once, so what the parent read was durable before.
 *
 * <p>It never stops by itself, except when a store operation fails (exit 2, cause on stderr) or its stdout is gone
 * (exit 3, the parent died), so it cannot outlive a crashed test run.
 */
public final class CrashWriterMain {

  static final long[] GROUPS = {1, 2};
  static final int IN_FLIGHT = 32;
  static final int MAX_ENTRIES_PER_WRITE = 8;
  /** A group compacts once this many acked entries of this run lie beyond its snapshot. */
  static final long COMPACT_AFTER = 2_000;
  /** Entries kept behind the snapshot index when compacting. */
  static final long COMPACT_KEEP = 200;
  static final Membership MEMBERSHIP = Membership.ofVoters(1L, 2L, 3L);

  private CrashWriterMain() {}

  /** The payload of entry {@code index} of group {@code clusterId}: names both, 0 to 96 bytes of filler. */
  static byte[] payload(long clusterId, long index) {
    byte[] head = ("c" + clusterId + "/i" + index + "/").getBytes(StandardCharsets.US_ASCII);
    int filler = (int) Long.remainderUnsigned(index * 31 + clusterId * 7, 97);
    byte[] data = new byte[head.length + filler];
    System.arraycopy(head, 0, data, 0, head.length);
    for (int i = 0; i < filler; i++) {
      data[head.length + i] = (byte) ('a' + (index + i) % 26);
    }
    return data;
  }

  /** The snapshot data of a compaction of group {@code clusterId} at {@code index}: up to 600 KiB (several chunks). */
  static byte[] snapshotData(long clusterId, long index) {
    byte[] head = ("snapshot c" + clusterId + "/i" + index + "/").getBytes(StandardCharsets.US_ASCII);
    int length = head.length + (int) Long.remainderUnsigned(index * 7919 + clusterId, 600 * 1024);
    byte[] data = new byte[length];
    System.arraycopy(head, 0, data, 0, head.length);
    for (int i = head.length; i < length; i++) {
      data[i] = (byte) (index * 13 + i);
    }
    return data;
  }

  /** Per-group progress; {@code next} and {@code term} only on the main thread, the rest also on the writer's. */
  private static final class Group {
    final long clusterId;
    final long term;
    final long firstOfRun;
    long next;
    volatile long acked;
    volatile long snapshotIndex;
    volatile boolean compacting;

    Group(long clusterId, PersistentState stored) {
      this.clusterId = clusterId;
      long last = stored == null ? 0 : stored.snapshot().index() + stored.entries().size();
      this.term = (stored == null ? 0 : stored.hardState().term()) + 1;
      this.next = last + 1;
      this.firstOfRun = next;
      this.acked = last;
      this.snapshotIndex = stored == null ? 0 : stored.snapshot().index();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: CrashWriterMain <directory> [seed]");
      System.exit(1);
    }
    Path directory = Path.of(args[0]);
    Random random = new Random(args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime());
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.US_ASCII);
    Vertx vertx = Vertx.vertx();
    LmdbLogStore store = LmdbLogStore.open(vertx, directory);

    List<Group> groups = new ArrayList<>();
    for (long id : GROUPS) {
      PersistentState stored = store.load(id).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      groups.add(new Group(id, stored));
    }
    StringBuilder start = new StringBuilder("START");
    groups.forEach(g -> start.append(' ').append(g.clusterId).append(':').append(g.next).append('@').append(g.term));
    println(out, start.toString());

    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    while (true) {
      inFlight.acquire();
      Group g = groups.get(random.nextInt(groups.size()));
      int n = 1 + random.nextInt(MAX_ENTRIES_PER_WRITE);
      long first = g.next;
      long last = first + n - 1;
      List<Entry> entries = new ArrayList<>(n);
      for (long i = first; i <= last; i++) {
        entries.add(Entry.normal(i, g.term, payload(g.clusterId, i)));
      }
      g.next = last + 1;
      // Every earlier write of the group is queued before this one, so commit = first - 1 never exceeds the log.
      HardState hardState = new HardState(g.term, RaftNode.NONE, first - 1);
      store.write(g.clusterId, new StoreWrite(null, entries, hardState)).onComplete(ar -> {
        if (ar.failed()) {
          die(ar.cause(), "write of " + g.clusterId + " [" + first + ".." + last + "]");
        }
        g.acked = last;
        println(out, "ACK " + g.clusterId + " " + last);
        inFlight.release();
      });
      maybeCompact(store, out, g);
    }
  }

  /** Compacts at an acked index written in this run (so the snapshot's term is the entry's term). */
  private static void maybeCompact(LmdbLogStore store, PrintStream out, Group g) {
    long index = g.acked - COMPACT_KEEP;
    if (g.compacting || g.acked - g.snapshotIndex < COMPACT_AFTER || index < g.firstOfRun) {
      return;
    }
    g.compacting = true;
    Snapshot snapshot = new Snapshot(index, g.term, MEMBERSHIP, snapshotData(g.clusterId, index));
    store.saveSnapshot(g.clusterId, snapshot).onComplete(ar -> {
      if (ar.failed()) {
        die(ar.cause(), "compaction of " + g.clusterId + " at " + index);
      }
      g.snapshotIndex = index;
      println(out, "SNAP " + g.clusterId + " " + index);
      g.compacting = false;
    });
  }

  private static void println(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
      if (out.checkError()) {
        Runtime.getRuntime().halt(3); // the parent is gone
      }
    }
  }

  private static void die(Throwable cause, String what) {
    System.err.println("CrashWriterMain: " + what + " failed");
    cause.printStackTrace();
    System.err.flush();
    Runtime.getRuntime().halt(2);
  }
}
