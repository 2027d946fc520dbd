package io.raftoral.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.raftoral.raft.Entry;
import io.raftoral.raft.EntryType;
import io.raftoral.raft.PersistentState;
import io.raftoral.raft.RaftNode;
import io.raftoral.raft.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL ({@link ProcessHandle#destroyForcibly()}) again and again and checks that
 * the LMDB store kept every write whose future had succeeded: the child ({@link CrashWriterMain}) prints {@code ACK}
 * only after a write's future succeeded, so every acked index must be stored after the kill. One directory serves
 * all iterations, so the log (two interleaved groups, compacted now and then) keeps growing across crashes, and each
 * child continues from what the store holds.
 *
 * <p>A process kill leaves the page cache intact, so this checks that futures complete only after the commit and
 * that a store reopens consistently after dying at any point; it does not check fsync against power loss.
 *
 * <p>Seed and iterations: {@code -Draftoral.crash.seed=...} (default 4), {@code -Draftoral.crash.iterations=...}
 * (default 20).
 */
class LmdbCrashTest {

  private static final long ACK_DEADLINE_MS = 30_000;

  @TempDir
  Path tmp;

  private Vertx vertx;
  private Process child;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null && child.isAlive()) {
      child.toHandle().destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What the reader thread saw on a child's stdout. */
  private static final class ChildOutput {
    final Map<Long, Long> acked = new HashMap<>();
    final Map<Long, Long> snapshots = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    String start;
    long ackLines;
    boolean eof;

    ChildOutput(Map<Long, Long> ackedBefore, Map<Long, Long> snapshotsBefore) {
      acked.putAll(ackedBefore);
      snapshots.putAll(snapshotsBefore);
    }

    synchronized void line(String line) {
      String[] f = line.split(" ");
      if (f[0].equals("START")) {
        start = line;
      } else if ((f[0].equals("ACK") || f[0].equals("SNAP")) && f.length == 3) {
        long group = Long.parseLong(f[1]);
        long index = Long.parseLong(f[2]);
        Map<Long, Long> seen = f[0].equals("ACK") ? acked : snapshots;
        long before = seen.getOrDefault(group, 0L);
        if (index <= before) {
          // Futures of one group complete in submission order, so the acked index only grows.
          problems.add(line + " after " + before);
        }
        seen.put(group, Math.max(before, index));
        if (f[0].equals("ACK")) {
          ackLines++;
          notifyAll();
        }
      } else {
        problems.add("unexpected line: " + line);
      }
    }

    synchronized void eof() {
      eof = true;
      notifyAll();
    }

    /** Waits until {@code target} ACK lines arrived; false when the child's output ended or the deadline passed. */
    synchronized boolean awaitAcks(long target, long deadlineMs) throws InterruptedException {
      long end = System.currentTimeMillis() + deadlineMs;
      while (ackLines < target && !eof) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return ackLines >= target;
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void everyAckedWriteSurvivesSigkill() throws Exception {
    long seed = Long.getLong("raftoral.crash.seed", 4);
    int iterations = Integer.getInteger("raftoral.crash.iterations", 20);
    Random random = new Random(seed);
    Path directory = tmp.resolve("store");
    Map<Long, Long> acked = new HashMap<>();
    Map<Long, Long> snapshots = new HashMap<>();
    for (long g : CrashWriterMain.GROUPS) {
      acked.put(g, 0L);
      snapshots.put(g, 0L);
    }
    long ackedWrites = 0;
    long ackedEntries = 0;
    long started = System.nanoTime();

    for (int iteration = 0; iteration < iterations; iteration++) {
      int target = 50 + random.nextInt(1951);
      Path stderr = tmp.resolve("child-" + iteration + ".err");
      child = new ProcessBuilder(childCommand(directory, random.nextLong()))
          .redirectError(stderr.toFile())
          .start();
      ChildOutput output = new ChildOutput(acked, snapshots);
      Process p = child;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
          String line;
          while ((line = r.readLine()) != null) {
            output.line(line);
          }
        } catch (IOException | RuntimeException e) {
          synchronized (output) {
            output.problems.add("reading the child's stdout: " + e);
          }
        } finally {
          output.eof();
        }
      }, "crash-child-reader-" + iteration);
      reader.setDaemon(true);
      reader.start();

      long waitStart = System.nanoTime();
      boolean reached = output.awaitAcks(target, ACK_DEADLINE_MS);
      long waitedMs = (System.nanoTime() - waitStart) / 1_000_000;
      boolean diedEarly;
      synchronized (output) {
        diedEarly = output.eof || !child.isAlive(); // its stdout ends as it exits, slightly before isAlive() knows
      }
      String threadDump = reached || diedEarly ? "" : threadDump(child);
      // SIGKILL through the process handle: Process.destroyForcibly() would also close our end of the child's
      // stdout, losing the ACK lines still in the pipe; those writes were acked too and are checked as well.
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child of iteration %d ends after SIGKILL", iteration)
          .isTrue();
      reader.join(30_000); // every line the child wrote before it died, including the ACKs after the target
      assertThat(reader.isAlive()).as("reader thread of iteration %d ends", iteration).isFalse();
      if (!reached || diedEarly) {
        synchronized (output) {
          fail("iteration " + iteration + ": the child " + (diedEarly ? "died" : "did not ack " + target + " writes")
              + " (exit " + child.exitValue() + ", waited " + waitedMs + " ms, stdout "
              + (output.eof ? "ended" : "open") + ") after " + output.ackLines + " acks; START line: " + output.start
              + "; other stdout: " + output.problems + "; stderr:\n" + Files.readString(stderr) + threadDump);
        }
      }
      assertThat(output.start).as("iteration %d: START line", iteration).isNotNull();
      assertThat(output.problems).as("iteration %d: child output problems", iteration).isEmpty();

      for (long g : CrashWriterMain.GROUPS) {
        ackedEntries += output.acked.get(g) - acked.get(g);
      }
      ackedWrites += output.ackLines;
      acked.putAll(output.acked);
      snapshots.putAll(output.snapshots);
      verifyStore(directory, iteration, acked, snapshots);
    }

    System.out.printf("LmdbCrashTest: %d iterations (seed %d), %d acked writes, %d acked entries, "
            + "groups' acked last indexes %s, snapshots %s, %.1f s%n", iterations, seed, ackedWrites, ackedEntries,
        acked, snapshots, (System.nanoTime() - started) / 1e9);
  }

  /** The child's threads, for a child that stopped acking. */
  private static String threadDump(Process p) {
    try {
      Process jstack = new ProcessBuilder(System.getProperty("java.home") + "/bin/jstack", Long.toString(p.pid()))
          .redirectErrorStream(true).start();
      String dump = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jstack.waitFor(30, TimeUnit.SECONDS);
      return "\nthreads of the child:\n" + dump;
    } catch (IOException | InterruptedException e) {
      return "\n(no thread dump: " + e + ")";
    }
  }

  private static List<String> childCommand(Path directory, long seed) {
    return List.of(System.getProperty("java.home") + "/bin/java",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        // a short-lived writer: start fast, stay small next to the test JVM on a 2-core machine
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        CrashWriterMain.class.getName(), directory.toString(), Long.toString(seed));
  }

  /** Opens the store after the kill and checks every group against what was acked. */
  private void verifyStore(Path directory, int iteration, Map<Long, Long> acked, Map<Long, Long> snapshots)
      throws Exception {
    LmdbLogStore store = LmdbLogStore.open(vertx, directory);
    try {
      for (long g : CrashWriterMain.GROUPS) {
        String where = "iteration " + iteration + ", group " + g;
        PersistentState state = await(store.load(g));
        if (acked.get(g) == 0) {
          continue; // nothing promised yet; whatever is there was checked by load()'s own consistency checks
        }
        assertThat(state).as("%s: stored state", where).isNotNull();
        Snapshot snapshot = state.snapshot();
        List<Entry> entries = state.entries();
        long last = snapshot.index() + entries.size();

        assertThat(last).as("%s: last index covers every acked index", where).isGreaterThanOrEqualTo(acked.get(g));
        assertThat(snapshot.index()).as("%s: acked compaction kept", where)
            .isGreaterThanOrEqualTo(snapshots.get(g));
        if (snapshot.index() > 0) {
          assertThat(snapshot.membership()).as("%s: snapshot membership", where)
              .isEqualTo(CrashWriterMain.MEMBERSHIP);
          assertThat(Arrays.equals(snapshot.data(), CrashWriterMain.snapshotData(g, snapshot.index())))
              .as("%s: data of snapshot %d (%d bytes)", where, snapshot.index(), snapshot.data().length).isTrue();
        }

        long expected = snapshot.index() + 1;
        long term = snapshot.term();
        for (Entry e : entries) {
          assertThat(e.index()).as("%s: contiguous from snapshot %d + 1", where, snapshot.index())
              .isEqualTo(expected);
          assertThat(e.type()).as("%s: type of entry %d", where, e.index()).isEqualTo(EntryType.NORMAL);
          assertThat(Arrays.equals(e.data(), CrashWriterMain.payload(g, e.index())))
              .as("%s: payload of entry %d: %s", where, e.index(), new String(e.data(), StandardCharsets.US_ASCII))
              .isTrue();
          assertThat(e.term()).as("%s: term of entry %d never below the one before", where, e.index())
              .isGreaterThanOrEqualTo(term).isPositive();
          term = e.term();
          expected++;
        }

        assertThat(state.hardState().commit()).as("%s: commit <= last index %d", where, last)
            .isLessThanOrEqualTo(last);
        assertThat(state.hardState().term()).as("%s: hard state term >= last entry's", where)
            .isGreaterThanOrEqualTo(term).isPositive();
        assertThat(state.hardState().vote()).as("%s: vote", where).isEqualTo(RaftNode.NONE);
      }
    } finally {
      await(store.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
