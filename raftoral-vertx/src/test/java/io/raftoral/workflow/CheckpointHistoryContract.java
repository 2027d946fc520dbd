package io.raftoral.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftoral.group.RaftPreset;
import io.raftoral.host.RaftHost;
import io.raftoral.host.RaftHostOptions;
import io.raftoral.raft.Role;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.InJvmNetwork;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint history of a 3-member execution cluster, run against each node store (its checkpoint store): pages
 * of running and ended workflows on every member, a new owner replaying a journal longer than the hot tail from the
 * store, a member restarted from snapshot and log keeping the history, and the retention modes pruning alike on
 * every member. Subclasses say how a node's store opens (again, after a stop, on the same data).
 */
public abstract class CheckpointHistoryContract {

  private static final long CLUSTER = 1;
  private static final String COUNT = "count";
  /** Longer than the journal's hot tail (32), so that reads and replays go to the store. */
  private static final int LONG = 120;
  private static final long WAIT_MILLIS = 30_000;
  private static final int PAGE = 25;

  private Vertx vertx;
  private InJvmNetwork network;
  private final Map<Long, Node> nodes = new TreeMap<>();
  /** Calls of each compute, by "workflow/step". */
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private volatile int holdAt = Integer.MAX_VALUE;
  private final Promise<Void> release = Promise.promise();

  private record Node(RaftHost host, LogStore store, WorkflowRuntime runtime) {}

  /** Opens node {@code nodeId}'s store: a new one the first time, the same data again after {@link #closeStore}. */
  protected abstract LogStore openStore(Vertx vertx, long nodeId);

  /** Closes a store after its node stopped (a store that lives in memory may stay open). */
  protected abstract Future<Void> closeStore(LogStore store);

  @BeforeEach
  void setUpCluster() {
    vertx = Vertx.vertx();
    network = new InJvmNetwork(vertx);
  }

  @AfterEach
  void tearDownCluster() throws Exception {
    release.tryComplete();
    for (long id : new ArrayList<>(nodes.keySet())) {
      stop(id);
    }
    await(vertx.close());
  }

  /** {@code n} steps: each a compute (counted) then a checkpoint; step {@link #holdAt} waits for the release. */
  private Uni<Integer> count(WorkflowContext ctx, int i, int n) {
    if (i == n) {
      return Uni.createFrom().item(n);
    }
    return ctx.compute("step-" + i, Integer.class, () -> {
      calls.computeIfAbsent(ctx.workflowId() + "/" + i, k -> new AtomicInteger()).incrementAndGet();
      if (i == holdAt) {
        return Uni.createFrom().completionStage(() -> release.future().toCompletionStage()).replaceWith(i);
      }
      return Uni.createFrom().item(i);
    }).flatMap(v -> ctx.checkpoint("after-" + i, v)).flatMap(v -> count(ctx, i + 1, n));
  }

  private void start(long id, boolean founding, HistoryRetention retention) throws Exception {
    LogStore store = openStore(vertx, id);
    RaftHost host = await(RaftHost.start(vertx, new RaftHostOptions().setNodeId(id)
        .setTickMillis(RaftPreset.TESTING.tickMillis()), store, network.transport(id)));
    WorkflowRegistry registry = WorkflowRegistry.create()
        .register(COUNT, 1, Integer.class, Integer.class, (n, ctx) -> count(ctx, 0, n));
    WorkflowRuntime.Builder b = WorkflowRuntime.builder(host, CLUSTER).registry(registry)
        .options(new WorkflowRuntimeOptions().setOwnerTimeoutMillis(500).setHistoryRetention(retention))
        .groupOptions(RaftPreset.TESTING.groupOptions().setSnapshotEveryEntries(40).setSnapshotLogRatio(0));
    if (founding) {
      b.members(1, 2, 3);
    }
    nodes.put(id, new Node(host, store, await(b.start())));
  }

