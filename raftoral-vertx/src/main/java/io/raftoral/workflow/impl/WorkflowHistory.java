package io.raftoral.workflow.impl;

import io.raftoral.group.RaftGroup;
import io.raftoral.workflow.CheckpointRecord;
import io.raftoral.workflow.HistoryPage;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Pages through a workflow's checkpoint history (running, or ended and retained) on this member's replica, after a
 * linearizable read: the entries come from the node's checkpoint store and the journal's hot tail.
 *
 * <p>The page token is opaque to callers: URL-safe base64 of the next position and a checksum of the workflow id,
 * so a token of another workflow, or a made-up one, is refused. A token whose position was trimmed since (the
 * workflow ended and the retention kept less) continues at the first checkpoint still held.
 */
final class WorkflowHistory {

  /** Position (8 bytes) and the workflow id's CRC32C (4 bytes). */
  private static final int TOKEN_BYTES = Long.BYTES + Integer.BYTES;

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
      long from = positionOf(workflowId, pageToken);
      return group.read(() -> read(workflowId, pageSize, from));
    });
  }

  private HistoryPage read(String workflowId, int pageSize, long from) {
    WorkflowRecord r = stateMachine.get(workflowId);
    if (r == null) {
      throw new WorkflowNotFoundException(workflowId);
    }
    Journal journal = r.journal;
    if (from >= journal.size()) {
      return new HistoryPage(workflowId, List.of(), null);
    }
    List<CheckpointRecord> page = new ArrayList<>();
    long next = Math.max(from, journal.first());
    for (StoredEntry s : journal.page((int) from, pageSize)) {
      JournalEntry e = s.entry();
      page.add(new CheckpointRecord(s.position(), e.key(), e.value(), e.errorType(), e.errorMessage(),
          s.at() == 0 ? null : Instant.ofEpochMilli(s.at()), s.ownerNode()));
      next = s.position() + 1;
    }
    return new HistoryPage(workflowId, page, next < journal.size() ? tokenOf(workflowId, next) : null);
  }

  static String tokenOf(String workflowId, long position) {
    ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES).putLong(position).putInt(checksum(workflowId));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  private static long positionOf(String workflowId, String pageToken) {
    if (pageToken == null || pageToken.isEmpty()) {
      return 0;
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(pageToken);
    } catch (IllegalArgumentException e) {
      throw notAToken(pageToken);
    }
    if (bytes.length != TOKEN_BYTES) {
      throw notAToken(pageToken);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long position = b.getLong();
    if (position < 0 || b.getInt() != checksum(workflowId)) {
      throw notAToken(pageToken);
    }
    return position;
  }

  private static IllegalArgumentException notAToken(String pageToken) {
    return new IllegalArgumentException("not a page token of this history: " + pageToken);
  }

  private static int checksum(String workflowId) {
    CRC32C crc = new CRC32C();
    crc.update(workflowId.getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }
}
