package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import io.raftoral.workflow.ReplicatedVar;
import io.raftoral.workflow.RetryPolicy;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.impl.CheckpointCall.Kind;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** The {@link WorkflowContext} of one {@link Execution}. */
final class WorkflowContextImpl implements WorkflowContext {

  private static final JavaType INSTANT = Payloads.type(Instant.class);
  /** The latest deadline a timer can hold (epoch ms must fit a long): later ones mean "never", in effect. */
  private static final Instant LATEST_DEADLINE = Instant.ofEpochMilli(Long.MAX_VALUE);
  private static final Instant EARLIEST_DEADLINE = Instant.ofEpochMilli(Long.MIN_VALUE);
  /** One attempt (read only: never changed, so shared). */
  private static final RetryPolicy NO_RETRIES = new RetryPolicy();

  private final WorkflowRuntimeImpl rt;
  private final Execution execution;
  private final ContextWaits waits = new ContextWaits(this);

  WorkflowContextImpl(WorkflowRuntimeImpl rt, Execution execution) {
    this.rt = rt;
    this.execution = execution;
  }

  @Override
  public String workflowId() {
    return execution.workflowId;
  }

  @Override
  public long executionClusterId() {
    return rt.clusterId();
  }

  @Override
  public boolean isOwner() {
    WorkflowRecord r = rt.stateMachine().get(execution.workflowId);
    return r != null && r.owner == rt.nodeId();
  }

  @Override
  public boolean isTerminated() {
    WorkflowRecord r = rt.stateMachine().get(execution.workflowId);
    return r != null && r.state == WorkflowState.TERMINATED;
  }

  @Override
  public String idempotencyKey() {
    int seq = execution.computeSeq() >= 0 ? execution.computeSeq() : execution.position();
    return execution.workflowId + "/" + seq;
  }

  @Override
  public <T> Uni<T> checkpoint(String key, T value) {
    return checkpoint(key, Payloads.type(value == null ? Object.class : value.getClass()), value);
  }

  @Override
  public <T> Uni<T> checkpoint(String key, TypeReference<T> type, T value) {
    return checkpoint(key, Payloads.type(Objects.requireNonNull(type, "type")), value);
  }

  <T> Uni<T> checkpoint(String key, JavaType type, T value) {
    checkKey(key);
    return step(key, type, Kind.VALUE, value, null);
  }

  @Override
  public <T> Uni<T> compute(String key, Class<T> type, Supplier<Uni<T>> supplier) {
    return compute(key, Payloads.type(Objects.requireNonNull(type, "type")), execution.defaultRetryPolicy(),
        supplier);
  }

  @Override
  public <T> Uni<T> compute(String key, TypeReference<T> type, Supplier<Uni<T>> supplier) {
    return compute(key, Payloads.type(Objects.requireNonNull(type, "type")), execution.defaultRetryPolicy(),
        supplier);
  }

  @Override
  public <T> Uni<T> compute(String key, Class<T> type, RetryPolicy retryPolicy, Supplier<Uni<T>> supplier) {
    return compute(key, Payloads.type(Objects.requireNonNull(type, "type")), copy(retryPolicy), supplier);
  }

  @Override
  public <T> Uni<T> compute(String key, TypeReference<T> type, RetryPolicy retryPolicy, Supplier<Uni<T>> supplier) {
    return compute(key, Payloads.type(Objects.requireNonNull(type, "type")), copy(retryPolicy), supplier);
  }

  /** A compute under {@code policy} (this method's own: no one changes it); each subscription starts at attempt 1. */
  private <T> Uni<T> compute(String key, JavaType type, RetryPolicy policy, Supplier<Uni<T>> supplier) {
    checkKey(key);
    Objects.requireNonNull(supplier, "supplier");
    return Uni.createFrom().deferred(() -> attempt(key, type, supplier, new RetryRun(policy), 1));
  }

