package io.raftoral.transport;

import java.util.List;

/**
 * Messages of any number of groups from one node to another, sent as one unit. Immutable, so the in-JVM transport
 * can hand the same instance across the event bus.
 */
public record RaftBatch(long fromNode, long toNode, List<RaftEnvelope> envelopes) {
  public RaftBatch {
    envelopes = List.copyOf(envelopes);
  }
}
