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

  /**
   * Freezes the state for a snapshot written off the event loop: returns an image of the state as it is now, which
   * the group streams on a worker thread while it goes on applying commands; or null (the default), and the group
   * streams {@link #snapshot(OutputStream)} on its context instead, applying nothing meanwhile. A state machine
   * whose snapshot is large should freeze: a snapshot streamed on the context delays every command, heartbeat and
   * vote of the groups sharing its event loop. Called on the group's context; what the image holds must not change
   * with later commands (copy what they mutate, or keep a view that ignores them).
   */
  default FrozenSnapshot freeze() {
    return null;
  }

  /** An image of a state machine's state taken by {@link #freeze()}, streamed once, then closed. */
  interface FrozenSnapshot extends AutoCloseable {

    /**
     * Streams the image, in the format {@link #restore(InputStream)} reads. Called once, on a worker thread (it may
     * block), while the group goes on applying commands.
     */
    void write(OutputStream out) throws IOException;

    /** Releases what the image holds; called once after {@link #write} (or instead, when the snapshot is given up). */
    @Override
    default void close() {
    }
  }
}
