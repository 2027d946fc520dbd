package io.raftoral.workflow.impl;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of {@link WorkflowCommand.Append}, the command of every step, which each replica decodes: a format
 * byte ({@value #FORMAT}, which no JSON text starts with, so the command codec tells the two forms apart and logs
 * written as JSON still read), then the workflow id, owner, position, key, value, error type and error message, the
 * fence and the time. Strings are a length (-1 for null) and UTF-8 bytes; the optional longs a presence byte and the
 * value. Big-endian, deterministic.
 */
final class AppendCodec {

  /** The first byte of an append in this form. */
  static final byte FORMAT = 1;
  private static final int NO_STRING = -1;

  private AppendCodec() {
  }

  static boolean isBinary(byte[] bytes) {
    return bytes.length > 0 && bytes[0] == FORMAT;
  }

  static byte[] encode(WorkflowCommand.Append a) {
    byte[] id = utf8(a.id());
    byte[] key = utf8(a.key());
    byte[] value = utf8(a.value());
    byte[] errorType = utf8(a.errorType());
    byte[] errorMessage = utf8(a.errorMessage());
    int size = 1 + length(id) + 8 + 4 + length(key) + length(value) + length(errorType) + length(errorMessage)
        + 1 + (a.prev() != null ? 8 : 0) + 1 + (a.at() != null ? 8 : 0);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT);
    putString(out, id);
    out.putLong(a.owner());
    out.putInt(a.seq());
    putString(out, key);
    putString(out, value);
    putString(out, errorType);
    putString(out, errorMessage);
    putOptional(out, a.prev());
    putOptional(out, a.at());
    return out.array();
  }

  /** @throws IllegalArgumentException when the bytes are not an append in this form */
  static WorkflowCommand.Append decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      if (in.get() != FORMAT) {
        throw new IllegalArgumentException("not a binary append (format byte " + bytes[0] + ")");
      }
      String id = getString(in);
      long owner = in.getLong();
      int seq = in.getInt();
      String key = getString(in);
      String value = getString(in);
      String errorType = getString(in);
      String errorMessage = getString(in);
      Long prev = getOptional(in);
      Long at = getOptional(in);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " bytes after the append");
      }
      if (id == null) {
        throw new IllegalArgumentException("an append without a workflow id");
      }
      return new WorkflowCommand.Append(id, owner, seq, key, value, errorType, errorMessage, prev, at);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("a binary append cut short (" + bytes.length + " bytes)", e);
    }
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static int length(byte[] b) {
    return 4 + (b == null ? 0 : b.length);
  }

  private static void putString(ByteBuffer out, byte[] b) {
    if (b == null) {
      out.putInt(NO_STRING);
    } else {
      out.putInt(b.length).put(b);
    }
  }

  private static String getString(ByteBuffer in) {
    int n = in.getInt();
    if (n == NO_STRING) {
      return null;
    }
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("a string of " + n + " bytes where " + in.remaining() + " remain");
    }
    String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  private static void putOptional(ByteBuffer out, Long v) {
    if (v == null) {
      out.put((byte) 0);
    } else {
      out.put((byte) 1).putLong(v);
    }
  }

  private static Long getOptional(ByteBuffer in) {
    byte present = in.get();
    if (present == 0) {
      return null;
    }
    if (present != 1) {
      throw new IllegalArgumentException("presence byte " + present);
    }
    return in.getLong();
  }
}
