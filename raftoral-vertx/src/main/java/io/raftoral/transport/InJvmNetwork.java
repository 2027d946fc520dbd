package io.raftoral.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several Raft nodes in one JVM (tests, benchmarks, embedded single-process clusters): each node's inbox is a local
 * event-bus address {@code raftoral.transport.<nodeId>}, and batches travel as immutable objects with a local-only
 * codec, never serialized. Snapshots are fetched out of band straight from the serving node's
 * {@link SnapshotSource} ({@link InJvmSnapshotFetch}).
 */
public final class InJvmNetwork {

  private final Vertx vertx;
  /** The open transports serving snapshots, by node id. */
  private final Map<Long, InJvmTransport> serving = new ConcurrentHashMap<>();

  public InJvmNetwork(Vertx vertx) {
    this.vertx = vertx;
    registerCodec(vertx.eventBus());
  }

  /** The transport of node {@code nodeId} on this network. */
  public Transport transport(long nodeId) {
    return new InJvmTransport(nodeId);
  }

  static String inbox(long nodeId) {
    return "raftoral.transport." + nodeId;
  }

  private static void registerCodec(EventBus bus) {
    LocalOnlyCodec.register(bus, RaftBatch.class);
  }

  private final class InJvmTransport implements Transport {
    private final long nodeId;
    private volatile MessageConsumer<RaftBatch> consumer;
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
      // Fire and forget, like a datagram: Raft retries whatever is lost.
      vertx.eventBus().send(inbox(batch.toNode()), batch);
    }

    @Override
    public void receiveHandler(Handler<RaftBatch> handler) {
      consumer = vertx.eventBus().<RaftBatch>localConsumer(inbox(nodeId), msg -> {
        if (!closed) {
          handler.handle(msg.body());
        }
      });
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
      serving.remove(nodeId, this);
      MessageConsumer<RaftBatch> c = consumer;
      return c == null ? Future.succeededFuture() : c.unregister();
    }
  }
}
