package io.raftoral.demo;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code raftoral client signal} and {@code raftoral client query}: a workflow's signals and queries. */
final class ClientSignalCommands {

  private ClientSignalCommands() {
  }

  @Command(name = "signal", mixinStandardHelpOptions = true,
      description = "Sends a signal to a running workflow (kept until the workflow consumes it).")
  static final class Signal implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--workflow-id", required = true)
    String workflowId;

    @Option(names = {"-s", "--signal"}, required = true, description = "the signal's name, e.g. approve")
    String signal;

    @Option(names = {"-i", "--input"}, defaultValue = "null",
        description = "payload as JSON text, e.g. '\"Ada\"' (default: ${DEFAULT-VALUE})")
    String input;

    @Option(names = "--execution-cluster-id", description = "where the workflow runs (found when omitted)")
    Long clusterId;

    @Override
    public Integer call() {
      return parent.call(client -> client.signal(workflowId, clusterId, signal, input)
          .map(s -> new JsonObject().put("success", true).put("workflow_id", s.workflowId())
              .put("execution_cluster_id", Long.toString(s.executionClusterId())).put("signal", signal)));
    }
  }

  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Asks a workflow's query handler (a linearizable read; nothing is journaled).")
  static final class Query implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--workflow-id", required = true)
    String workflowId;

    @Option(names = {"-q", "--query"}, required = true, description = "the query's name, e.g. state")
    String query;

    @Option(names = "--execution-cluster-id", description = "where the workflow runs (found when omitted)")
    Long clusterId;

    @Override
    public Integer call() {
      return parent.call(client -> client.query(workflowId, clusterId, query)
          .map(answer -> new JsonObject().put("success", true).put("workflow_id", workflowId).put("query", query)
              .put("result", answer)));
    }
  }
}
