package io.raftoral.workflow;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How much checkpoint history an ended workflow keeps (a running workflow keeps all of it: its replay needs it):
 * {@link #keepAll()}, {@link #keepLast(int)} checkpoints, {@link #keepFor(Duration)} after the end, or
 * {@link #none()}. The ended workflow's record itself is kept per {@link WorkflowRuntimeOptions#getRetainEnded()};
 * pruning the record drops its history too.
 *
 * <p>Applied identically on every member: the last N are kept by trimming when the end commits (the end command
 * carries the owner's N); the duration is enforced by prune commands the execution cluster's leader proposes.
 * Immutable. JSON: {@code {"mode": "all" | "last" | "duration" | "none", "checkpoints": N, "millis": M}}.
 */
public final class HistoryRetention {

  /** What an ended workflow's history keeps. */
  public enum Mode {
    ALL, LAST, DURATION, NONE
  }

  private static final HistoryRetention ALL = new HistoryRetention(Mode.ALL, 0, 0);
  private static final HistoryRetention NONE = new HistoryRetention(Mode.NONE, 0, 0);

  private final Mode mode;
  private final int checkpoints;
  private final long millis;

  private HistoryRetention(Mode mode, int checkpoints, long millis) {
    this.mode = mode;
    this.checkpoints = checkpoints;
    this.millis = millis;
  }

  /** Ended workflows keep all their checkpoints (as long as their record is kept). */
  public static HistoryRetention keepAll() {
    return ALL;
  }

  /** Ended workflows keep their last {@code checkpoints} checkpoints. */
  public static HistoryRetention keepLast(int checkpoints) {
    if (checkpoints < 1) {
      throw new IllegalArgumentException("checkpoints must be >= 1, was " + checkpoints);
    }
    return new HistoryRetention(Mode.LAST, checkpoints, 0);
  }

  /** Ended workflows keep their checkpoints for {@code duration} after they ended. */
  public static HistoryRetention keepFor(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    return new HistoryRetention(Mode.DURATION, 0, duration.toMillis());
  }

  /** Ended workflows keep no checkpoints (the behaviour before checkpoint history existed). */
  public static HistoryRetention none() {
    return NONE;
  }

  /** @throws IllegalArgumentException when {@code json} is no retention */
  public static HistoryRetention fromJson(JsonObject json) {
    String mode = json.getString("mode", "");
    return switch (mode) {
      case "all" -> keepAll();
      case "last" -> keepLast(json.getInteger("checkpoints", 0));
      case "duration" -> keepFor(Duration.ofMillis(json.getLong("millis", 0L)));
      case "none" -> none();
      default -> throw new IllegalArgumentException("history retention mode must be all, last, duration or none: '"
          + mode + "'");
    };
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("mode", mode.name().toLowerCase(Locale.ROOT));
    if (mode == Mode.LAST) {
      json.put("checkpoints", checkpoints);
    } else if (mode == Mode.DURATION) {
      json.put("millis", millis);
    }
    return json;
  }

  public Mode mode() {
    return mode;
  }

  /** How many checkpoints {@link #keepLast} keeps (0 in other modes). */
  public int checkpoints() {
    return checkpoints;
  }

  /** How long {@link #keepFor} keeps them (0 in other modes). */
  public Duration duration() {
    return Duration.ofMillis(millis);
  }

  /** How many last checkpoints an ended workflow keeps when its end commits: all but for LAST and NONE. */
  public int keptAtEnd() {
    return switch (mode) {
      case LAST -> checkpoints;
      case NONE -> 0;
      default -> Integer.MAX_VALUE;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistoryRetention other && mode == other.mode && checkpoints == other.checkpoints
        && millis == other.millis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, checkpoints, millis);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
