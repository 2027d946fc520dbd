package io.raftoral.transport;

import io.raftoral.raft.Message;
import java.util.Objects;

/**
 * A Raft message addressed to one group ({@code clusterId}); the message names the sending and receiving nodes.
 */
public record RaftEnvelope(long clusterId, Message message) {
  public RaftEnvelope {
    Objects.requireNonNull(message, "message");
  }
}
