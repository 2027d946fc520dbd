package io.raftoral.http.api;

import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON shape of a {@link HistoryPage} in the HTTP API, used by the server ({@link HttpHistoryRoutes}) and by
 * {@link HttpWorkflowClient}. A checkpoint's {@code value} is the recorded value embedded as JSON (not JSON text:
 * a history is read by people and tools more than by programs that start workflows), null for a recorded failure,
 * which has {@code error_type} and {@code error_message} instead.
 */
final class HistoryJson {

  private HistoryJson() {
  }

  static JsonObject toJson(HistoryPage page) {
    JsonArray checkpoints = new JsonArray();
    page.checkpoints().forEach(c -> checkpoints.add(toJson(c)));
    return new JsonObject()
        .put("success", true)
        .put("workflow_id", page.workflowId())
        .put("checkpoints", checkpoints)
        .put("next_page_token", page.nextPageToken());
  }

  private static JsonObject toJson(CheckpointRecord c) {
    JsonObject json = new JsonObject()
        .put("position", c.position())
        .put("key", c.key())
        .put("value", c.valueJson() == null ? null : Json.decodeValue(c.valueJson()));
    if (c.errorType() != null) {
      json.put("error_type", c.errorType()).put("error_message", c.errorMessage());
    }
    return json
        .put("at", c.at() == null ? null : c.at().toString())
        .put("owner_node", c.ownerNode());
  }

  static HistoryPage fromJson(JsonObject answer) {
    List<CheckpointRecord> checkpoints = new ArrayList<>();
    JsonArray items = answer.getJsonArray("checkpoints", new JsonArray());
    for (int i = 0; i < items.size(); i++) {
      checkpoints.add(checkpoint(items.getJsonObject(i)));
    }
    return new HistoryPage(answer.getString("workflow_id"), checkpoints, answer.getString("next_page_token"));
  }

  private static CheckpointRecord checkpoint(JsonObject j) {
    String errorType = j.getString("error_type");
    // a recorded value of JSON null and a recorded failure both read as "value": null; error_type tells which
    String valueJson = errorType != null ? null : Json.encode(j.getValue("value"));
    String at = j.getString("at");
    return new CheckpointRecord(j.getLong("position"), j.getString("key"), valueJson, errorType,
        j.getString("error_message"), at == null ? null : Instant.parse(at), j.getLong("owner_node", 0L));
  }
}
