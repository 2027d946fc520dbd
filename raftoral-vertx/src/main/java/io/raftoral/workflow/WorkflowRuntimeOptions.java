package io.raftoral.workflow;

import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of a {@link WorkflowRuntime}. Vert.x-style data object: fluent setters, {@code DEFAULT_*} constants,
 * JSON round trip.
 */
public final class WorkflowRuntimeOptions {

  /** A member that the leader has not heard from for this long loses the workflows it owns. */
  public static final long DEFAULT_OWNER_TIMEOUT_MILLIS = 5_000;
  /** Ended workflows kept at most. */
  public static final int DEFAULT_RETAIN_ENDED = 10_000;
  /** Ended workflows are forgotten this long after they ended. */
  public static final long DEFAULT_RETAIN_ENDED_MILLIS = 24L * 3600 * 1000;
  public static final boolean DEFAULT_PIPELINING = true;
  public static final boolean DEFAULT_PUBLISH_EVENTS = true;
  /**
   * An ended workflow keeps its last 100 checkpoints: enough to see how it ended, bounded per workflow however long
   * it ran (with the default {@link #DEFAULT_RETAIN_ENDED}, at most a million checkpoints per execution cluster).
   */
  public static final HistoryRetention DEFAULT_HISTORY_RETENTION = HistoryRetention.keepLast(100);

  private long ownerTimeoutMillis = DEFAULT_OWNER_TIMEOUT_MILLIS;
  private int retainEnded = DEFAULT_RETAIN_ENDED;
  private long retainEndedMillis = DEFAULT_RETAIN_ENDED_MILLIS;
  private boolean pipelining = DEFAULT_PIPELINING;
  private boolean publishEvents = DEFAULT_PUBLISH_EVENTS;
  private HistoryRetention historyRetention = DEFAULT_HISTORY_RETENTION;
  private OpenTelemetry openTelemetry;

  public WorkflowRuntimeOptions() {
  }

  public WorkflowRuntimeOptions(WorkflowRuntimeOptions other) {
    this(other.toJson());
    this.openTelemetry = other.openTelemetry;
  }

  public WorkflowRuntimeOptions(JsonObject json) {
    setOwnerTimeoutMillis(json.getLong("ownerTimeoutMillis", DEFAULT_OWNER_TIMEOUT_MILLIS));
    setRetainEnded(json.getInteger("retainEnded", DEFAULT_RETAIN_ENDED));
    setRetainEndedMillis(json.getLong("retainEndedMillis", DEFAULT_RETAIN_ENDED_MILLIS));
    setPipelining(json.getBoolean("pipelining", DEFAULT_PIPELINING));
    setPublishEvents(json.getBoolean("publishEvents", DEFAULT_PUBLISH_EVENTS));
    JsonObject retention = json.getJsonObject("historyRetention");
    setHistoryRetention(retention == null ? DEFAULT_HISTORY_RETENTION : HistoryRetention.fromJson(retention));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("ownerTimeoutMillis", ownerTimeoutMillis)
        .put("retainEnded", retainEnded)
        .put("retainEndedMillis", retainEndedMillis)
        .put("pipelining", pipelining)
        .put("publishEvents", publishEvents)
        .put("historyRetention", historyRetention.toJson());
  }

  public long getOwnerTimeoutMillis() {
    return ownerTimeoutMillis;
  }

  /**
   * How long the execution cluster's leader waits without hearing from an owner before it gives the owner's
   * workflows to another member. Longer than a GC pause or a brief network hiccup; a new leader also waits this
   * long before judging anyone.
   */
  public WorkflowRuntimeOptions setOwnerTimeoutMillis(long ownerTimeoutMillis) {
    if (ownerTimeoutMillis < 1) {
      throw new IllegalArgumentException("ownerTimeoutMillis must be >= 1, was " + ownerTimeoutMillis);
    }
    this.ownerTimeoutMillis = ownerTimeoutMillis;
    return this;
  }

  public int getRetainEnded() {
    return retainEnded;
  }

  /** How many ended workflows (with their results) are kept; older ones are pruned by a committed command. */
  public WorkflowRuntimeOptions setRetainEnded(int retainEnded) {
    if (retainEnded < 0) {
      throw new IllegalArgumentException("retainEnded must be >= 0, was " + retainEnded);
    }
    this.retainEnded = retainEnded;
    return this;
  }

  public long getRetainEndedMillis() {
    return retainEndedMillis;
  }

  /** How long an ended workflow is kept after it ended. */
  public WorkflowRuntimeOptions setRetainEndedMillis(long retainEndedMillis) {
    if (retainEndedMillis < 0) {
      throw new IllegalArgumentException("retainEndedMillis must be >= 0, was " + retainEndedMillis);
    }
    this.retainEndedMillis = retainEndedMillis;
    return this;
  }

  public boolean isPipelining() {
    return pipelining;
  }

  /**
   * Whether the owner continues after a {@link WorkflowContext#checkpoint}, or with the value of a
   * {@link WorkflowContext#compute}, before it commits (it still waits for every earlier entry before the next side
   * effect, and the completion is journaled behind them). Off: every checkpoint waits for its commit.
   */
  public WorkflowRuntimeOptions setPipelining(boolean pipelining) {
    this.pipelining = pipelining;
    return this;
  }

  public boolean isPublishEvents() {
    return publishEvents;
  }

  /** Whether workflow events are published on the event bus (see {@link WorkflowRuntime#eventAddress()}). */
  public WorkflowRuntimeOptions setPublishEvents(boolean publishEvents) {
    this.publishEvents = publishEvents;
    return this;
  }

  public HistoryRetention getHistoryRetention() {
    return historyRetention;
  }

  /**
   * How much checkpoint history an ended workflow keeps (see {@link HistoryRetention}); running workflows keep all
   * of it, in the node's store (LMDB) rather than the heap.
   */
  public WorkflowRuntimeOptions setHistoryRetention(HistoryRetention historyRetention) {
    this.historyRetention = Objects.requireNonNull(historyRetention, "historyRetention");
    return this;
  }

  /** The OpenTelemetry instance workflow runs are traced with (README "Traces"); null (the default): no tracing. */
  public OpenTelemetry getOpenTelemetry() {
    return openTelemetry;
  }

  /**
   * Traces workflow runs through {@code openTelemetry}: a span per run on the owner with a child per checkpoint
   * and compute. Not part of {@link #toJson()} (an object, not a setting); null turns tracing off.
   */
  public WorkflowRuntimeOptions setOpenTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    return this;
  }
}
