package io.raftoral.http.api;

import static io.raftoral.http.api.HttpAnswers.call;
import static io.raftoral.http.api.HttpRequestParams.clusterHint;
import static io.raftoral.http.api.HttpRequestParams.invalid;
import static io.raftoral.http.api.HttpRequestParams.query;
import static io.raftoral.http.api.HttpRequestParams.requiredWorkflowId;

import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.JsonWorkflowClient;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The history endpoint of the REST API: one page of a workflow's checkpoints (the shape is {@link HistoryJson}'s).
 *
 * <pre>
 * GET /workflow/history?workflow_id=...&amp;page_size=10&amp;page_token=...   (optional execution_cluster_id)
 *   200 {"success": true, "workflow_id": "...", "checkpoints": [{"position": 0, "key": "step-0", "value": {...},
 *        "at": "2026-...Z", "owner_node": 1}, ...], "next_page_token": "10"}
 * </pre>
 *
 * <p>{@code page_size} defaults to {@value HistoryPage#DEFAULT_PAGE_SIZE} and may be 1 to
 * {@value HistoryPage#MAX_PAGE_SIZE}; {@code page_token} is the previous page's {@code next_page_token} (absent for
 * the first page; the last page answers null). Errors: 400 (missing or blank workflow_id, a page_size that is no
 * whole number or out of range, a token this history did not issue), 404 (unknown workflow, or one whose history is
 * no longer kept), 503 (cluster unavailable).
 */
final class HttpHistoryRoutes {

  private final JsonWorkflowClient workflows;

  HttpHistoryRoutes(JsonWorkflowClient workflows) {
    this.workflows = workflows;
  }

  void mount(Router router, Handler<RoutingContext> onFailure) {
    HttpAnswers.route(router.get("/workflow/history"), null, this::history, onFailure);
  }

  private void history(RoutingContext rc) {
    String id = requiredWorkflowId(query(rc, "workflow_id"));
    int pageSize = pageSize(query(rc, "page_size"));
    String token = query(rc, "page_token");
    Long cluster = clusterHint(query(rc, "execution_cluster_id"));
    call(rc, () -> workflows.history(id, cluster, pageSize, token == null || token.isEmpty() ? null : token),
        HistoryJson::toJson);
  }

  private static int pageSize(String text) {
    if (text == null || text.isEmpty()) {
      return HistoryPage.DEFAULT_PAGE_SIZE;
    }
    long size;
    try {
      size = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw invalid("'page_size' must be a whole number, was '" + text + "'");
    }
    if (size < 1 || size > HistoryPage.MAX_PAGE_SIZE) {
      throw invalid("'page_size' must be between 1 and " + HistoryPage.MAX_PAGE_SIZE + ", was " + size);
    }
    return (int) size;
  }
}
