package io.raftoral.demo;

import io.raftoral.client.NetworkClientOptions;
import io.raftoral.grpc.api.GrpcWorkflowClient;
import io.raftoral.http.api.HttpWorkflowClient;
import io.raftoral.transport.TransportTlsOptions;
import io.raftoral.workflow.JsonWorkflowClient;
import io.raftoral.workflow.StartOptions;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code raftoral client run|wait|status|list|terminate|signal|query|history|events}: talks to a node over its API, so scripts need neither curl
 * nor grpcurl. Prints JSON on stdout; exits 0 on success, 1 when the call fails (or the workflow did not complete),
 * 2 on bad flags.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Calls a node's workflow API and prints the answer as JSON.",
    subcommands = {ClientCommand.Run.class, ClientCommand.Wait.class, ClientCommand.Status.class,
        ClientCommand.ListCommand.class, ClientCommand.Terminate.class, ClientSignalCommands.Signal.class,
        ClientSignalCommands.Query.class, ClientHistoryCommand.class, ClientEventsCommand.class})
final class ClientCommand {

  @Option(names = {"-a", "--address"}, defaultValue = "127.0.0.1:7001", paramLabel = "HOST:PORT", scope =
      picocli.CommandLine.ScopeType.INHERIT, description = "the node to call (default: ${DEFAULT-VALUE})")
  String address;

  /** Which API of the node to call. */
  enum ApiKind { http, grpc }

  @Option(names = {"-t", "--transport"}, defaultValue = "http", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "the node API to call: http or grpc (default: ${DEFAULT-VALUE})")
  ApiKind transport;

