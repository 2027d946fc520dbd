package io.raftoral.group;

import io.micrometer.core.instrument.MeterRegistry;
import io.raftoral.storage.LogStore;
import io.raftoral.transport.RaftEnvelope;
import io.raftoral.transport.SnapshotChunkHandler;
import io.raftoral.transport.Transport;
import io.vertx.core.Future;
import java.util.List;

/** What a Raft group needs from the node that hosts it. */
public interface GroupEnvironment {

  long nodeId();

  LogStore store();

  /**
   * Sends the outbound messages of one Ready; the host batches them per peer (with whatever other groups queued
   * meanwhile). Callable from any thread.
   */
  void send(List<RaftEnvelope> envelopes);

  /**
   * Fetches snapshot {@code snapshotId} of group {@code groupId} from node {@code fromNode} out of band, from byte
   * {@code offset} in chunks of {@code chunkSize} (see {@link Transport#fetchSnapshot}). By default the environment
   * cannot.
   */
  default Future<Void> fetchSnapshot(long fromNode, long groupId, String snapshotId, long offset, int chunkSize,
      SnapshotChunkHandler handler) {
    return Future.failedFuture(new UnsupportedOperationException("this environment cannot fetch snapshots"));
  }

  /** The group is up and wants ticks and inbound messages. */
  void attach(HostedGroup group);

  /** The group stopped. */
  void detach(HostedGroup group);

  /**
   * Whether the node {@code nodeId} was heard from (by any group, or by its node heartbeat) within the last
   * {@code withinTicks} ticks: the node-level liveness that quiesced groups rely on instead of their own heartbeats.
   * An environment that tracks none vouches for nobody, so quiesced groups wake at once there.
   */
  default boolean isNodeLive(long nodeId, long withinTicks) {
    return false;
  }

  /**
   * Milliseconds since node {@code nodeId} was last heard from by this node (any group, or its node heartbeat), or
   * {@link Long#MAX_VALUE} when this environment tracks none: what stands for a quiesced group's own contact.
   */
  default long millisSinceNodeContact(long nodeId) {
    return Long.MAX_VALUE;
  }

  /** A message came from a server outside the group's configuration (counted, still handed to Raft). */
  void countNonMemberMessage();

  /** Raft refused or failed on a message (counted and logged, never fatal). */
  void countRejectedMessage();

  /** Where the group registers its meters, or null (the default) for none. */
  default MeterRegistry meterRegistry() {
    return null;
  }

  /** The local event-bus address where the group of {@code groupId} on {@code nodeId} receives messages. */
  static String inboxAddress(long nodeId, long groupId) {
    return "raftoral.raft." + nodeId + "." + groupId;
  }
}
