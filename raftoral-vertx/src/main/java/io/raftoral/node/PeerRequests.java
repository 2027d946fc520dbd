package io.raftoral.node;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Request/response between nodes for routing client operations (start, wait, status, list, terminate) to a member
 * of the right execution cluster. In one JVM: {@link InJvmPeerRequests}; across processes the network transports
 * implement it.
 *
 * <p>Futures may complete on any thread.
 */
public interface PeerRequests {

  /**
   * Sends {@code request} to node {@code nodeId} reached at {@code address}; completes with its reply, or fails
   * when the node cannot be reached.
   */
  Future<JsonObject> request(long nodeId, String address, JsonObject request);

  /** Serves the requests sent to node {@code nodeId} (this node) with {@code handler}. */
  Future<Void> serve(long nodeId, Function<JsonObject, Future<JsonObject>> handler);

  /** Stops serving. */
  Future<Void> close();
}
