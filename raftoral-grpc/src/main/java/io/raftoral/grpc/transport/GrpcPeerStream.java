package io.raftoral.grpc.transport;

import io.raftoral.grpc.transport.v1.RaftTransportGrpcClient;
import io.raftoral.grpc.transport.v1.SendSummary;
import io.raftoral.transport.PeerBackoff;
import io.raftoral.transport.TransportCounters;
import io.raftoral.transport.TransportCounters.DropReason;
import io.raftoral.wire.v1.RaftBatch;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound stream of a {@link GrpcTransport} to one peer: opened on the first batch, replaced when the peer's
 * address changes, dropped and reopened after a backoff ({@link PeerBackoff}) when it breaks or stays full for the
 * stall timeout. Batches wait only while it opens (up to the options' limit); everything else that cannot be written
 * at once is dropped and counted. Confined to the transport's context.
 */
final class GrpcPeerStream {

  /** Logs under the transport's name. */
  private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);
  /** A stream that lived at least this long resets the backoff: its failure is a new incident, not a retry. */
  private static final long HEALTHY_STREAM_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum State { IDLE, CONNECTING, OPEN, BACKOFF }

  private final Vertx vertx;
  private final GrpcClient client;
  private final GrpcTransportOptions options;
  private final TransportCounters counters;
  private final long nodeId;
  private final long peer;
  private final BooleanSupplier closed;
  private State state = State.IDLE;
  private SocketAddress address;
  private GrpcClientRequest<RaftBatch, SendSummary> request;
  private final ArrayDeque<RaftBatch> whileConnecting = new ArrayDeque<>();
  /** Incremented whenever the stream is replaced, so callbacks of an old stream are recognized and ignored. */
  private int generation;
  private long openedAtNanos;
  private long fullSinceNanos;
  private final PeerBackoff backoff;
  private long backoffTimer = -1;

  /** The stream of node {@code nodeId} to {@code peer}; {@code closed} tells whether the transport is closing. */
  GrpcPeerStream(Vertx vertx, GrpcClient client, GrpcTransportOptions options, TransportCounters counters, long nodeId,
      long peer, BooleanSupplier closed) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    this.counters = counters;
    this.nodeId = nodeId;
    this.peer = peer;
    this.closed = closed;
    this.backoff = new PeerBackoff(options);
  }

  void send(SocketAddress current, RaftBatch frame) {
    if (state != State.IDLE && !current.equals(address)) {
      LOG.info("node {}: node {} moved from {} to {}; reconnecting", nodeId, peer, address, current);
      replace();
      backoff.reset();
      state = State.IDLE;
    }
    switch (state) {
      case OPEN -> write(frame);
      case CONNECTING -> {
        if (whileConnecting.size() < options.getMaxBatchesWhileConnecting()) {
          whileConnecting.add(frame);
        } else {
          counters.countDropped(peer, DropReason.BACK_PRESSURE, 1);
        }
      }
      case BACKOFF -> counters.countDropped(peer, DropReason.UNREACHABLE, 1);
      case IDLE -> {
        connect(current);
        if (options.getMaxBatchesWhileConnecting() > 0) {
          whileConnecting.add(frame);
        } else {
          counters.countDropped(peer, DropReason.BACK_PRESSURE, 1);
        }
      }
    }
  }

  private void write(RaftBatch frame) {
    if (request.writeQueueFull()) {
      counters.countDropped(peer, DropReason.BACK_PRESSURE, 1);
      long now = System.nanoTime();
      if (fullSinceNanos == 0) {
        fullSinceNanos = now;
      } else if (now - fullSinceNanos > TimeUnit.MILLISECONDS.toNanos(options.getStallTimeoutMillis())) {
        broken(generation, "the stream stayed full for " + options.getStallTimeoutMillis() + " ms");
      }
      return;
    }
    request.write(frame);
    counters.countSent(peer, frame.getSerializedSize());
  }

  private void connect(SocketAddress target) {
    state = State.CONNECTING;
    address = target;
    int gen = ++generation;
    client.request(target, RaftTransportGrpcClient.Send).onComplete(ar -> {
      if (gen != generation || closed.getAsBoolean()) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed()) {
        broken(gen, String.valueOf(ar.cause()));
        return;
      }
      opened(gen, ar.result());
    });
  }

  private void opened(int gen, GrpcClientRequest<RaftBatch, SendSummary> req) {
    request = req;
    state = State.OPEN;
    openedAtNanos = System.nanoTime();
    fullSinceNanos = 0;
    if (backoff.markUp()) {
      counters.countReconnect(peer);
      LOG.info("node {}: stream to node {} at {} re-established", nodeId, peer, address);
    }
    req.setWriteQueueMaxSize(options.getStreamWriteQueueBytes());
    req.drainHandler(v -> {
      if (gen == generation) {
        fullSinceNanos = 0;
      }
    });
    req.exceptionHandler(e -> broken(gen, String.valueOf(e)));
    req.response().onComplete(ar -> {
      if (ar.failed()) {
        broken(gen, String.valueOf(ar.cause()));
      } else {
        // The peer ended the call: an error status (it refused a frame), or it is shutting down.
        var response = ar.result();
        response.end().onComplete(end -> {
          if (gen == generation && response.status() != GrpcStatus.OK && response.status() != GrpcStatus.UNAVAILABLE) {
            counters.refusedByPeer.increment();
            LOG.warn("node {}: node {} at {} refused our stream: {} {}", nodeId, peer, address, response.status(),
                response.statusMessage());
          }
          broken(gen, "the peer ended the stream: " + response.status()
              + (response.statusMessage() == null ? "" : " " + response.statusMessage()));
        });
      }
    });
    RaftBatch frame;
    while (state == State.OPEN && (frame = whileConnecting.poll()) != null) {
      write(frame);
    }
  }

  /** The stream of generation {@code gen} failed: drop it, back off, and let the next batch reconnect. */
  private void broken(int gen, String why) {
    if (gen != generation || closed.getAsBoolean()) {
      return;
    }
    boolean wasHealthy = state == State.OPEN && System.nanoTime() - openedAtNanos > HEALTHY_STREAM_NANOS;
    replace();
    if (wasHealthy) {
      backoff.reset();
    }
    if (backoff.markDown()) {
      LOG.info("node {}: stream to node {} at {} lost ({}); reconnecting with backoff", nodeId, peer, address, why);
    } else {
      LOG.debug("node {}: stream to node {} at {} failed again: {}", nodeId, peer, address, why);
    }
    state = State.BACKOFF;
    backoffTimer = vertx.setTimer(backoff.nextDelayMillis(), id -> {
      backoffTimer = -1;
      if (state == State.BACKOFF) {
        state = State.IDLE; // the next batch for this peer reconnects
      }
    });
  }

  /** Abandons the current stream (if any) and what waits for it. */
  private void replace() {
    generation++;
    GrpcClientRequest<?, ?> r = request;
    request = null;
    if (r != null) {
      try {
        r.cancel();
      } catch (RuntimeException ignored) {
        // already reset by the peer
      }
    }
    if (!whileConnecting.isEmpty()) {
      counters.countDropped(peer, DropReason.UNREACHABLE, whileConnecting.size());
    }
    whileConnecting.clear();
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
    }
  }

  void shutdown() {
    GrpcClientRequest<?, ?> r = request;
    generation++;
    request = null;
    if (r != null) {
      try {
        // A clean half-close: the peer answers with its summary; nothing is lost that was written.
        r.end();
      } catch (RuntimeException alreadyReset) {
        // the peer or the connection went away first: nothing left to close
      }
    }
    whileConnecting.clear();
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
    }
  }
}
