package io.raftoral.node.impl;

import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HistoryPage} in a routed reply ({@link RoutedReply}'s {@code ok} shape, field {@code page}): values stay
 * JSON text and times ISO-8601 text, so a forwarded page is the page the member read, field for field.
 */
final class RoutedHistory {

  private RoutedHistory() {
  }

  static JsonObject ok(HistoryPage page) {
    JsonArray checkpoints = new JsonArray();
    for (CheckpointRecord c : page.checkpoints()) {
      checkpoints.add(new JsonObject()
          .put("position", c.position())
          .put("key", c.key())
          .put("valueJson", c.valueJson())
          .put("errorType", c.errorType())
          .put("errorMessage", c.errorMessage())
          .put("at", c.at() == null ? null : c.at().toString())
          .put("ownerNode", c.ownerNode()));
    }
    return new JsonObject().put("ok", true).put("page", new JsonObject()
        .put("workflowId", page.workflowId())
        .put("checkpoints", checkpoints)
        .put("nextPageToken", page.nextPageToken()));
  }

  static HistoryPage fromReply(JsonObject reply) {
    JsonObject page = reply.getJsonObject("page");
    List<CheckpointRecord> checkpoints = new ArrayList<>();
    for (Object o : page.getJsonArray("checkpoints")) {
      JsonObject c = (JsonObject) o;
      String at = c.getString("at");
      checkpoints.add(new CheckpointRecord(c.getLong("position"), c.getString("key"), c.getString("valueJson"),
          c.getString("errorType"), c.getString("errorMessage"), at == null ? null : Instant.parse(at),
          c.getLong("ownerNode", 0L)));
    }
    return new HistoryPage(page.getString("workflowId"), checkpoints, page.getString("nextPageToken"));
  }
}
