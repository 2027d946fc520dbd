package io.raftoral.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link WorkflowContext#compute} is retried when its supplier fails: at most {@link #getMaxAttempts()}
 * attempts, with a durable backoff between two attempts that starts at {@link #getInitialBackoff()}, grows by
 * {@link #getBackoffMultiplier()} per attempt and never exceeds {@link #getMaxBackoff()}. A failure whose type (or a
 * supertype) is named in {@link #getNonRetryableExceptions()} is not retried.
 *
 * <p>The defaults mean "no retries" ({@value #DEFAULT_MAX_ATTEMPTS} attempt): a compute fails on its first failure.
 * Set a default per workflow registration ({@link WorkflowRegistry#register(String, int, Class, Class, RetryPolicy,
 * WorkflowFunction)}) or pass one to a single compute.
 *
 * <p>Vert.x-style data object: {@code DEFAULT_*} constants, fluent setters that validate their argument, a copy
 * constructor and a JSON round trip (durations as milliseconds). Not thread-safe; the runtime copies it where it
 * keeps it.
 */
public final class RetryPolicy {

  /** One attempt: no retries (a compute behaves as without a policy). */
  public static final int DEFAULT_MAX_ATTEMPTS = 1;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(100);
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;

  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
  private final Set<String> nonRetryableExceptions = new LinkedHashSet<>();

  public RetryPolicy() {
  }

  /** A copy of {@code other}, field by field. */
  public RetryPolicy(RetryPolicy other) {
    Objects.requireNonNull(other, "other");
    this.maxAttempts = other.maxAttempts;
    this.initialBackoff = other.initialBackoff;
    this.maxBackoff = other.maxBackoff;
    this.backoffMultiplier = other.backoffMultiplier;
    this.nonRetryableExceptions.addAll(other.nonRetryableExceptions);
  }

  /**
   * A policy from {@code json} (as {@link #toJson()} writes it); missing fields keep their defaults.
   *
   * @throws IllegalArgumentException when a field has a value its setter refuses
   */
  public RetryPolicy(JsonObject json) {
    Objects.requireNonNull(json, "json");
    setMaxAttempts(json.getInteger("maxAttempts", DEFAULT_MAX_ATTEMPTS));
    setInitialBackoff(Duration.ofMillis(json.getLong("initialBackoffMillis", DEFAULT_INITIAL_BACKOFF.toMillis())));
    setMaxBackoff(Duration.ofMillis(json.getLong("maxBackoffMillis", DEFAULT_MAX_BACKOFF.toMillis())));
    setBackoffMultiplier(json.getDouble("backoffMultiplier", DEFAULT_BACKOFF_MULTIPLIER));
    JsonArray names = json.getJsonArray("nonRetryableExceptions");
    if (names != null) {
      for (Object name : names) {
        if (!(name instanceof String s)) {
          throw new IllegalArgumentException("nonRetryableExceptions must hold class names, found " + name);
        }
        addNonRetryableException(s);
      }
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("maxAttempts", maxAttempts)
        .put("initialBackoffMillis", initialBackoff.toMillis())
        .put("maxBackoffMillis", maxBackoff.toMillis())
        .put("backoffMultiplier", backoffMultiplier)
        .put("nonRetryableExceptions", new JsonArray(new ArrayList<>(nonRetryableExceptions)));
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** Attempts in all, the first included (1: no retries). */
  public RetryPolicy setMaxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    return this;
  }

  public Duration getInitialBackoff() {
    return initialBackoff;
  }

  /** The wait after the first failed attempt (kept to the millisecond). */
  public RetryPolicy setInitialBackoff(Duration initialBackoff) {
    this.initialBackoff = nonNegative("initialBackoff", initialBackoff);
    return this;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  /** The longest wait between two attempts, however many failed (kept to the millisecond). */
  public RetryPolicy setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = nonNegative("maxBackoff", maxBackoff);
    return this;
  }

  public double getBackoffMultiplier() {
    return backoffMultiplier;
  }

  /** The factor by which the wait grows per failed attempt (1: a constant wait). */
  public RetryPolicy setBackoffMultiplier(double backoffMultiplier) {
    if (!Double.isFinite(backoffMultiplier) || backoffMultiplier < 1.0) {
      throw new IllegalArgumentException("backoffMultiplier must be a finite number >= 1, was " + backoffMultiplier);
    }
    this.backoffMultiplier = backoffMultiplier;
    return this;
  }

  /** The class names of the exceptions that end the compute at once (unmodifiable view). */
  public Set<String> getNonRetryableExceptions() {
    return Collections.unmodifiableSet(nonRetryableExceptions);
  }

  /** Replaces the names of the exceptions not retried (fully qualified class names, e.g. from getName()). */
  public RetryPolicy setNonRetryableExceptions(Collection<String> classNames) {
    Objects.requireNonNull(classNames, "classNames");
    Set<String> checked = new LinkedHashSet<>();
    for (String name : classNames) {
      checked.add(className(name));
    }
    nonRetryableExceptions.clear();
    nonRetryableExceptions.addAll(checked);
    return this;
  }

  /** Adds a class name to {@link #getNonRetryableExceptions()}: a failure of that type or a subtype ends at once. */
  public RetryPolicy addNonRetryableException(String className) {
    nonRetryableExceptions.add(className(className));
    return this;
  }

  /** {@link #addNonRetryableException(String)} with {@code type}'s name. */
  public RetryPolicy addNonRetryableException(Class<? extends Throwable> type) {
    return addNonRetryableException(Objects.requireNonNull(type, "type").getName());
  }

  /** Whether a failure of attempt {@code attempt} (1-based) is followed by another attempt. */
  public boolean retries(Throwable failure, int attempt) {
    return attempt < maxAttempts && isRetryable(failure);
  }

  /** Whether {@code failure}'s class and all its superclasses are absent from the non-retryable names. */
  public boolean isRetryable(Throwable failure) {
    for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
      if (nonRetryableExceptions.contains(c.getName())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The wait after failed attempt {@code attempt} (1-based): {@code initialBackoff * multiplier^(attempt - 1)},
   * at most {@code maxBackoff}, in whole milliseconds.
   */
  public Duration backoff(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    double millis = initialBackoff.toMillis() * Math.pow(backoffMultiplier, attempt - 1);
    return Duration.ofMillis((long) Math.min(maxBackoff.toMillis(), millis));
  }

  private static Duration nonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + d);
    }
    try {
      // Kept to the millisecond: what the JSON form holds, so a round trip gives an equal policy.
      return Duration.ofMillis(d.toMillis());
    } catch (ArithmeticException tooLong) {
      throw new IllegalArgumentException(name + " must fit in a long of milliseconds, was " + d, tooLong);
    }
  }

  private static String className(String name) {
    Objects.requireNonNull(name, "className");
    if (name.isBlank()) {
      throw new IllegalArgumentException("an exception class name must not be blank");
    }
    return name.strip();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && maxAttempts == p.maxAttempts && initialBackoff.equals(p.initialBackoff)
        && maxBackoff.equals(p.maxBackoff) && Double.compare(backoffMultiplier, p.backoffMultiplier) == 0
        && nonRetryableExceptions.equals(p.nonRetryableExceptions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, initialBackoff, maxBackoff, backoffMultiplier, nonRetryableExceptions);
  }

  @Override
  public String toString() {
    return "RetryPolicy" + toJson().encode();
  }
}
