package io.raftoral.group;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A deterministic state machine replicated by a Raft group. Every member applies the same commands in the same
 * order, so every member computes the same results.
 *
 * <p>All methods are called on the group's event-loop context, one at a time: they must not block. Given the same
 * snapshot and the same commands, {@link #apply} must return the same results on every member.
 *
 * @param <C> command type
 * @param <R> result type
 */
public interface StateMachine<C, R> {

  /**
   * Applies a committed command.
   *
   * @param index the command's log index (strictly increasing)
   * @param command the command
   * @return the result handed to the proposer
   */
  R apply(long index, C command);

  /**
   * Serializes the whole state (taken after applying everything up to some index). Implement either this
   * convenience form or the streaming {@link #snapshot(OutputStream)}; each defaults to the other.
   */
  default byte[] snapshot() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      snapshot(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Replaces the whole state by a snapshot taken by {@link #snapshot()} (possibly on another member). Implement
   * either this convenience form or the streaming {@link #restore(InputStream)}; each defaults to the other.
   */
  default void restore(byte[] snapshot) {
    try {
      restore(new ByteArrayInputStream(snapshot));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Streams the whole state into {@code out} (a snapshot file of the node's store, written incrementally so that a
   * large state never sits in one array). Called on the group's context; {@code out} buffers in the page cache and
   * is made durable off the event loop afterwards.
   */
  default void snapshot(OutputStream out) throws IOException {
    out.write(snapshot());
  }

  /** Replaces the whole state by the snapshot streamed from {@code in}, as written by {@link #snapshot(OutputStream)}. */
  default void restore(InputStream in) throws IOException {
    restore(in.readAllBytes());
  }
}
