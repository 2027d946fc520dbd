package io.raftoral.examples.kv;

import java.util.Objects;

/**
 * A command of the {@link KeyValueStore}.
 *
 * @param op what to do
 * @param key the key
 * @param value the new value (PUT, CAS)
 * @param expected the value the key must have for CAS to apply (null: absent)
 */
public record KvCommand(Op op, String key, String value, String expected) {

  public enum Op { PUT, DELETE, CAS }

  public KvCommand {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(key, "key");
    if ((op == Op.PUT || op == Op.CAS) && value == null) {
      throw new IllegalArgumentException(op + " needs a value");
    }
  }

  public static KvCommand put(String key, String value) {
    return new KvCommand(Op.PUT, key, value, null);
  }

  public static KvCommand delete(String key) {
    return new KvCommand(Op.DELETE, key, null, null);
  }

  public static KvCommand compareAndSet(String key, String expected, String value) {
    return new KvCommand(Op.CAS, key, value, expected);
  }
}