  /**
   * Attempt {@code attempt}: the compute's step; a failure the journal records as a failed attempt is followed by
   * the durable backoff ({@link #timer}) and the next attempt, each at the next journal positions.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T> Uni<T> attempt(String key, JavaType type, Supplier<Uni<T>> supplier, RetryRun run, int attempt) {
    return this.<T>step(key, type, Kind.COMPUTE, null, (Supplier) supplier, run, attempt).onFailure(AttemptFailedException.class).recoverWithUni(failed -> {
      Duration backoff = run.policy.backoff(attempt);
      return timer(() -> deadlineAfter(backoff)).chain(() -> attempt(key, type, supplier, run, attempt + 1));
    });
  }

  private static RetryPolicy copy(RetryPolicy policy) {
    return new RetryPolicy(Objects.requireNonNull(policy, "retryPolicy"));
  }

  @Override
  public <T> Uni<T> computeBlocking(String key, Class<T> type, Callable<T> blocking) {
    return computeBlocking(key, type, execution.defaultRetryPolicy(), blocking);
  }

  @Override
  public <T> Uni<T> computeBlocking(String key, Class<T> type, RetryPolicy retryPolicy, Callable<T> blocking) {
    Objects.requireNonNull(blocking, "blocking");
    return compute(key, type, retryPolicy, () -> Uni.createFrom().completionStage(() ->
        rt.context().executeBlocking(blocking, false).toCompletionStage()));
  }

  @Override
  public <T> Function<Uni<T>, Uni<T>> checkpointed(String key, Class<T> type) {
    return checkpointed(key, Payloads.type(Objects.requireNonNull(type, "type")), execution.defaultRetryPolicy());
  }

  @Override
  public <T> Function<Uni<T>, Uni<T>> checkpointed(String key, TypeReference<T> type) {
    return checkpointed(key, Payloads.type(Objects.requireNonNull(type, "type")), execution.defaultRetryPolicy());
  }

  @Override
  public <T> Function<Uni<T>, Uni<T>> checkpointed(String key, Class<T> type, RetryPolicy retryPolicy) {
    return checkpointed(key, Payloads.type(Objects.requireNonNull(type, "type")), copy(retryPolicy));
  }

  @Override
  public <T> Function<Uni<T>, Uni<T>> checkpointed(String key, TypeReference<T> type, RetryPolicy retryPolicy) {
    return checkpointed(key, Payloads.type(Objects.requireNonNull(type, "type")), copy(retryPolicy));
  }

  /** Each application to an upstream is a compute step (a new journal position per subscription). */
  private <T> Function<Uni<T>, Uni<T>> checkpointed(String key, JavaType type, RetryPolicy policy) {
    checkKey(key);
    return upstream -> compute(key, type, policy, () -> upstream);
  }

  @Override
  public <T> ReplicatedVar<T> var(String key, Class<T> type, T initial) {
    checkKey(key);
    return new Var<>(key, Payloads.type(Objects.requireNonNull(type, "type")), initial);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> ReplicatedVar<T> var(String key, T initial) {
    Objects.requireNonNull(initial, "initial (use var(key, type, initial) for a null initial value)");
    return var(key, (Class<T>) initial.getClass(), initial);
  }

  @Override
  public Uni<Void> sleep(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("sleep duration must not be negative, was " + duration);
    }
    return timer(() -> deadlineAfter(duration));
  }

  /** The owner's clock plus {@code duration}, or "never" when that does not fit. */
  private static Instant deadlineAfter(Duration duration) {
    try {
      return Instant.now().plus(duration);
    } catch (DateTimeException | ArithmeticException tooFar) {
      return LATEST_DEADLINE;
    }
  }

  @Override
  public Uni<Void> sleepUntil(Instant deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return timer(() -> deadline);
  }

  /**
   * The deadline, journaled like a compute (the owner's value is every member's), then the wake-up: a
   * {@link Kind#TIMER} call the owner answers from its {@link TimerQueue} and the others from the journal.
   */
  private Uni<Void> timer(Supplier<Instant> deadline) {
    return deadline(deadline)
        .flatMap(at -> this.<Instant>step(TIMER_FIRED_KEY, INSTANT, Kind.TIMER, at, null))
        .replaceWithVoid();
  }

  /** A durable timer's deadline, journaled like a compute (key {@value #TIMER_KEY}): the owner's value is all's. */
  Uni<Instant> deadline(Supplier<Instant> deadline) {
    Supplier<Uni<?>> journaled = () -> Uni.createFrom().item(clamp(deadline.get()).truncatedTo(ChronoUnit.MILLIS));
    return this.step(TIMER_KEY, INSTANT, Kind.COMPUTE, null, journaled);
  }

