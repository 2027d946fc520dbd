package io.raftoral.group.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * One caller waiting for a group: its promise, plus whatever its kind needs (subclasses). Completing or failing it
 * twice is harmless: the first outcome wins, later ones are ignored (a duplicate answer, a timer that lost a race).
 *
 * @param <T> the result type the caller awaits
 */
class PendingRequest<T> {

  private final Promise<T> promise;

  PendingRequest(Promise<T> promise) {
    this.promise = promise;
  }

  final Future<T> future() {
    return promise.future();
  }

  final boolean isDone() {
    return promise.future().isComplete();
  }

  final void complete(T result) {
    promise.tryComplete(result);
  }

  final void fail(Throwable cause) {
    promise.tryFail(cause);
  }
}
