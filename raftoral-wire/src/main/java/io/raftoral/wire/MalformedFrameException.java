package io.raftoral.wire;

/**
 * Bytes received from the network are not a valid Raft frame of a schema version this node speaks: undecodable
 * protobuf, an unknown schema version or enum value, a negative (out of range) id, index or term, a missing required
 * part, or contents the Raft types refuse. The message says what is wrong and where, for the sender's operator;
 * it never echoes the payload.
 *
 * <p>Checked on purpose: every caller of {@link WireCodec}'s decode methods handles untrusted input and must decide
 * how to refuse it (a gRPC status, an HTTP 400), never let it escape to an event loop.
 */
public final class MalformedFrameException extends Exception {

  public MalformedFrameException(String message) {
    super(message, null, false, false);
  }

  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
