package io.raftoral.node.impl;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.raftoral.async.Bridge;
import io.raftoral.management.ExecutionCluster;
import io.raftoral.management.ManagementView;
import io.raftoral.management.NodeRecord;
import io.raftoral.management.NodeState;
import io.raftoral.node.PeerRequests;
import io.raftoral.raft.RaftNode;
import io.raftoral.tracing.RaftoralTracing;
import io.raftoral.workflow.ExecutionClusterUnavailableException;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowRegistry;
import io.raftoral.workflow.WorkflowRuntime;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The {@link JsonWorkflowClient} of a node: each call goes to the execution cluster holding (or chosen for) the
 * workflow, locally when this node is a member, else forwarded over {@link PeerRequests} to a member of it (trying
 * the members in turn).
 *
 * <p>A start is one start however often it is tried. The id is fixed here, on the entry node, before the first
 * attempt (the caller's, else a new UUID), so a retry on another member after an outcome-unknown failure (a
 * timeout, a lost connection, a status read that timed out after the start committed) finds the workflow already
 * started and answers with it. A caller id is started where it already exists: every known execution cluster is
 * asked first (a linearizable status read), and only when none holds it does {@link CallerIdPlacement} choose one.
 * A cluster that cannot answer refuses the start (unavailable, to be retried), since the id might be there. What
 * remains: two first starts of the same caller id racing through nodes that choose different clusters (their views
 * differ, or a cluster was added between the two) can both find it nowhere and start it twice; ids the caller
 * does not choose cannot collide.
 *
 * <p>Also serves the forwarded requests ({@link #handle}, by {@link ForwardedRequestHandler}); replies and the
 * exceptions they stand for are {@link RoutedReply}'s. Futures complete on any thread.
 */
public final class RoutingWorkflowClient implements JsonWorkflowClient {

  /** How long a node that knows no execution cluster yet (it has just joined) waits for one before refusing. */
  private static final long CLUSTER_WAIT_MILLIS = 5_000;
  /** How often such a node looks again for an execution cluster. */
  private static final long CLUSTER_POLL_MILLIS = 50;

  private final Vertx vertx;
  private final long nodeId;
  private final Map<Long, WorkflowRuntime> local;
  private final Supplier<ManagementView> view;
  private final PeerRequests peers;
  private final WorkflowRegistry registry;
  private final ForwardedRequestHandler handler;
  private final RequestSpans spans;
  private final AtomicLong roundRobin = new AtomicLong();

  public RoutingWorkflowClient(Vertx vertx, long nodeId, Map<Long, WorkflowRuntime> local,
      Supplier<ManagementView> view, PeerRequests peers, WorkflowRegistry registry) {
    this(vertx, nodeId, local, view, peers, registry, RaftoralTracing.disabled());
  }

  /** A router whose requests are traced with {@code tracing} (README "Traces"). */
  public RoutingWorkflowClient(Vertx vertx, long nodeId, Map<Long, WorkflowRuntime> local,
      Supplier<ManagementView> view, PeerRequests peers, WorkflowRegistry registry, RaftoralTracing tracing) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.local = local;
    this.view = view;
    this.peers = peers;
    this.registry = registry;
    this.spans = new RequestSpans(Objects.requireNonNull(tracing, "tracing"), nodeId);
    this.handler = new ForwardedRequestHandler(nodeId, local, spans);
  }

  /**
   * Runs a request forwarded by another node on the local runtime of its cluster (in a span continuing the trace
   * context it carries); always completes with a reply object ({@code ok}, or {@code error} with a code and a
   * message), never fails.
   */
  public Future<JsonObject> handle(JsonObject req) {
    return handler.handleForwarded(req);
  }

  /** Execution clusters that have members, by id. */
  private List<Long> clusterIds() {
    List<Long> ids = new ArrayList<>();
    for (ExecutionCluster c : view.get().clusters().values()) {
      if (!c.desiredMembers().isEmpty() || !c.reportedVoters().isEmpty()) {
        ids.add(c.id());
      }
    }
    for (Long id : local.keySet()) {
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    ids.sort(Comparator.naturalOrder());
    return ids;
  }

  @Override
  public Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(inputJson, "inputJson");
    Objects.requireNonNull(options, "options");
    // The caller's trace context (a REST or gRPC server span, an application's span), taken on subscription.
    return Uni.createFrom().deferred(() -> start(name, version, inputJson, options, Context.current()));
  }

  private Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options,
      Context caller) {
    return Bridge.uni(() -> {
      // Refused here rather than by the member: this node's registrations are the cluster's, and a bad type is
      // the caller's error whichever node it called.
      registry.require(name, version);
      return knownClusters(System.currentTimeMillis() + CLUSTER_WAIT_MILLIS);
    }).flatMap(clusters -> Bridge.uni(() -> {
      String callerId = options.getWorkflowId();
      // Fixed once, before the first attempt: every retry of this start (another member, after an outcome-unknown
      // failure) is then the same idempotent start, never a second workflow.
      String id = callerId != null ? callerId : UUID.randomUUID().toString();
      JsonObject req = new JsonObject().put("op", "start").put("name", name).put("version", version)
          .put("input", inputJson).put("workflowId", id);
      Span route = spans.route(req, caller);
      Future<Long> cluster = callerId != null ? clusterForCallerId(callerId, clusters)
          : Future.succeededFuture(clusterForNewId(clusters));
      return RequestSpans.endWith(route, cluster.compose(c -> {
        route.setAttribute(RaftoralTracing.EXECUTION_CLUSTER_ID, c);
        return call(c, req);
      }).map(r -> WorkflowStatus.fromJson(r.getJsonObject("status"))));
    }));
  }

  /** A workflow with a new id runs in a local cluster, else in the known clusters in turn. */
  private long clusterForNewId(List<Long> clusters) {
    if (!local.isEmpty()) {
      return local.keySet().iterator().next();
    }
    return clusters.get((int) (roundRobin.getAndIncrement() % clusters.size()));
  }

  /**
   * The cluster that holds {@code workflowId} already, else the one {@link CallerIdPlacement} chooses; fails as
   * unavailable when a cluster cannot say whether it holds the id.
   */
  private Future<Long> clusterForCallerId(String workflowId, List<Long> clusters) {
    if (clusters.size() == 1) {
      // The probe could only name this cluster, and the start there is idempotent: skip a read per start.
      return Future.succeededFuture(clusters.get(0));
    }
    List<Future<Boolean>> probes = new ArrayList<>(clusters.size());
    for (long cluster : clusters) {
      probes.add(statusIn(cluster, workflowId).map(s -> true).recover(e -> e instanceof WorkflowNotFoundException
          ? Future.succeededFuture(false)
          : Future.failedFuture(new ExecutionClusterUnavailableException("cannot tell whether workflow id '"
              + workflowId + "' exists in execution cluster " + cluster + ": " + e.getMessage()))));
    }
    return Future.all(probes).map(found -> {
      for (int i = 0; i < clusters.size(); i++) {
        if (found.<Boolean>resultAt(i)) {
          return clusters.get(i);
        }
      }
      return CallerIdPlacement.clusterFor(workflowId, clusters);
    });
  }

  /** The execution clusters, once this node knows at least one (polled until {@code deadline}). */
  private Future<List<Long>> knownClusters(long deadline) {
    List<Long> clusters = clusterIds();
    if (!clusters.isEmpty()) {
      return Future.succeededFuture(clusters);
    }
    if (System.currentTimeMillis() > deadline) {
      return Future.failedFuture(new ExecutionClusterUnavailableException("no execution cluster is known to node "
          + nodeId + " yet"));
    }
    Promise<Void> tick = Promise.promise();
    vertx.setTimer(CLUSTER_POLL_MILLIS, t -> tick.complete());
    return tick.future().compose(v -> knownClusters(deadline));
  }

  @Override
  public Uni<WorkflowStatus> await(String workflowId, Long executionClusterId, Duration timeout) {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(timeout, "timeout");
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> call(cluster, new JsonObject()
        .put("op", "await").put("workflowId", workflowId).put("timeoutMillis", Math.max(1, timeout.toMillis())))
        .map(r -> WorkflowStatus.fromJson(r.getJsonObject("status")))));
  }

  @Override
  public Uni<WorkflowStatus> status(String workflowId, Long executionClusterId) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> statusIn(cluster, workflowId)));
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, Long executionClusterId, String reason) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> call(cluster, new JsonObject()
        .put("op", "terminate").put("workflowId", workflowId).put("reason", reason))
        .map(r -> WorkflowStatus.fromJson(r.getJsonObject("status")))));
  }

  @Override
  public Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson,
      String signalId) {
    Objects.requireNonNull(workflowId, "workflowId");
    // one id before the first attempt: a retry on another member after an unknown outcome is the same signal
    String id = signalId != null ? signalId : UUID.randomUUID().toString();
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> call(cluster, new JsonObject()
        .put("op", "signal").put("workflowId", workflowId).put("name", name).put("input", payloadJson)
        .put("signalId", id))
        .map(r -> WorkflowStatus.fromJson(r.getJsonObject("status")))));
  }

  @Override
  public Uni<String> query(String workflowId, Long executionClusterId, String name) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> call(cluster, new JsonObject()
        .put("op", "query").put("workflowId", workflowId).put("name", name))
        .map(r -> r.getString("result"))));
  }

  @Override
  public Uni<HistoryPage> history(String workflowId, Long executionClusterId, int pageSize, String pageToken) {
    Objects.requireNonNull(workflowId, "workflowId");
    if (pageSize < 1 || pageSize > HistoryPage.MAX_PAGE_SIZE) {
      // refused before the workflow is looked for: a bad page size is the caller's error whichever workflow it names
      return Uni.createFrom().failure(new IllegalArgumentException("page size must be 1 to "
          + HistoryPage.MAX_PAGE_SIZE + ": " + pageSize));
    }
    return Bridge.uni(() -> locate(workflowId, executionClusterId).compose(cluster -> call(cluster, new JsonObject()
        .put("op", "history").put("workflowId", workflowId).put("pageSize", pageSize).put("pageToken", pageToken))
        .map(RoutedHistory::fromReply)));
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    Objects.requireNonNull(filter, "filter");
    return Bridge.uni(() -> {
      List<Future<List<WorkflowStatus>>> parts = new ArrayList<>();
      for (long cluster : clusterIds()) {
        parts.add(call(cluster, new JsonObject().put("op", "list").put("filter", filter.toJson()))
            .map(RoutingWorkflowClient::statuses));
      }
      return Future.all(parts).map(all -> {
        List<WorkflowStatus> merged = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          merged.addAll(all.<List<WorkflowStatus>>resultAt(i));
        }
        merged.sort(Comparator.comparing(WorkflowStatus::startedAt).thenComparing(WorkflowStatus::workflowId));
        return merged.size() > filter.limit() ? new ArrayList<>(merged.subList(0, filter.limit())) : merged;
      });
    });
  }

  private Future<WorkflowStatus> statusIn(long cluster, String workflowId) {
    return call(cluster, new JsonObject().put("op", "status").put("workflowId", workflowId))
        .map(r -> WorkflowStatus.fromJson(r.getJsonObject("status")));
  }

  /** The cluster holding {@code workflowId}: the hint if given, else the first (local ones first) that knows it. */
  private Future<Long> locate(String workflowId, Long hint) {
    if (hint != null) {
      return Future.succeededFuture(hint);
    }
    List<Long> order = new ArrayList<>(local.keySet());
    for (long c : clusterIds()) {
      if (!order.contains(c)) {
        order.add(c);
      }
    }
    return locateIn(workflowId, order, 0);
  }

  private Future<Long> locateIn(String workflowId, List<Long> clusters, int i) {
    if (i >= clusters.size()) {
      return Future.failedFuture(new WorkflowNotFoundException(workflowId));
    }
    long cluster = clusters.get(i);
    return statusIn(cluster, workflowId).map(s -> cluster).recover(e -> e instanceof WorkflowNotFoundException
        ? locateIn(workflowId, clusters, i + 1) : Future.failedFuture(e));
  }

  /**
   * Runs {@code req} on execution cluster {@code cluster}: here if this node is a member that knows the cluster's
   * leader, else on another member (members tried in turn; a local member that has just joined may not know the
   * leader yet, and one cut off from the others cannot serve).
   */
  private Future<JsonObject> call(long cluster, JsonObject req) {
    req.put("clusterId", cluster);
    spans.carry(req, Context.current());
    WorkflowRuntime rt = local.get(cluster);
    List<NodeRecord> targets = remoteMembers(cluster);
    if (rt != null && (rt.group().leaderId() != RaftNode.NONE || targets.isEmpty())) {
      return handler.handle(req).compose(reply -> RoutedReply.isUnavailable(reply) && !targets.isEmpty()
          ? tryMembers(targets, 0, req, RoutedReply.toException(reply)) : RoutedReply.unwrap(reply));
    }
    if (targets.isEmpty()) {
      if (!view.get().clusters().containsKey(cluster)) {
        return Future.failedFuture(new WorkflowNotFoundException(req.getString("workflowId", "?")));
      }
      return Future.failedFuture(new ExecutionClusterUnavailableException("no reachable member of execution "
          + "cluster " + cluster + " is known to node " + nodeId));
    }
    return tryMembers(targets, 0, req, null);
  }

  /** The other members of {@code cluster} that are not known to have failed, with their addresses. */
  private List<NodeRecord> remoteMembers(long cluster) {
    ManagementView v = view.get();
    ExecutionCluster c = v.clusters().get(cluster);
    List<NodeRecord> targets = new ArrayList<>();
    if (c == null) {
      return targets;
    }
    Set<Long> members = new LinkedHashSet<>(c.reportedVoters());
    members.addAll(c.desiredMembers());
    members.remove(nodeId);
    for (long m : members) {
      NodeRecord n = v.nodes().get(m);
      if (n != null && n.state() != NodeState.FAILED) {
        targets.add(n);
      }
    }
    return targets;
  }

  private Future<JsonObject> tryMembers(List<NodeRecord> targets, int i, JsonObject req, Throwable last) {
    if (i >= targets.size()) {
      return Future.failedFuture(last != null ? last
          : new ExecutionClusterUnavailableException("no member of the execution cluster answered"));
    }
    NodeRecord target = targets.get(i);
    return peers.request(target.id(), target.address(), req).compose(reply -> RoutedReply.isWorthAnotherMember(reply)
        ? tryMembers(targets, i + 1, req, RoutedReply.toException(reply))
        : RoutedReply.unwrap(reply), e -> tryMembers(targets, i + 1, req, e));
  }

  private static List<WorkflowStatus> statuses(JsonObject reply) {
    List<WorkflowStatus> out = new ArrayList<>();
    for (Object o : reply.getJsonArray("statuses")) {
      out.add(WorkflowStatus.fromJson((JsonObject) o));
    }
    return out;
  }
}
