package io.raftoral.testkit;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroupOptions;
import io.raftoral.group.RaftPreset;
import io.raftoral.raft.RaftNode;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowRuntimeOptions;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.impl.WorkflowRuntimeImpl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * Nodes of {@link LocalRaftCluster} running one workflow execution cluster: each node has its own
 * {@link WorkflowRegistry} (built by a factory, so a test can count calls per node or give one node other code)
 * and its own {@link WorkflowRuntime}. Nodes can be killed and restarted on their stores.
 */
public final class LocalWorkflowCluster {

  public static final long CLUSTER = 1;

  private final LocalRaftCluster nodes;
  private final LongFunction<WorkflowRegistry> registries;
  private final WorkflowRuntimeOptions options;
  private final RaftGroupOptions groupOptions;
  private final Map<Long, WorkflowRuntime> runtimes = new ConcurrentHashMap<>();
  private final Context own;

  public LocalWorkflowCluster(Vertx vertx, LongFunction<WorkflowRegistry> registries, WorkflowRuntimeOptions options) {
    this(vertx, registries, options, RaftPreset.TESTING.groupOptions());
  }

  public LocalWorkflowCluster(Vertx vertx, LongFunction<WorkflowRegistry> registries, WorkflowRuntimeOptions options,
      RaftGroupOptions groupOptions) {
    this.nodes = new LocalRaftCluster(vertx);
    this.registries = registries;
    this.options = options;
    this.groupOptions = groupOptions;
    this.own = ((VertxInternal) vertx).createEventLoopContext();
  }

  /** A context of the test kit's own (not any node's), for test code that must outlive node kills. */
  public Context context() {
    return own;
  }

  public LocalRaftCluster nodes() {
    return nodes;
  }

  /** Starts nodes {@code ids} founding the execution cluster together. */
  public Future<Void> start(long... ids) {
    return nodes.startNodes(ids).compose(v -> {
      List<Future<?>> all = new ArrayList<>();
      for (long id : ids) {
        all.add(startRuntime(id, ids));
      }
      return Future.all(all);
    }).compose(v -> nodes.awaitLeader(CLUSTER, 10_000)).mapEmpty();
  }

  /** Starts the runtime on node {@code id}: founding with {@code members}, else restarting or joining. */
  public Future<WorkflowRuntime> startRuntime(long id, long... members) {
    WorkflowRuntime.Builder b = WorkflowRuntime.builder(nodes.node(id).host, CLUSTER)
        .registry(registries.apply(id)).options(options).groupOptions(groupOptions);
    if (members.length > 0) {
      b.members(members);
    }
    return Bridge.future(b.start()).onSuccess(rt -> runtimes.put(id, rt));
  }

  public WorkflowRuntime runtime(long id) {
    return runtimes.get(id);
  }

  /** The runtime of the current leader. */
  public WorkflowRuntime leaderRuntime() {
    long l = nodes.leader(CLUSTER);
    return l == RaftNode.NONE ? null : runtimes.get(l);
  }

  public long leader() {
    return nodes.leader(CLUSTER);
  }

  public Future<Long> awaitLeader() {
    return nodes.awaitLeader(CLUSTER, 10_000);
  }

  /** Local executions on node {@code id}. */
  public int executions(long id) {
    WorkflowRuntime rt = runtimes.get(id);
    return rt == null ? 0 : ((WorkflowRuntimeImpl) rt).localExecutionCount();
  }

  /** Kills node {@code id} like a power cut (its runtime goes with it). */
  public Future<Void> kill(long id) {
    WorkflowRuntime rt = runtimes.remove(id);
    Future<Void> closed = rt == null ? Future.succeededFuture() : Bridge.future(rt.close());
    return closed.compose(v -> nodes.kill(id));
  }

  /** Restarts node {@code id} on its store with its runtime. */
  public Future<WorkflowRuntime> restart(long id) {
    return nodes.restart(id).compose(h -> startRuntime(id));
  }

  public Future<Void> await(BooleanSupplier condition, long timeoutMs, String what) {
    return nodes.await(condition, timeoutMs, what);
  }

  /**
   * Polls the status of workflow {@code id} on node {@code node} (linearizable reads) until {@code condition} holds
   * or {@code timeoutMs} passes.
   */
  public Future<WorkflowStatus> awaitStatus(long node, String id, Predicate<WorkflowStatus> condition,
      long timeoutMs, String what) {
    Promise<WorkflowStatus> p = Promise.promise();
    pollStatus(node, id, condition, System.currentTimeMillis() + timeoutMs, what, p);
    return p.future();
  }

  private void pollStatus(long node, String id, Predicate<WorkflowStatus> condition,
      long deadline, String what, Promise<WorkflowStatus> p) {
    WorkflowRuntime rt = runtimes.get(node);
    Future<WorkflowStatus> status = rt == null ? Future.failedFuture("node " + node + " is down")
        : Future.fromCompletionStage(rt.status(id).subscribeAsCompletionStage());
    status.onComplete(ar -> {
      if (ar.succeeded() && condition.test(ar.result())) {
        p.tryComplete(ar.result());
      } else if (System.currentTimeMillis() > deadline) {
        p.tryFail(new AssertionError("timed out waiting for " + what + " on node " + node
            + (ar.succeeded() ? "; last status " + ar.result() : "; last error " + ar.cause())));
      } else {
        // From a context of the test kit's own: the status may have completed on a node that is being killed,
        // and a timer set from a dead verticle's context never fires.
        own.runOnContext(v -> nodes.vertx().setTimer(Math.max(1, nodes.tickMillis()), t -> pollStatus(node, id,
            condition, deadline, what, p)));
      }
    });
  }

  public Future<Void> close() {
    List<Future<?>> all = new ArrayList<>();
    runtimes.values().forEach(rt -> all.add(Bridge.future(rt.close())));
    runtimes.clear();
    return Future.all(all).compose(v -> nodes.close());
  }
}
