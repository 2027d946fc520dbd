package io.raftoral.async;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one bridge between Vert.x {@link Future}s (the glue inside the runtime) and Mutiny {@link Uni}s (every public
 * API a user awaits). Written once so that every layer converts the same way: lazily towards {@code Uni}, and back
 * onto the caller's Vert.x context towards {@code Future}.
 */
public final class Bridge {

  private Bridge() {
  }

  /**
   * A lazy {@code Uni} that calls {@code future} on each subscription. The item or failure is delivered on the thread
   * that completes the future (for the runtime's futures: the Vert.x context that owns them).
   */
  public static <T> Uni<T> uni(Supplier<? extends Future<T>> future) {
    Objects.requireNonNull(future, "future");
    return Uni.createFrom().completionStage(() -> future.get().toCompletionStage());
  }

  /** Subscribes to {@code uni} now and completes the returned future on {@code context}. */
  public static <T> Future<T> future(Uni<T> uni, Context context) {
    return future(uni, context, cancel -> { });
  }

  /**
   * Subscribes to {@code uni} now and completes the returned future on {@code context}; {@code cancellation} is
   * handed the action that cancels the subscription (e.g. to run when the requester goes away, so that a long wait
   * stops waiting).
   */
  public static <T> Future<T> future(Uni<T> uni, Context context, Consumer<Runnable> cancellation) {
    Objects.requireNonNull(uni, "uni");
    Objects.requireNonNull(context, "context");
    CompletableFuture<T> stage = uni.subscribeAsCompletionStage();
    cancellation.accept(() -> stage.cancel(false));
    return Future.fromCompletionStage(stage, context);
  }

  /**
   * Subscribes to {@code uni} now; the returned future completes on the thread that emits the item (use {@link
   * #future(Uni, Context)} where the continuation must run on a Vert.x context).
   */
  public static <T> Future<T> future(Uni<T> uni) {
    Objects.requireNonNull(uni, "uni");
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }

  /**
   * {@code future}'s outcome, delivered on {@code context}. Always by a hop through the context's task queue: a
   * store may complete on a worker thread where {@code Vertx.currentContext()} still reports this context (blocking
   * code runs "on" its caller's context), so the current context cannot tell whether we are on its thread.
   */
  public static <T> Future<T> onContext(Future<T> future, Context context) {
    Objects.requireNonNull(future, "future");
    Objects.requireNonNull(context, "context");
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }

  /**
   * Calls {@code call} now and delivers its outcome on the Vert.x context current at this call (where the call's
   * future completes when there is none). A call that throws is a failed future rather than a throw: what a request
   * handler needs to answer every request, whatever its implementation does.
   */
  public static <T> Future<T> onCurrentContext(Supplier<? extends Future<T>> call) {
    Objects.requireNonNull(call, "call");
    Context context = Vertx.currentContext();
    Future<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    return context == null ? future : onContext(future, context);
  }
}