  @Option(names = "--tls-ca", paramLabel = "PEM", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "call the node over TLS, trusting this CA")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "PEM", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "client certificate, for nodes that require mutual TLS (with --tls-key)")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "client private key, for nodes that require mutual TLS (with --tls-cert)")
  Path tlsKey;

  @Option(names = "--timeout-seconds", defaultValue = "30", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "how long to wait for a result (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  /** Runs {@code call} against the node and prints what it gives; the exit code says whether it went well. */
  int call(Function<JsonWorkflowClient, Uni<JsonObject>> call) {
    Vertx vertx = Vertx.vertx();
    long requestTimeoutMillis = Math.max(10_000, (timeoutSeconds + 5) * 1000);
    TransportTlsOptions tls = tlsOptions();
    NetworkClientOptions options = new NetworkClientOptions().setAddresses(List.of(address))
        .setRequestTimeoutMillis(requestTimeoutMillis).setTls(tls);
    GrpcWorkflowClient grpcClient = transport == ApiKind.grpc ? new GrpcWorkflowClient(vertx, options) : null;
    HttpWorkflowClient httpClient = grpcClient == null ? new HttpWorkflowClient(vertx, options) : null;
    JsonWorkflowClient client = grpcClient != null ? grpcClient : httpClient;
    try {
      JsonObject out = NodeCommand.await(Future.fromCompletionStage(call.apply(client).subscribeAsCompletionStage()));
      System.out.println(out.encodePrettily());
      return out.getBoolean("success", true) ? 0 : 1;
    } catch (Exception e) {
      System.out.println(new JsonObject().put("success", false).put("error", NodeCommand.rootMessage(e))
          .encodePrettily());
      return 1;
    } finally {
      if (grpcClient != null) {
        grpcClient.close();
      } else {
        httpClient.close();
      }
      vertx.close();
    }
  }

  /** The TLS settings of the flags (disabled without --tls-ca). */
  TransportTlsOptions tlsOptions() {
    TransportTlsOptions tls = new TransportTlsOptions();
    if (tlsCa != null) {
      tls.setEnabled(true).addTrustedCaPath(tlsCa.toString());
      if (tlsCert != null && tlsKey != null) {
        tls.setMutual(true).setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString());
      } else {
        // a client-only TLS setup: validate() wants a certificate and key, which only mutual TLS uses here
        tls.setCertPath(tlsCa.toString()).setKeyPath(tlsCa.toString());
      }
    }
    return tls;
  }

  static JsonObject describe(WorkflowStatus s) {
    JsonObject json = new JsonObject()
        .put("workflow_id", s.workflowId())
        .put("execution_cluster_id", Long.toString(s.executionClusterId()))
        .put("workflow_type", s.workflowType())
        .put("version", s.version())
        .put("status", s.state().name())
        .put("owner_node", s.ownerNode())
        .put("checkpoints", s.checkpointCount())
        .put("started_at", s.startedAt().toString())
        .put("ended_at", s.endedAt() == null ? null : s.endedAt().toString())
        .put("result", s.resultJson())
        .put("error", s.errorType() == null ? null : s.errorType() + ": " + s.errorMessage());
    json.put("success", s.state() != WorkflowState.FAILED && s.state() != WorkflowState.TERMINATED);
    return json;
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Starts a workflow (and waits with --wait).")
  static final class Run implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = {"-w", "--workflow"}, required = true, description = "workflow type, e.g. ping_pong")
    String workflow;

    @Option(names = {"-v", "--version"}, defaultValue = "1", description = "workflow version (default 1)")
    int version;

    @Option(names = {"-i", "--input"}, required = true, description = "input as JSON text, e.g. '\"ping\"'")
    String input;

    @Option(names = "--workflow-id", description = "the workflow id (makes the start idempotent)")
    String workflowId;

    @Option(names = "--wait", description = "wait for the result")
    boolean await;

    @Override
    public Integer call() {
      return parent.call(client -> {
        StartOptions opts = new StartOptions().setWorkflowId(workflowId);
        Uni<WorkflowStatus> started = client.start(workflow, version, input, opts);
        if (!await) {
          return started.map(ClientCommand::describe);
        }
        return started.flatMap(s -> client.await(s.workflowId(), s.executionClusterId(),
            Duration.ofSeconds(parent.timeoutSeconds))).map(s -> describe(s));
      });
    }
  }

  @Command(name = "wait", mixinStandardHelpOptions = true, description = "Waits for a workflow to end.")
  static final class Wait implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--workflow-id", required = true)
    String workflowId;

    @Option(names = "--execution-cluster-id", description = "where the workflow runs (found when omitted)")
    Long clusterId;

    @Override
    public Integer call() {
      return parent.call(client -> client.await(workflowId, clusterId, Duration.ofSeconds(parent.timeoutSeconds))
          .map(ClientCommand::describe));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Prints a workflow's status.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--workflow-id", required = true)
    String workflowId;

    @Option(names = "--execution-cluster-id")
    Long clusterId;

    @Override
    public Integer call() {
      return parent.call(client -> client.status(workflowId, clusterId).map(s -> describe(s).put("success", true)));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists workflows of every cluster.")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--state", description = "RUNNING, COMPLETED, FAILED or TERMINATED")
    WorkflowState state;

    @Option(names = "--limit", defaultValue = "100")
    int limit;

    @Override
    public Integer call() {
      WorkflowFilter f = WorkflowFilter.all().limit(limit);
      if (state != null) {
        f.states(state);
      }
      return parent.call(client -> client.list(f).map(list -> {
        JsonArray arr = new JsonArray();
        list.forEach(s -> arr.add(describe(s).put("success", true)));
        return new JsonObject().put("success", true).put("workflows", arr);
      }));
    }
  }

  @Command(name = "terminate", mixinStandardHelpOptions = true, description = "Terminates a running workflow.")
  static final class Terminate implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--workflow-id", required = true)
    String workflowId;

    @Option(names = "--execution-cluster-id")
    Long clusterId;

    @Option(names = "--reason", defaultValue = "terminated by the client")
    String reason;

    @Override
    public Integer call() {
      return parent.call(client -> client.terminate(workflowId, clusterId, reason)
          .map(s -> describe(s).put("success", true)));
    }
  }
}
