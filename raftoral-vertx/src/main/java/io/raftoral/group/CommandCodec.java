package io.raftoral.group;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Turns commands into the bytes stored in the Raft log and back. Must be deterministic and total on what it
 * encodes.
 */
public interface CommandCodec<C> {

  byte[] encode(C command);

  /**
   * Decodes bytes produced by {@link #encode}.
   *
   * @throws IllegalArgumentException when the bytes are not a command
   */
  C decode(byte[] bytes);

  /** Raw bytes, unchanged. */
  static CommandCodec<byte[]> bytes() {
    return new CommandCodec<>() {
      @Override
      public byte[] encode(byte[] command) {
        return command;
      }

      @Override
      public byte[] decode(byte[] bytes) {
        return bytes;
      }
    };
  }

  /** UTF-8 strings. */
  static CommandCodec<String> utf8() {
    return new CommandCodec<>() {
      @Override
      public byte[] encode(String command) {
        return command.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
      }
    };
  }

  /** JSON through Jackson, for records and POJOs. */
  static <C> CommandCodec<C> json(Class<C> type) {
    ObjectMapper mapper = new ObjectMapper();
    JavaType javaType = mapper.constructType(type);
    return new CommandCodec<>() {
      @Override
      public byte[] encode(C command) {
        try {
          return mapper.writeValueAsBytes(command);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public C decode(byte[] bytes) {
        try {
          return mapper.readValue(bytes, javaType);
        } catch (IOException e) {
          throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
      }
    };
  }
}
