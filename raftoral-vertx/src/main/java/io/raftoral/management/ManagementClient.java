package io.raftoral.management;

import io.vertx.core.Future;

/**
 * How a node reaches the management leader before (and besides) being a member of cluster 0: to register and get
 * its node id, and to send heartbeats. The in-JVM implementation is {@link InJvmManagementNetwork}; the network
 * transports (gRPC, HTTP) implement it over their discovery endpoints.
 *
 * <p>Futures may complete on any thread.
 */
public interface ManagementClient {

  /**
   * Registers the node reached at {@code address} and completes with its node id, allocated by a committed command
   * of cluster 0. Retrying with the same {@code requestId} yields the same id; a node without storage registering
   * again at its old address (a new {@code requestId}) gets a new id, its former id is replaced.
   */
  Future<Long> register(String address, String requestId);

  /** Tells the management leader that node {@code nodeId} is alive. */
  Future<Void> heartbeat(long nodeId);
}
