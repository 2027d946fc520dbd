package io.raftoral.http.api;

import io.raftoral.async.Bridge;
import io.raftoral.client.NetworkClientOptions;
import io.raftoral.client.NetworkWorkflowClient;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.RemoteCall;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIdConflictException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRegisteredException;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.WorkflowWaitTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link JsonWorkflowClient} over a node's HTTP API ({@link WorkflowHttpApi}): what scripts and the CLI's
 * {@code client} command use instead of curl. Given several node addresses it tries them in turn, moving on only
 * when a node cannot be connected to (so a request is never sent twice); the first address that worked is tried
 * first next time.
 *
 * <p>Errors come back as the exceptions {@link JsonWorkflowClient} documents ({@link WorkflowNotFoundException},
 * {@link WorkflowNotRegisteredException}, {@link WorkflowIdConflictException}, {@link WorkflowWaitTimeoutException},
 * {@link IllegalArgumentException}); anything else (no leader: 503, unreachable nodes) as {@link HttpApiException}.
 *
 * <p>The returned {@link Uni}s are lazy (nothing is sent before subscription) and emit on a Vert.x event loop:
 * the subscriber's context when subscribed on one, else one of the client's.
 */
public final class HttpWorkflowClient extends NetworkWorkflowClient<WebClient> {

  /** A client of the nodes at the options' addresses ({@code host:port}); over HTTPS with the options' TLS. */
  public HttpWorkflowClient(Vertx vertx, NetworkClientOptions options) {
    super(options, WebClients.create(vertx, options.getTls()), WebClient::close);
  }

  @Override
  public Uni<WorkflowStatus> start(String name, int version, String inputJson, StartOptions options) {
    JsonObject body = new JsonObject().put("name", name).put("version", version)
        .put("input", inputJson == null ? "null" : inputJson);
    if (options != null && options.getWorkflowId() != null) {
      body.put("workflow_id", options.getWorkflowId());
    }
    return call(node -> client().post(node.port(), node.host(), "/workflow/execute"), body, requestTimeoutMillis(),
        HttpWorkflowClient::workflow, RemoteCall.start(name, version));
  }

  @Override
  public Uni<WorkflowStatus> await(String workflowId, Long executionClusterId, Duration timeout) {
    Duration wait = timeout == null ? Duration.ofSeconds(30) : timeout;
    double seconds = Math.max(0.001, wait.toMillis() / 1000.0);
    return call(node -> withCluster(client().get(node.port(), node.host(), "/workflow/wait")
            .addQueryParam("workflow_id", workflowId)
            .addQueryParam("timeout_seconds", Double.toString(seconds)), executionClusterId), null,
        wait.toMillis() + requestTimeoutMillis(),
        HttpWorkflowClient::workflow, RemoteCall.await(workflowId, wait));
  }

  @Override
  public Uni<WorkflowStatus> status(String workflowId, Long executionClusterId) {
    return call(node -> withCluster(client().get(node.port(), node.host(), "/workflow/status")
            .addQueryParam("workflow_id", workflowId), executionClusterId), null, requestTimeoutMillis(),
        HttpWorkflowClient::workflow, RemoteCall.about(workflowId));
  }

