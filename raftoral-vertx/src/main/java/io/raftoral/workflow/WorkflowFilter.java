package io.raftoral.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
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

  /** JSON form, for node-to-node routing. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("limit", limit);
    JsonArray st = new JsonArray();
    states.forEach(x -> st.add(x.name()));
    json.put("states", st);
    if (workflowType != null) {
      json.put("workflowType", workflowType);
    }
    if (startedAfter != null) {
      json.put("startedAfter", startedAfter.toString());
    }
    if (startedBefore != null) {
      json.put("startedBefore", startedBefore.toString());
    }
    return json;
  }

  /** Reads {@link #toJson()}; {@link IllegalArgumentException} when malformed. */
  public static WorkflowFilter fromJson(JsonObject json) {
    try {
      WorkflowFilter f = new WorkflowFilter().limit(json.getInteger("limit", DEFAULT_LIMIT));
      JsonArray st = json.getJsonArray("states");
      if (st != null && !st.isEmpty()) {
        EnumSet<WorkflowState> set = EnumSet.noneOf(WorkflowState.class);
        for (Object o : st) {
          set.add(WorkflowState.valueOf(String.valueOf(o)));
        }
        f.states = set;
      }
      f.workflowType = json.getString("workflowType");
      String after = json.getString("startedAfter");
      String before = json.getString("startedBefore");
      f.startedAfter = after == null ? null : Instant.parse(after);
      f.startedBefore = before == null ? null : Instant.parse(before);
      return f;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a workflow filter: " + e.getMessage(), e);
    }
  }

  /** The states that pass (all by default); unmodifiable. */
  public Set<WorkflowState> states() {
    return Collections.unmodifiableSet(states);
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
