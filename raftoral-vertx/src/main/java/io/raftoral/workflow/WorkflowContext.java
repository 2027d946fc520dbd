package io.raftoral.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a workflow uses to record progress. Every method that returns a {@link Uni} is a checkpoint: it takes the
 * next position of the workflow's journal when the Uni is subscribed to. On the owner the value is produced and
 * replicated; on the other members it is read from the journal. A member whose n-th checkpoint names another key
 * than journal entry n fails with {@link NonDeterminismException}.
 *
 * <p>All Unis emit on the execution cluster's event-loop context. After the workflow is terminated they fail with
 * {@link WorkflowTerminatedException}.
 */
public interface WorkflowContext {

  /** The journal key of a durable timer's deadline (keys starting with {@code $} are the runtime's own). */
  String TIMER_KEY = "$timer";

  /** The journal key of a durable timer's wake-up. */
  String TIMER_FIRED_KEY = "$timer-fired";

  /** The journal key of a failed attempt of a compute that a {@link RetryPolicy} retries. */
  String ATTEMPT_FAILED_KEY = "$attempt-failed";

  /** The prefix of the journal key of a consumed signal (followed by the signal's name). */
  String SIGNAL_KEY_PREFIX = "$signal:";

  /** The journal key of a condition's outcome (true: it held; false: its timeout elapsed first). */
  String CONDITION_KEY = "$condition";

  /** This workflow's id. */
  String workflowId();

  /** The execution cluster the workflow runs in. */
  long executionClusterId();

  /** Whether this member currently produces the journal (the others consume it). */
  boolean isOwner();

  /** Whether the workflow has been terminated. */
  boolean isTerminated();

  /**
   * A key identifying the checkpoint position being produced (inside a {@link #compute} supplier: that compute's
   * position), stable across owners: {@code <workflowId>/<seq>}. Pass it to external services so a compute that a
   * new owner runs again after a failover is not applied twice. Every attempt of a retried compute gets the key of
   * its first attempt's position.
   */
  String idempotencyKey();

  /**
   * Journals {@code value} under {@code key}; the Uni emits the value (on replicas: the journaled one). The value
   * must come from deterministic code; the owner may continue before it commits (pipelining), but waits for it
   * before any side effect or completion.
   */
  <T> Uni<T> checkpoint(String key, T value);

  /** {@link #checkpoint(String, Object)} for values of generic types, read back on replicas as {@code type}. */
  <T> Uni<T> checkpoint(String key, TypeReference<T> type, T value);

  /**
   * Runs {@code supplier} on the owner only, once all earlier checkpoints are committed, and journals its outcome
   * (value or failure); every member then sees that outcome. If the owner dies before the outcome is committed a new
   * owner runs it again: side effects are at least once, the recorded result exactly once. A failure is seen as a
   * {@link CheckpointFailedException} carrying the original exception type and message. With pipelining (the
   * default, {@link WorkflowRuntimeOptions#setPipelining}) the owner continues with a value before it commits, as
   * after a {@link #checkpoint}: the next compute's supplier still waits for it to commit, and the workflow's end is
   * journaled behind it, so the outcome is durable before anything outside the workflow sees what followed it.
   *
   * <p>A failed supplier is retried as the workflow's registration says ({@link WorkflowRegistry#register(String,
   * int, Class, Class, RetryPolicy, WorkflowFunction)}; by default it is not); see
   * {@link #compute(String, Class, RetryPolicy, Supplier)}.
   */
  <T> Uni<T> compute(String key, Class<T> type, Supplier<Uni<T>> supplier);

  /** {@link #compute(String, Class, Supplier)} for generic types. */
  <T> Uni<T> compute(String key, TypeReference<T> type, Supplier<Uni<T>> supplier);

