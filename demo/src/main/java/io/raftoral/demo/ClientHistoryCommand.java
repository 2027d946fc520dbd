package io.raftoral.demo;

import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code raftoral client history <workflow-id>}: one page of a workflow's checkpoint history, or with {@code --all}
 * every page (following {@code next_page_token} to the end), printed in the shape of {@code GET /workflow/history}.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Prints a workflow's checkpoint history (one page, or every page with --all).")
final class ClientHistoryCommand implements Callable<Integer> {

  @ParentCommand
  ClientCommand parent;

  @Parameters(index = "0", paramLabel = "WORKFLOW-ID", description = "the workflow")
  String workflowId;

  @Option(names = "--page-size", defaultValue = "" + HistoryPage.DEFAULT_PAGE_SIZE,
      description = "checkpoints per page, 1 to " + HistoryPage.MAX_PAGE_SIZE + " (default: ${DEFAULT-VALUE})")
  int pageSize;

  @Option(names = "--page-token", description = "start at this page (a previous answer's next_page_token)")
  String pageToken;

  @Option(names = "--all", description = "follow next_page_token to the last page and print every checkpoint")
  boolean all;

  @Option(names = "--execution-cluster-id", description = "where the workflow runs (found when omitted)")
  Long clusterId;

  @Override
  public Integer call() {
    return parent.call(client -> {
      JsonObject out = new JsonObject().put("success", true).put("workflow_id", workflowId)
          .put("checkpoints", new JsonArray());
      return pages(client, pageToken, out);
    });
  }

  /** Reads the page at {@code token} into {@code out}, then (with --all) the pages after it. */
  private Uni<JsonObject> pages(JsonWorkflowClient client, String token, JsonObject out) {
    return client.history(workflowId, clusterId, pageSize, token).flatMap(page -> {
      JsonArray checkpoints = out.getJsonArray("checkpoints");
      page.checkpoints().forEach(c -> checkpoints.add(toJson(c)));
      String next = page.nextPageToken();
      out.put("next_page_token", next);
      if (!all || next == null) {
        return Uni.createFrom().item(out);
      }
      if (Objects.equals(next, token)) {
        return Uni.createFrom().failure(new IllegalStateException("the node answered the same page token twice: "
            + next));
      }
      return pages(client, next, out);
    });
  }

  /** A checkpoint as {@code GET /workflow/history} writes it: the value embedded as JSON. */
  private static JsonObject toJson(CheckpointRecord c) {
    JsonObject json = new JsonObject().put("position", c.position()).put("key", c.key())
        .put("value", c.valueJson() == null ? null : Json.decodeValue(c.valueJson()));
    if (c.errorType() != null) {
      json.put("error_type", c.errorType()).put("error_message", c.errorMessage());
    }
    return json.put("at", c.at() == null ? null : c.at().toString()).put("owner_node", c.ownerNode());
  }
}
