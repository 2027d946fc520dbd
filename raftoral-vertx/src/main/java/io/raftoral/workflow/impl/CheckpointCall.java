package io.raftoral.workflow.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.function.Supplier;

/**
 * One subscription to a checkpoint of a workflow run: it takes the next journal position ({@link #seq}) and is
 * answered through its emitter, once, with the journaled value or failure.
 */
final class CheckpointCall {

  enum Kind {
    /** A value from deterministic code: the owner may continue before it commits. */
    VALUE,
    /**
     * A supplier run by the owner only, once earlier pipelined values commit; emits the journaled outcome (the
     * owner, pipelining, a successful value before it commits).
     */
    COMPUTE,
    /**
     * A durable timer's wake-up: the owner journals it (its clock at firing) once the wall clock reaches the
     * journaled deadline held in {@link #value}; the other members wait for that entry.
     */
    TIMER,
    /**
     * A wait for a signal or a condition ({@link WaitSpec} in {@link #value}): the owner journals its outcome (the
     * consumed signal, the condition holding, or the timeout) when it comes; the other members wait for that entry.
     */
    WAIT
  }

  final String key;
  final JavaType type;
  final Kind kind;
  final Object value;
  final Supplier<Uni<?>> supplier;
  final UniEmitter<Object> emitter;
  /** The retried compute this call is an attempt of, or null (no retries: the compute's failure is final). */
  final RetryRun retry;
  /** The attempt number (1-based) under {@link #retry}; 1 without retries. */
  final int attempt;
  /** The journal position, once given (-1 before). */
  int seq = -1;
  /** Whether the emitter was answered. */
  boolean done;

  CheckpointCall(String key, JavaType type, Kind kind, Object value, Supplier<Uni<?>> supplier,
      UniEmitter<Object> emitter) {
    this(key, type, kind, value, supplier, emitter, null, 1);
  }

  CheckpointCall(String key, JavaType type, Kind kind, Object value, Supplier<Uni<?>> supplier,
      UniEmitter<Object> emitter, RetryRun retry, int attempt) {
    this.key = key;
    this.type = type;
    this.kind = kind;
    this.value = value;
    this.supplier = supplier;
    this.emitter = emitter;
    this.retry = retry;
    this.attempt = attempt;
  }

  /** Gives this call journal position {@code position}. */
  void assign(int position) {
    seq = position;
    if (retry != null && retry.firstSeq < 0) {
      retry.firstSeq = position;
    }
  }

  /** The position an idempotency key names while the supplier runs: every attempt of a retry uses the first's. */
  int idempotencySeq() {
    return retry != null && retry.firstSeq >= 0 ? retry.firstSeq : seq;
  }

  /** Whether a failure of this call may be journaled as a failed attempt that another attempt follows. */
  boolean mayRetry() {
    return retry != null && retry.mayRetryAfter(attempt);
  }
}
