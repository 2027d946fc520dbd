package io.raftoral.workflow.impl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a {@link StoredEntry} in the checkpoint store and in snapshots: a format byte, the time and owner,
 * then the key, value, error type and error message, each as a length (-1 for null) and UTF-8 bytes. Deterministic,
 * so that every replica writes (and a restored replica snapshots) the same bytes.
 */
final class CheckpointCodec {

  private static final byte FORMAT_V1 = 1;
  private static final int NO_STRING = -1;
  /** Format byte, time and owner. */
  private static final int HEADER_BYTES = 1 + 8 + 8;

  private CheckpointCodec() {
  }

  static byte[] encode(JournalEntry e, long at, long ownerNode) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + estimate(e));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_V1);
      out.writeLong(at);
      out.writeLong(ownerNode);
      writeString(out, e.key());
      writeString(out, e.value());
      writeString(out, e.errorType());
      writeString(out, e.errorMessage());
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return bytes.toByteArray();
  }

  /** @throws IllegalStateException when the bytes are not a checkpoint of this format */
  static StoredEntry decode(long position, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT_V1) {
        throw new IllegalStateException("checkpoint #" + position + " has unknown format " + format);
      }
      long at = in.readLong();
      long owner = in.readLong();
      JournalEntry e = new JournalEntry(readString(in), readString(in), readString(in), readString(in));
      return new StoredEntry(position, e, at, owner);
    } catch (IOException x) {
      throw new IllegalStateException("checkpoint #" + position + " is unreadable: " + x, x);
    }
  }

  private static int estimate(JournalEntry e) {
    return length(e.key()) + length(e.value()) + length(e.errorType()) + length(e.errorMessage());
  }

  private static int length(String s) {
    return 4 + (s == null ? 0 : s.length());
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(NO_STRING);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == NO_STRING) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
