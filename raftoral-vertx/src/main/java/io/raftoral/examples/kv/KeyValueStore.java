package io.raftoral.examples.kv;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftoral.group.CommandCodec;
import io.raftoral.group.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated string key-value store: the example of a user state machine on a Raft group. Each command returns
 * the key's previous value ({@code PUT}, {@code DELETE}) or whether it applied ({@code CAS}: "true"/"false").
 * Reads go through {@link io.raftoral.group.RaftGroup#read}, e.g. {@code group.read(() -> kv.get("k"))}.
 */
public final class KeyValueStore implements StateMachine<KvCommand, String> {

  /** JSON encoding of commands in the log. */
  public static final CommandCodec<KvCommand> CODEC = CommandCodec.json(KvCommand.class);

  private static final ObjectMapper JSON = new ObjectMapper();
  private final TreeMap<String, String> data = new TreeMap<>();

  @Override
  public String apply(long index, KvCommand command) {
    return switch (command.op()) {
      case PUT -> data.put(command.key(), command.value());
      case DELETE -> data.remove(command.key());
      case CAS -> {
        String current = data.get(command.key());
        boolean matches = command.expected() == null ? current == null : command.expected().equals(current);
        if (matches) {
          data.put(command.key(), command.value());
        }
        yield Boolean.toString(matches);
      }
    };
  }

  /** The value of {@code key} on this replica (call inside {@code group.read(...)} for a linearizable read). */
  public String get(String key) {
    return data.get(key);
  }

  public int size() {
    return data.size();
  }

  @Override
  public byte[] snapshot() {
    try {
      return JSON.writeValueAsBytes(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void restore(byte[] snapshot) {
    try {
      Map<String, String> restored = JSON.readValue(snapshot, new TypeReference<TreeMap<String, String>>() {});
      data.clear();
      data.putAll(restored);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a key-value store snapshot: " + e.getMessage(), e);
    }
  }
}
