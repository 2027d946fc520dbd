package io.raftoral.workflow;

import java.time.Instant;
import java.util.Objects;

/**
 * One checkpoint of a workflow's history, as {@link WorkflowRuntime#history} pages through it.
 *
 * @param position its place in the journal (0 for the first checkpoint)
 * @param key the checkpoint's key (for example {@code step-1}, or {@code $signal:approve} for a consumed signal)
 * @param valueJson the recorded value as JSON text, or null when the step recorded a failure
 * @param errorType the failure's type when the step recorded one, else null
 * @param errorMessage the failure's message when the step recorded one, else null
 * @param at when the owner proposed it (the owner's clock), or null when not recorded (older journals)
 * @param ownerNode the node whose run produced it, or 0 when not recorded
 */
public record CheckpointRecord(long position, String key, String valueJson, String errorType, String errorMessage,
    Instant at, long ownerNode) {

  public CheckpointRecord {
    Objects.requireNonNull(key, "key");
    if (position < 0) {
      throw new IllegalArgumentException("position must not be negative: " + position);
    }
  }
}