  private void startAll(HistoryRetention retention) throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id, true, retention);
    }
  }

  private void stop(long id) throws Exception {
    Node n = nodes.remove(id);
    await(n.runtime.close());
    await(vertx.undeploy(n.host.deploymentID()));
    await(closeStore(n.store));
  }

  private WorkflowRuntime leader() throws Exception {
    awaitCondition(() -> nodes.values().stream().anyMatch(n -> n.runtime.group().status().role() == Role.LEADER),
        "a leader");
    return nodes.values().stream().filter(n -> n.runtime.group().status().role() == Role.LEADER).findFirst()
        .orElseThrow().runtime;
  }

  private String startCount(int n) throws Exception {
    WorkflowRun<Integer> run = await(leader().<Integer>start(COUNT, 1, n));
    return run.workflowId();
  }

  /** Every page of the history of {@code id} on {@code rt}, {@value #PAGE} at a time. */
  private static List<CheckpointRecord> history(WorkflowRuntime rt, String id) throws Exception {
    List<CheckpointRecord> all = new ArrayList<>();
    String token = null;
    do {
      HistoryPage page = await(rt.history(id, PAGE, token));
      assertThat(page.checkpoints().size()).isLessThanOrEqualTo(PAGE);
      all.addAll(page.checkpoints());
      token = page.nextPageToken();
    } while (token != null);
    return all;
  }

  private void awaitCheckpoints(String id, int count) throws Exception {
    for (Node n : nodes.values()) {
      awaitCondition(() -> statusOf(n.runtime, id) != null && statusOf(n.runtime, id).checkpointCount() >= count,
          count + " checkpoints of " + id);
    }
  }

  private void awaitEnded(String id) throws Exception {
    for (Node n : nodes.values()) {
      assertThat(await(n.runtime.result(id, Duration.ofSeconds(30))).state()).isEqualTo(WorkflowState.COMPLETED);
    }
  }

  private static WorkflowStatus statusOf(WorkflowRuntime rt, String id) {
    try {
      return await(rt.status(id));
    } catch (Exception e) {
      return null;
    }
  }

  private static List<Long> positions(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long p = from; p < to; p++) {
      out.add(p);
    }
    return out;
  }

  @Test
  void historyPagesThroughARunningAndAnEndedWorkflowOnEveryMember() throws Exception {
    startAll(HistoryRetention.keepLast(30));
    holdAt = LONG / 2;
    String id = startCount(LONG);
    awaitCheckpoints(id, LONG);
    String pageTokenOfPosition25 = null;
    for (Node n : nodes.values()) {
      List<CheckpointRecord> running = history(n.runtime, id);
      assertThat(running).extracting(CheckpointRecord::position).containsExactlyElementsOf(positions(0, LONG));
      assertThat(running.get(0).key()).isEqualTo("step-0");
      assertThat(running.get(1).key()).isEqualTo("after-0");
      assertThat(running.get(1).valueJson()).isEqualTo("0");
      long owner = await(n.runtime.status(id)).ownerNode();
      assertThat(running).allSatisfy(c -> {
        assertThat(c.at()).isNotNull();
        assertThat(c.ownerNode()).isEqualTo(owner);
      });
      pageTokenOfPosition25 = await(n.runtime.history(id, PAGE, null)).nextPageToken();
    }
    // Bad input: the error contract of the API.
    WorkflowRuntime rt = nodes.get(1L).runtime;
    assertThatThrownBy(() -> await(rt.history(id, 0, null))).hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(rt.history(id, HistoryPage.MAX_PAGE_SIZE + 1, null)))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(rt.history(id, PAGE, "not-a-token")))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(rt.history("nobody", PAGE, null)))
        .hasCauseInstanceOf(WorkflowNotFoundException.class);
    String other = startCount(2);
    String tokenOfAnother = await(rt.history(id, 1, null)).nextPageToken();
    assertThatThrownBy(() -> await(rt.history(other, PAGE, tokenOfAnother)))
        .hasCauseInstanceOf(IllegalArgumentException.class);

    release.complete();
    awaitEnded(id);
    int total = 2 * LONG;
    for (Node n : nodes.values()) {
      assertThat(history(n.runtime, id)).extracting(CheckpointRecord::position)
          .containsExactlyElementsOf(positions(total - 30, total));
      // A token from before the end continues at the first checkpoint still held.
      HistoryPage resumed = await(n.runtime.history(id, PAGE, pageTokenOfPosition25));
      assertThat(resumed.checkpoints().get(0).position()).isEqualTo(total - 30);
    }
  }

  @Test
  void aNewOwnerReplaysAJournalLongerThanTheHotTailFromTheStore() throws Exception {
    startAll(HistoryRetention.keepAll());
    holdAt = LONG / 2;
    String id = startCount(LONG);
    awaitCheckpoints(id, LONG);
    long owner = await(leader().status(id)).ownerNode();
    stop(owner);
    release.complete();
    awaitEnded(id);
    for (Node n : nodes.values()) {
      WorkflowStatus s = await(n.runtime.status(id));
      assertThat(s.ownerNode()).isNotEqualTo(owner);
      assertThat(s.resultJson()).isEqualTo(Integer.toString(LONG));
      assertThat(history(n.runtime, id)).extracting(CheckpointRecord::position)
          .containsExactlyElementsOf(positions(0, 2 * LONG));
    }
    for (int i = 0; i < LONG / 2; i++) {
      // Committed before the owner died: the new owner's replay read them from the journal, never ran them.
      assertThat(calls.get(id + "/" + i).get()).as("calls of committed step %d", i).isEqualTo(1);
    }
  }

  @Test
  void aMemberRestartedFromSnapshotAndLogKeepsTheHistory() throws Exception {
    startAll(HistoryRetention.keepAll());
    String ended = startCount(LONG);
    awaitEnded(ended);
    holdAt = LONG / 2;
    String running = startCount(LONG);
    awaitCheckpoints(running, LONG);
    List<CheckpointRecord> endedBefore = history(nodes.get(3L).runtime, ended);
    List<CheckpointRecord> runningBefore = history(nodes.get(3L).runtime, running);
    assertThat(endedBefore).hasSize(2 * LONG);
    stop(3);
    start(3, false, HistoryRetention.keepAll());
    awaitCheckpoints(running, LONG);
    assertThat(history(nodes.get(3L).runtime, ended)).isEqualTo(endedBefore);
    assertThat(history(nodes.get(3L).runtime, running)).isEqualTo(runningBefore);
    release.complete();
    awaitEnded(running);
    assertThat(history(nodes.get(3L).runtime, running)).hasSize(2 * LONG)
        .isEqualTo(history(nodes.get(1L).runtime, running));
  }

  @Test
  void theLastNAreKeptAtTheEndOnEveryMember() throws Exception {
    startAll(HistoryRetention.keepLast(7));
    String id = startCount(10);
    awaitEnded(id);
    for (Node n : nodes.values()) {
      assertThat(history(n.runtime, id)).extracting(CheckpointRecord::position)
          .containsExactlyElementsOf(positions(13, 20));
    }
  }

  @Test
  void noHistoryIsKeptWithNone() throws Exception {
    startAll(HistoryRetention.none());
    String id = startCount(10);
    awaitEnded(id);
    for (Node n : nodes.values()) {
      assertThat(history(n.runtime, id)).isEmpty();
      assertThat(await(n.runtime.status(id)).checkpointCount()).isEqualTo(20);
    }
  }

  @Test
  void theDurationIsEnforcedByTheLeadersPruneOnEveryMember() throws Exception {
    startAll(HistoryRetention.keepFor(Duration.ofMillis(300)));
    String id = startCount(10);
    awaitEnded(id);
    for (Node n : nodes.values()) {
      awaitCondition(() -> {
        try {
          return history(n.runtime, id).isEmpty();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, "the history of " + id + " pruned");
      // The record stays (its own retention is longer).
      assertThat(await(n.runtime.status(id)).state()).isEqualTo(WorkflowState.COMPLETED);
    }
  }

  private void awaitCondition(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(10, t -> tick.complete());
      await(tick.future());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static <T> T await(Uni<T> u) throws Exception {
    return u.subscribeAsCompletionStage().get(60, TimeUnit.SECONDS);
  }
}