  /** The deadline {@code timeout} from the owner's clock when the wait starts, journaled. */
  Uni<Instant> deadlineIn(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    return deadline(() -> {
      try {
        return Instant.now().plus(timeout);
      } catch (DateTimeException | ArithmeticException tooFar) {
        return LATEST_DEADLINE;
      }
    });
  }

  @Override
  public <T> Uni<T> awaitSignal(String name, Class<T> type) {
    return waits.awaitSignal(name, Payloads.type(Objects.requireNonNull(type, "type")));
  }

  @Override
  public <T> Uni<T> awaitSignal(String name, TypeReference<T> type) {
    return waits.awaitSignal(name, Payloads.type(Objects.requireNonNull(type, "type")));
  }

  @Override
  public <T> Uni<Optional<T>> awaitSignal(String name, Class<T> type, Duration timeout) {
    return waits.awaitSignal(name, Payloads.type(Objects.requireNonNull(type, "type")), timeout);
  }

  @Override
  public <T> Uni<Optional<T>> awaitSignal(String name, TypeReference<T> type, Duration timeout) {
    return waits.awaitSignal(name, Payloads.type(Objects.requireNonNull(type, "type")), timeout);
  }

  @Override
  public boolean hasSignal(String name) {
    return SignalInbox.hasPending(rt.stateMachine().get(execution.workflowId), name);
  }

  @Override
  public Uni<Void> awaitCondition(Supplier<Boolean> condition) {
    return waits.awaitCondition(condition);
  }

  @Override
  public Uni<Boolean> awaitCondition(Supplier<Boolean> condition, Duration timeout) {
    return waits.awaitCondition(condition, timeout);
  }

  @Override
  public <T> void registerQuery(String name, Supplier<T> handler) {
    checkKey(name);
    execution.queries().register(name, Objects.requireNonNull(handler, "handler"));
  }

  private static Instant clamp(Instant deadline) {
    if (deadline.isAfter(LATEST_DEADLINE)) {
      return LATEST_DEADLINE;
    }
    return deadline.isBefore(EARLIEST_DEADLINE) ? EARLIEST_DEADLINE : deadline;
  }

  // The runtime's own computes never fail: they take no retry policy, whatever the registration's default.

  @Override
  public Uni<Instant> now() {
    return compute("now", Instant.class, NO_RETRIES, () -> Uni.createFrom().item(Instant.now()));
  }

  @Override
  public Uni<UUID> randomUuid() {
    return compute("uuid", UUID.class, NO_RETRIES, () -> Uni.createFrom().item(UUID.randomUUID()));
  }

  @Override
  public Uni<Double> random() {
    return compute("random", Double.class, NO_RETRIES,
        () -> Uni.createFrom().item(ThreadLocalRandom.current().nextDouble()));
  }

  <T> Uni<T> step(String key, JavaType type, Kind kind, Object value, Supplier<Uni<?>> supplier) {
    return step(key, type, kind, value, supplier, null, 1);
  }

  /** A checkpoint call, given its position when subscribed to; {@code retry} is null unless it is an attempt. */
  @SuppressWarnings("unchecked")
  private <T> Uni<T> step(String key, JavaType type, Kind kind, Object value, Supplier<Uni<?>> supplier,
      RetryRun retry, int attempt) {
    return Uni.createFrom().emitter(em -> {
      CheckpointCall step = new CheckpointCall(key, type, kind, value, supplier, (UniEmitter<Object>) em, retry,
          attempt);
      rt.onContext(() -> execution.onStep(step));
    });
  }

  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > 200) {
      throw new IllegalArgumentException("checkpoint key must be 1-200 characters, was '" + key + "'");
    }
  }

  /** A variable whose changes are VALUE checkpoints under its key. */
  private final class Var<T> implements ReplicatedVar<T> {
    private final String key;
    private final JavaType type;
    private T value;

    Var(String key, JavaType type, T initial) {
      this.key = key;
      this.type = type;
      this.value = initial;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public T get() {
      return value;
    }

    @Override
    public Uni<T> set(T newValue) {
      return WorkflowContextImpl.this.<T>checkpoint(key, type, newValue).invoke(v -> {
        value = v;
        // A condition waiting in another branch may hold now (its entry may precede this one's in the journal).
        execution.onStateChanged();
      });
    }

    @Override
    public Uni<T> update(UnaryOperator<T> fn) {
      Objects.requireNonNull(fn, "fn");
      return Uni.createFrom().deferred(() -> set(fn.apply(value)));
    }
  }
}
