package io.raftoral.async;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Objects;
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
    Objects.requireNonNull(uni, "uni");
    Objects.requireNonNull(context, "context");
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage(), context);
  }

  /**
   * Subscribes to {@code uni} now; the returned future completes on the thread that emits the item (use {@link
   * #future(Uni, Context)} where the continuation must run on a Vert.x context).
   */
  public static <T> Future<T> future(Uni<T> uni) {
    Objects.requireNonNull(uni, "uni");
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage());
  }
}
