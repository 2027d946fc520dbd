package io.raftoral.management;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;

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

  /**
   * Registers again node {@code nodeId}, reached at {@code address}, which holds its storage: a node that was cut off
   * long enough to be declared failed, or removed from the directory, while it kept its Raft state. It keeps its id
   * and is alive again (then placed anew); refused when another node holds the id or the address. Completes with
   * {@code nodeId}. Retries are safe.
   */
  default Future<Long> rejoin(String address, long nodeId) {
    return Future.failedFuture(new UnsupportedOperationException(getClass().getSimpleName() + " cannot rejoin"));
  }

  /**
   * Where the other nodes of the directory this node knows are reached: a client that knows only its seeds also
   * tries these to find the management leader (the seeds may be down, or as cut off as this node). Called by the
   * management service whenever its directory changes; the default ignores them.
   */
  default void learnAddresses(Collection<String> addresses) {}

  /**
   * The node directory as a reachable member of the cluster knows it: node id -> the address it is reached at. A
   * node that joins asks for it until it has cluster 0's state itself ({@link io.raftoral.node.RaftoralNode}): it
   * learns addresses from that state, which it only gets by answering cluster 0's leader, which it can only do
   * knowing the leader's address. The default fails: a client that cannot ask leaves the addresses to the caller.
   */
  default Future<Map<Long, String>> directory() {
    return Future.failedFuture(new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot fetch the directory"));
  }
}
