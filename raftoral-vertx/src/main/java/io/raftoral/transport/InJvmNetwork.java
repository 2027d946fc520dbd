package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several Raft nodes in one JVM (tests, benchmarks, embedded single-process clusters): a batch is handed to the
 * receiving node's handler (its router) on the sender's thread, as an immutable object, never serialized. The
 * router only queues the batch's messages for their groups' event loops, so the call is short; going through an
 * event-bus address first would add a hop to another event loop to every message, twice per commit. Snapshots are
 * fetched out of band straight from the serving node's {@link SnapshotSource} ({@link InJvmSnapshotFetch}).
 */
public final class InJvmNetwork {

  private static final Logger LOG = LoggerFactory.getLogger(InJvmNetwork.class);

  /** The receiving side of every node of this network that has a handler, by node id (the latest one wins). */
  private final Map<Long, InJvmTransport> receivers = new ConcurrentHashMap<>();
  /** The open transports serving snapshots, by node id. */
  private final Map<Long, InJvmTransport> serving = new ConcurrentHashMap<>();

  /** {@code vertx} is no longer needed (batches do not travel on its event bus); kept for the callers. */
  public InJvmNetwork(Vertx vertx) {
  }

  /** The transport of node {@code nodeId} on this network. */
  public Transport transport(long nodeId) {
    return new InJvmTransport(nodeId);
  }

  private final class InJvmTransport implements Transport {
    private final long nodeId;
    private volatile Handler<RaftBatch> handler;
    private volatile boolean closed;
    private volatile SnapshotSource source;

    InJvmTransport(long nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public long nodeId() {
      return nodeId;
    }

    @Override
    public void send(RaftBatch batch) {
      if (closed) {
        return;
      }
      // Fire and forget, like a datagram: Raft retries whatever is lost (no receiver, a closed one).
      InJvmTransport receiver = receivers.get(batch.toNode());
      if (receiver != null) {
        receiver.receive(batch);
      }
    }

    private void receive(RaftBatch batch) {
      Handler<RaftBatch> h = handler;
      if (closed || h == null) {
        return;
      }
      try {
        h.handle(batch);
      } catch (RuntimeException e) {
        // The sender must never see the receiver's failure (Transport.send does not throw).
        LOG.warn("node {}: a batch from node {} failed in its handler: {}", nodeId, batch.fromNode(), e.toString());
      }
    }

    @Override
    public void receiveHandler(Handler<RaftBatch> handler) {
      this.handler = handler;
      receivers.put(nodeId, this);
    }

    @Override
    public void snapshotSource(SnapshotSource snapshotSource) {
      source = snapshotSource;
      if (!closed) {
        serving.put(nodeId, this);
      }
    }

    @Override
    public Future<Void> fetchSnapshot(long fromNode, long clusterId, String snapshotId, long offset, int chunkSize,
        SnapshotChunkHandler handler) {
      InJvmTransport peer = serving.get(fromNode);
      if (closed || peer == null || peer.closed || peer.source == null) {
        return Future.failedFuture(new ConnectException("node " + fromNode + " serves no snapshots"));
      }
      return new InJvmSnapshotFetch(fromNode, peer.source, clusterId, snapshotId, chunkSize, handler,
          Vertx.currentContext(), () -> !closed && !peer.closed).start(offset);
    }

    @Override
    public Future<Void> close() {
      closed = true;
      receivers.remove(nodeId, this);
      serving.remove(nodeId, this);
      return Future.succeededFuture();
    }
  }
}