  @Override
  public Uni<List<WorkflowStatus>> list(WorkflowFilter filter) {
    WorkflowFilter f = filter == null ? WorkflowFilter.all() : filter;
    return call(node -> {
      HttpRequest<Buffer> r = client().get(node.port(), node.host(), "/workflow/list")
          .addQueryParam("limit", Integer.toString(f.limit()));
      if (f.states().size() < WorkflowState.values().length) {
        r.addQueryParam("state", f.states().stream().map(Enum::name).collect(Collectors.joining(",")));
      }
      if (f.workflowType() != null) {
        r.addQueryParam("type", f.workflowType());
      }
      if (f.startedAfter() != null) {
        r.addQueryParam("started_after", f.startedAfter().toString());
      }
      if (f.startedBefore() != null) {
        r.addQueryParam("started_before", f.startedBefore().toString());
      }
      return r;
    }, null, requestTimeoutMillis(), ok -> {
      JsonArray items = ok.getJsonArray("workflows", new JsonArray());
      List<WorkflowStatus> all = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        WorkflowStatus s = WorkflowJson.fromJson(items.getJsonObject(i));
        if (f.test(s)) {
          all.add(s);
        }
      }
      return List.copyOf(all);
    }, RemoteCall.list());
  }

  @Override
  public Uni<WorkflowStatus> terminate(String workflowId, Long executionClusterId, String reason) {
    JsonObject body = new JsonObject().put("workflow_id", workflowId).put("reason", reason);
    if (executionClusterId != null) {
      body.put("execution_cluster_id", Long.toString(executionClusterId));
    }
    return call(node -> client().post(node.port(), node.host(), "/workflow/terminate"), body, requestTimeoutMillis(),
        HttpWorkflowClient::workflow, RemoteCall.about(workflowId));
  }

  @Override
  public Uni<WorkflowStatus> signal(String workflowId, Long executionClusterId, String name, String payloadJson,
      String signalId) {
    // one id for every attempt: a retry on another node after an unknown outcome is the same signal
    JsonObject body = new JsonObject().put("workflow_id", workflowId).put("signal", name)
        .put("input", payloadJson == null ? "null" : payloadJson)
        .put("signal_id", signalId != null ? signalId : UUID.randomUUID().toString());
    if (executionClusterId != null) {
      body.put("execution_cluster_id", Long.toString(executionClusterId));
    }
    return call(node -> client().post(node.port(), node.host(), "/workflow/signal"), body, requestTimeoutMillis(),
        HttpWorkflowClient::workflow, RemoteCall.about(workflowId));
  }

  @Override
  public Uni<String> query(String workflowId, Long executionClusterId, String name) {
    return call(node -> withCluster(client().get(node.port(), node.host(), "/workflow/query")
            .addQueryParam("workflow_id", workflowId).addQueryParam("query", name), executionClusterId), null,
        requestTimeoutMillis(), answer -> answer.getString("result"), RemoteCall.about(workflowId));
  }

  @Override
  public Uni<HistoryPage> history(String workflowId, Long executionClusterId, int pageSize, String pageToken) {
    return call(node -> {
      HttpRequest<Buffer> r = withCluster(client().get(node.port(), node.host(), "/workflow/history")
          .addQueryParam("workflow_id", workflowId)
          .addQueryParam("page_size", Integer.toString(pageSize)), executionClusterId);
      return pageToken == null ? r : r.addQueryParam("page_token", pageToken);
    }, null, requestTimeoutMillis(), HistoryJson::fromJson, RemoteCall.about(workflowId));
  }

  // -----------------------------------------------------------------------------------------------------------------

  private static WorkflowStatus workflow(JsonObject answer) {
    return WorkflowJson.fromJson(answer.getJsonObject("workflow"));
  }

  private static HttpRequest<Buffer> withCluster(HttpRequest<Buffer> r, Long clusterId) {
    return clusterId == null ? r : r.addQueryParam("execution_cluster_id", Long.toString(clusterId));
  }

  /** Sends the request (with failover between the nodes) and reads the answer. */
  private <T> Uni<T> call(Function<HostPort, HttpRequest<Buffer>> request, JsonObject body, long timeoutMillis,
      Function<JsonObject, T> ok, RemoteCall remote) {
    return Bridge.uni(() -> nodes().call(node -> send(request.apply(node).timeout(timeoutMillis), body), e -> false,
            HttpApiException::new)
        .compose(r -> answer(r, ok, remote)));
  }

  private static Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, JsonObject body) {
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  private static <T> Future<T> answer(HttpResponse<Buffer> r, Function<JsonObject, T> ok, RemoteCall remote) {
    JsonObject body;
    try {
      body = r.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (r.statusCode() == 200 && body != null) {
      try {
        return Future.succeededFuture(ok.apply(body));
      } catch (RuntimeException e) {
        return Future.failedFuture(new HttpApiException(200, "BAD_ANSWER", "unexpected answer: " + e));
      }
    }
    String code = body == null ? null : body.getString("error_code");
    String message = body == null || body.getString("error") == null
        ? "HTTP " + r.statusCode() + (r.bodyAsString() == null ? "" : ": " + r.bodyAsString())
        : body.getString("error");
    RuntimeException mapped = remote.exception(code, message);
    return Future.failedFuture(mapped != null ? mapped : new HttpApiException(r.statusCode(), code, message));
  }
}
