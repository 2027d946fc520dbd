package io.raftoral.workflow;

import io.smallrye.mutiny.Uni;
import java.util.function.UnaryOperator;

/**
 * A workflow variable whose every change is a checkpoint: {@link #set} and {@link #update} journal the new value
 * under the variable's key, so a replica or a new owner sees the same sequence of values.
 */
public interface ReplicatedVar<T> {

  /** The variable's checkpoint key. */
  String key();

  /** The current value (the initial value until the first change). */
  T get();

  /** Journals {@code value} as the new value; the Uni emits it once it may be relied on. */
  Uni<T> set(T value);

  /** Journals {@code fn(get())} as the new value. {@code fn} must be deterministic. */
  Uni<T> update(UnaryOperator<T> fn);
}
