package io.raftoral.events;

import java.util.Locale;

/**
 * What a {@link NodeEvent} tells. The wire name ({@link #wireName()}, e.g. {@code leader_elected}) is what the
 * event's {@code kind} field carries and what filters name.
 */
public enum EventKind {
  /** A Raft group (cluster 0 or an execution cluster) has a leader: fields {@code leader}, {@code term}. */
  LEADER_ELECTED,
  /** A Raft group applied a new configuration: fields {@code voters}, {@code learners}, {@code index}. */
  MEMBERSHIP_CHANGED,
  /** A node entered the directory, or came back from failed: fields {@code node}, {@code address}, {@code state}. */
  NODE_JOINED,
  /** The management leader declared a node failed: fields {@code node}, {@code address}. */
  NODE_FAILED,
  /** A node left (leaving gracefully, or removed from the directory): fields {@code node}, {@code address}. */
  NODE_LEFT,
  /** An operator drains a node: it is moved out of its clusters before maintenance; fields as joined. */
  NODE_DRAINING,
  /** Cluster 0 created an execution cluster: fields {@code members}. */
  EXECUTION_CLUSTER_CREATED,
  /** Reserved for execution-cluster splits (not performed yet by the management layer). */
  EXECUTION_CLUSTER_SPLIT,
  /** Reserved for execution-cluster merges (not performed yet by the management layer). */
  EXECUTION_CLUSTER_MERGED,
  /** A workflow started: fields {@code workflow_id}, {@code workflow_type}, {@code version}, {@code owner}. */
  WORKFLOW_STARTED,
  /** A workflow completed: fields {@code workflow_id}, {@code workflow_type}, {@code checkpoints}. */
  WORKFLOW_COMPLETED,
  /** A workflow failed: as completed, plus {@code error_type} and {@code error}. */
  WORKFLOW_FAILED,
  /** A workflow was terminated: as failed. */
  WORKFLOW_TERMINATED,
  /** A workflow got a new owner: fields {@code workflow_id}, {@code workflow_type}, {@code previous_owner}, {@code owner}. */
  WORKFLOW_OWNER_CHANGED,
  /**
   * Not an event of the cluster: a subscriber that fell behind lost events; field {@code skipped} counts them.
   * Always delivered, whatever the filter.
   */
  EVENTS_SKIPPED;

  /** The name on the wire, e.g. {@code workflow_started}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether events of this kind concern one workflow (so a workflow-type filter applies to them). */
  public boolean isWorkflowEvent() {
    return name().startsWith("WORKFLOW_");
  }

  /** The kind named {@code wireName} (case-insensitive); {@link IllegalArgumentException} when there is none. */
  public static EventKind ofWireName(String wireName) {
    try {
      return valueOf(wireName.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown event kind '" + wireName + "'", e);
    }
  }
}
