package io.raftoral.workflow;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** Selects workflows for {@link WorkflowRuntime#list}: by state, type and start time; at most {@code limit}. */
public final class WorkflowFilter {

  public static final int DEFAULT_LIMIT = 1000;

  private Set<WorkflowState> states = EnumSet.allOf(WorkflowState.class);
  private String workflowType;
  private Instant startedAfter;
  private Instant startedBefore;
  private int limit = DEFAULT_LIMIT;

  /** Everything (up to {@link #DEFAULT_LIMIT}). */
  public static WorkflowFilter all() {
    return new WorkflowFilter();
  }

  public WorkflowFilter states(WorkflowState first, WorkflowState... more) {
    this.states = EnumSet.of(Objects.requireNonNull(first, "first"), more);
    return this;
  }

  public WorkflowFilter workflowType(String workflowType) {
    this.workflowType = workflowType;
    return this;
  }

  /** Only workflows started at or after {@code t}. */
  public WorkflowFilter startedAfter(Instant t) {
    this.startedAfter = t;
    return this;
  }

  /** Only workflows started before {@code t}. */
  public WorkflowFilter startedBefore(Instant t) {
    this.startedBefore = t;
    return this;
  }

  public WorkflowFilter limit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    this.limit = limit;
    return this;
  }

  public int limit() {
    return limit;
  }

  /** The states that pass (all by default); unmodifiable. */
  public Set<WorkflowState> states() {
    return java.util.Collections.unmodifiableSet(states);
  }

  /** The type that passes, or null for any. */
  public String workflowType() {
    return workflowType;
  }

  /** The earliest start time that passes, or null. */
  public Instant startedAfter() {
    return startedAfter;
  }

  /** The start time before which workflows pass, or null. */
  public Instant startedBefore() {
    return startedBefore;
  }

  /** Whether {@code s} passes the filter (the limit aside). */
  public boolean test(WorkflowStatus s) {
    if (!states.contains(s.state())) {
      return false;
    }
    if (workflowType != null && !workflowType.equals(s.workflowType())) {
      return false;
    }
    if (startedAfter != null && s.startedAt().isBefore(startedAfter)) {
      return false;
    }
    return startedBefore == null || s.startedAt().isBefore(startedBefore);
  }
}
