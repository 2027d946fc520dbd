package io.raftoral.workflow.impl;

import io.raftoral.group.RaftGroup;
import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pages through a workflow's checkpoint history on this member's replica, after a linearizable read. The page token
 * is the position of the next checkpoint, as decimal text (opaque to callers).
 */
final class WorkflowHistory {

  private final WorkflowStateMachine stateMachine;
  private final RaftGroup<WorkflowCommand, CommandOutcome> group;

  WorkflowHistory(WorkflowStateMachine stateMachine, RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.stateMachine = stateMachine;
    this.group = group;
  }

  Uni<HistoryPage> page(String workflowId, int pageSize, String pageToken) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Uni.createFrom().deferred(() -> {
      if (pageSize < 1 || pageSize > HistoryPage.MAX_PAGE_SIZE) {
        throw new IllegalArgumentException("page size must be 1 to " + HistoryPage.MAX_PAGE_SIZE + ": " + pageSize);
      }
      long from = positionOf(pageToken);
      return group.read(() -> read(workflowId, pageSize, from));
    });
  }

  private HistoryPage read(String workflowId, int pageSize, long from) {
    WorkflowRecord r = stateMachine.get(workflowId);
    if (r == null) {
      throw new WorkflowNotFoundException(workflowId);
    }
    List<JournalEntry> journal = r.journal;
    List<CheckpointRecord> page = new ArrayList<>();
    long end = Math.min(journal.size(), from + pageSize);
    for (long i = from; i < end; i++) {
      JournalEntry e = journal.get((int) i);
      page.add(new CheckpointRecord(i, e.key(), e.value(), e.errorType(), e.errorMessage(), null, 0));
    }
    String next = end < journal.size() ? Long.toString(end) : null;
    return new HistoryPage(workflowId, page, next);
  }

  private static long positionOf(String pageToken) {
    if (pageToken == null || pageToken.isEmpty()) {
      return 0;
    }
    try {
      long position = Long.parseLong(pageToken);
      if (position < 0) {
        throw new NumberFormatException();
      }
      return position;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a page token of this history: " + pageToken);
    }
  }
}