  /**
   * {@link #compute(String, Class, Supplier)} retried by {@code retryPolicy} (instead of the registration's default):
   * a failed attempt is followed, after a durable backoff, by another call of {@code supplier}, until one succeeds,
   * the attempts are used up or the failure's type is not retryable. That final failure is what the workflow sees: a
   * {@link CheckpointFailedException} whose {@link CheckpointFailedException#attempts()} says how many were made.
   *
   * <p>Journal layout, from the compute's position on, for attempts that fail twice, then succeed:
   * <pre>
   *   {@value #ATTEMPT_FAILED_KEY}  {"attempt":1,"errorType":"...","errorMessage":"..."}
   *   {@value #TIMER_KEY}           the deadline: the owner's clock + backoff(1)
   *   {@value #TIMER_FIRED_KEY}     the wake-up
   *   {@value #ATTEMPT_FAILED_KEY}  {"attempt":2,...}
   *   {@value #TIMER_KEY}, {@value #TIMER_FIRED_KEY}   backoff(2)
   *   key                the value (or, when the last attempt failed, the failure), as without retries
   * </pre>
   * The owner alone runs the supplier and decides whether a failure is retried; the other members read the outcome
   * of each attempt from the journal. The backoff is a durable timer ({@link #sleep(Duration)}): a new owner after a
   * failover continues with the next attempt number and waits only what is left of the journaled backoff. A compute
   * that succeeds at once, or a policy of one attempt, journals exactly what a compute without retries does. A
   * replay that finds a failed attempt where its code asks for another key (or counts attempts differently) fails
   * with {@link NonDeterminismException}.
   */
  <T> Uni<T> compute(String key, Class<T> type, RetryPolicy retryPolicy, Supplier<Uni<T>> supplier);

  /** {@link #compute(String, Class, RetryPolicy, Supplier)} for generic types. */
  <T> Uni<T> compute(String key, TypeReference<T> type, RetryPolicy retryPolicy, Supplier<Uni<T>> supplier);

  /** Like {@link #compute(String, Class, Supplier)} for blocking code, run on a worker thread. */
  <T> Uni<T> computeBlocking(String key, Class<T> type, Callable<T> blocking);

  /** {@link #computeBlocking(String, Class, Callable)} retried by {@code retryPolicy} (see {@link #compute}). */
  <T> Uni<T> computeBlocking(String key, Class<T> type, RetryPolicy retryPolicy, Callable<T> blocking);

  /**
   * An operator that checkpoints the Uni it is plugged into ("checkpoints are reactive operators"):
   * {@code fetchQuote().plug(ctx.checkpointed("quote", Quote.class))}. Like {@link #compute}: the upstream Uni is
   * subscribed to on the owner only, once all earlier checkpoints are committed, and its outcome is journaled; the
   * other members emit the journaled outcome without subscribing to it.
   *
   * <p>The returned Uni is a checkpoint like any other: <b>each subscription takes a new journal position</b>.
   * Subscribe to it once per step; a second subscription (a {@code retry()}, a second subscriber, a {@code repeat()})
   * journals a new entry rather than reading the first one back. Operators plugged in after it act on the journaled
   * outcome.
   */
  <T> Function<Uni<T>, Uni<T>> checkpointed(String key, Class<T> type);

  /** {@link #checkpointed(String, Class)} for values of generic types, read back on replicas as {@code type}. */
  <T> Function<Uni<T>, Uni<T>> checkpointed(String key, TypeReference<T> type);

  /**
   * {@link #checkpointed(String, Class)} retried by {@code retryPolicy} (see
   * {@link #compute(String, Class, RetryPolicy, Supplier)}): each attempt subscribes to the upstream Uni again, so
   * it must be lazy (a memoized Uni would replay its first failure).
   */
  <T> Function<Uni<T>, Uni<T>> checkpointed(String key, Class<T> type, RetryPolicy retryPolicy);

  /** {@link #checkpointed(String, Class, RetryPolicy)} for generic types. */
  <T> Function<Uni<T>, Uni<T>> checkpointed(String key, TypeReference<T> type, RetryPolicy retryPolicy);

  /** A replicated variable starting at {@code initial} (not journaled: it must be deterministic). */
  <T> ReplicatedVar<T> var(String key, Class<T> type, T initial);

  /** {@link #var(String, Class, Object)} with the type of {@code initial} (non-null). */
  <T> ReplicatedVar<T> var(String key, T initial);

