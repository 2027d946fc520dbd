package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * Node-to-node delivery of Raft message batches. Delivery is best effort: Raft tolerates loss, duplication and
 * reordering, so a transport may drop a batch it cannot deliver (and should count it). Implementations must never
 * throw from {@link #send} because of the network or the peer.
 */
public interface Transport {

  /** This node's id. */
  long nodeId();

  /** Sends {@code batch} to {@code batch.toNode()}. Callable from any thread. */
  void send(RaftBatch batch);

  /** Sets the handler of inbound batches (the node's router). Called on a Vert.x context. */
  void receiveHandler(Handler<RaftBatch> handler);

  /** Stops sending and receiving. */
  Future<Void> close();
}
