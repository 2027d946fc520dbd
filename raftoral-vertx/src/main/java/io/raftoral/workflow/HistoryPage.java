package io.raftoral.workflow;

import java.util.List;
import java.util.Objects;

/**
 * One page of a workflow's checkpoint history (see {@link WorkflowRuntime#history}).
 *
 * @param workflowId the workflow
 * @param checkpoints the page's checkpoints, in journal order
 * @param nextPageToken the token that asks for the next page, or null on the last page
 */
public record HistoryPage(String workflowId, List<CheckpointRecord> checkpoints, String nextPageToken) {

  /** The page size used when a caller names none. */
  public static final int DEFAULT_PAGE_SIZE = 100;
  /** The largest page a caller may ask for. */
  public static final int MAX_PAGE_SIZE = 1_000;

  public HistoryPage {
    Objects.requireNonNull(workflowId, "workflowId");
    checkpoints = List.copyOf(checkpoints);
  }
}