  /**
   * A durable timer: emits (null) once {@code duration} has passed from the owner's clock when the timer is set.
   * Equivalent to {@link #sleepUntil(Instant)} with that deadline; {@link Duration#ZERO} fires at once.
   *
   * <p>It takes two journal positions: the deadline (key {@value #TIMER_KEY}, from the owner's clock, so every member
   * and every replay agrees on it) and the wake-up (key {@value #TIMER_FIRED_KEY}), which whichever member owns the
   * workflow when the deadline comes journals; every member continues on that entry. A failover, a restart or a
   * snapshot install does not start the wait over: the new owner fires at the journaled deadline (at once if it has
   * passed), and a replay past a journaled wake-up does not wait at all. A sleeping workflow costs no thread and no
   * poll: its owner keeps it in one sorted index per execution cluster with one Vert.x timer for the earliest.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  Uni<Void> sleep(Duration duration);

  /**
   * A durable timer until {@code deadline} (wall-clock time, to the millisecond), journaled as given, so replicas
   * use the owner's value even if theirs differs; a deadline in the past fires at once. See {@link #sleep(Duration)}.
   */
  Uni<Void> sleepUntil(Instant deadline);

  /**
   * The next signal named {@code name} sent to this workflow, read as {@code type}: at once if one is in the inbox
   * (signals sent before the wait are kept durably), else when one is committed. Signals of one name are delivered
   * once each, in the order they were committed.
   *
   * <p>One journal position (key {@value #SIGNAL_KEY_PREFIX}{@code <name>}): the owner journals which signal it
   * consumed (its number and payload), the other members and every replay read that entry, and the state machine
   * removes that signal from the inbox when the entry commits. A payload that does not fit {@code type} fails the
   * Uni with an {@link IllegalStateException}.
   */
  <T> Uni<T> awaitSignal(String name, Class<T> type);

  /** {@link #awaitSignal(String, Class)} for generic types. */
  <T> Uni<T> awaitSignal(String name, TypeReference<T> type);

  /**
   * {@link #awaitSignal(String, Class)} with a durable timer: emits an empty Optional when {@code timeout} elapses
   * before a signal comes (journaled like {@link #sleep}: its deadline takes a position before the wait's own).
   */
  <T> Uni<Optional<T>> awaitSignal(String name, Class<T> type, Duration timeout);

  /** {@link #awaitSignal(String, Class, Duration)} for generic types. */
  <T> Uni<Optional<T>> awaitSignal(String name, TypeReference<T> type, Duration timeout);

  /**
   * Whether a signal named {@code name} is in the inbox, not consumed yet (this member's replica; meant for
   * {@link #awaitCondition} conditions, which only the owner evaluates).
   */
  boolean hasSignal(String name);

  /**
   * Emits once {@code condition} holds. Only the owner evaluates it: at once, then whenever a signal reaches this
   * workflow's inbox, a {@link ReplicatedVar} of it changes, or an entry of its journal commits; when it holds,
   * the owner journals it (key {@value #CONDITION_KEY}) and every member continues on that entry, so the condition
   * may read anything the owner sees. The condition must be cheap and free of side effects.
   */
  Uni<Void> awaitCondition(Supplier<Boolean> condition);

  /**
   * {@link #awaitCondition(Supplier)} with a durable timer: emits true when the condition held, false when
   * {@code timeout} elapsed first. "Wait until approved or 48 hours have passed" is
   * {@code ctx.awaitCondition(() -> ctx.hasSignal("approve"), Duration.ofHours(48))}.
   */
  Uni<Boolean> awaitCondition(Supplier<Boolean> condition, Duration timeout);

  /**
   * Registers read-only query handler {@code name} (replacing one of that name): {@code handler} answers
   * {@code WorkflowRuntime.query} and the clients' {@code query} on whichever member is asked, from that member's
   * replica, without adding to the journal; its value is written as JSON. Register handlers at the start of the
   * workflow function (every member runs it). When the workflow completes or fails, the owner records every
   * handler's last answer with the end, so queries of the ended workflow answer from its last state.
   */
  <T> void registerQuery(String name, Supplier<T> handler);

  /** The owner's clock, journaled. */
  Uni<Instant> now();

  /** A random UUID, journaled. */
  Uni<UUID> randomUuid();

  /** A random number in [0, 1), journaled. */
  Uni<Double> random();
}
