package io.raftoral.management;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * A joining node registering through the members of cluster 0 it can reach ({@link ManagementClient}), before it
 * has a node id and so before it can start its Raft host. Used through {@link ManagementService#register}.
 */
final class RegistrationClient {

  /**
   * The pause between two attempts. Short: a refused attempt is usually a seed that does not lead or has not yet
   * applied its own registration, which an election or a few applied entries settle.
   */
  static final long RETRY_DELAY_MILLIS = 50;

  private RegistrationClient() {}

  /**
   * Registers the node reached at {@code address}, retrying with the same {@code requestId} (so that a retry of a
   * request that was committed after all gets the same id) until it succeeds or {@code timeoutMillis} pass.
   * Completes with the allocated node id, or fails with the last attempt's failure.
   */
  static Future<Long> register(Vertx vertx, ManagementClient client, String address, String requestId,
      long timeoutMillis) {
    Promise<Long> registered = Promise.promise();
    attempt(vertx, client, address, requestId, System.currentTimeMillis() + timeoutMillis, registered);
    return registered.future();
  }

  private static void attempt(Vertx vertx, ManagementClient client, String address, String requestId,
      long deadlineMillis, Promise<Long> registered) {
    client.register(address, requestId).onComplete(ar -> {
      if (ar.succeeded()) {
        registered.tryComplete(ar.result());
      } else if (System.currentTimeMillis() > deadlineMillis) {
        registered.tryFail(ar.cause());
      } else {
        vertx.setTimer(RETRY_DELAY_MILLIS,
            id -> attempt(vertx, client, address, requestId, deadlineMillis, registered));
      }
    });
  }
}
