package io.raftoral.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workflow definitions of a node, by (name, version); several versions of one name live side by side. One
 * registry can serve every execution cluster of a node. Thread-safe.
 */
public final class WorkflowRegistry {

  /**
   * One registered definition. Its input and output types are plain {@link Type}s (a {@link Class} or the type of a
   * {@link TypeReference}): what JSON library reads them is the runtime's business, not part of this API.
   * {@code retryPolicy} is the default of the workflow's computes (see {@link WorkflowContext#compute}); it is
   * never null ("no retries" when the registration names none).
   */
  public record Definition(String name, int version, Type inputType, Type outputType,
      WorkflowFunction<Object, Object> function, RetryPolicy retryPolicy) {

    /** A definition whose computes are not retried by default. */
    public Definition(String name, int version, Type inputType, Type outputType,
        WorkflowFunction<Object, Object> function) {
      this(name, version, inputType, outputType, function, new RetryPolicy());
    }

    public Definition {
      // A private copy: the caller may go on changing its policy object.
      retryPolicy = new RetryPolicy(Objects.requireNonNull(retryPolicy, "retryPolicy"));
    }

    /** A copy of the default retry policy (the definition's own stays unchanged). */
    @Override
    public RetryPolicy retryPolicy() {
      return new RetryPolicy(retryPolicy);
    }
  }

  private final Map<String, Definition> definitions = new ConcurrentHashMap<>();

  public static WorkflowRegistry create() {
    return new WorkflowRegistry();
  }

  /**
   * Registers {@code function} as version {@code version} of {@code name}.
   *
   * @throws IllegalArgumentException when that (name, version) is registered already, or on a bad name or version
   */
  public <I, O> WorkflowRegistry register(String name, int version, Class<I> inputType, Class<O> outputType,
      WorkflowFunction<I, O> function) {
    return register(name, version, (Type) Objects.requireNonNull(inputType, "inputType"),
        Objects.requireNonNull(outputType, "outputType"), function);
  }

  /** {@link #register(String, int, Class, Class, WorkflowFunction)} for generic input or output types. */
  public <I, O> WorkflowRegistry register(String name, int version, TypeReference<I> inputType,
      TypeReference<O> outputType, WorkflowFunction<I, O> function) {
    return register(name, version, Objects.requireNonNull(inputType, "inputType").getType(),
        Objects.requireNonNull(outputType, "outputType").getType(), function);
  }

  /**
   * {@link #register(String, int, Class, Class, WorkflowFunction)} with {@code retryPolicy} as the default of the
   * workflow's computes that name no policy of their own (the registry keeps a copy). Every member must register
   * the same policy: replicas read retries from the journal, but a new owner decides the next ones with its own.
   */
  public <I, O> WorkflowRegistry register(String name, int version, Class<I> inputType, Class<O> outputType,
      RetryPolicy retryPolicy, WorkflowFunction<I, O> function) {
    return register(name, version, (Type) Objects.requireNonNull(inputType, "inputType"),
        Objects.requireNonNull(outputType, "outputType"), retryPolicy, function);
  }

  /** {@link #register(String, int, Class, Class, RetryPolicy, WorkflowFunction)} for generic types. */
  public <I, O> WorkflowRegistry register(String name, int version, TypeReference<I> inputType,
      TypeReference<O> outputType, RetryPolicy retryPolicy, WorkflowFunction<I, O> function) {
    return register(name, version, Objects.requireNonNull(inputType, "inputType").getType(),
        Objects.requireNonNull(outputType, "outputType").getType(), retryPolicy, function);
  }

  private WorkflowRegistry register(String name, int version, Type in, Type out, WorkflowFunction<?, ?> fn) {
    return register(name, version, in, out, new RetryPolicy(), fn);
  }

  @SuppressWarnings("unchecked")
  private WorkflowRegistry register(String name, int version, Type in, Type out, RetryPolicy retryPolicy,
      WorkflowFunction<?, ?> fn) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fn, "function");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("name must be 1-200 non-blank characters, was '" + name + "'");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
    Definition d = new Definition(name, version, in, out, (WorkflowFunction<Object, Object>) fn, retryPolicy);
    if (definitions.putIfAbsent(key(name, version), d) != null) {
      throw new IllegalArgumentException("workflow '" + name + "' version " + version + " is registered already");
    }
    return this;
  }

  /** The definition of (name, version), or null. */
  public Definition find(String name, int version) {
    return definitions.get(key(name, version));
  }

  /** The definition of (name, version). @throws WorkflowNotRegisteredException when there is none */
  public Definition require(String name, int version) {
    Definition d = find(name, version);
    if (d == null) {
      throw new WorkflowNotRegisteredException(name, version, describe());
    }
    return d;
  }

  /**
   * The registered (name, version) pairs as {@code "name@version"} texts, sorted: what a node announces to the other
   * members of its execution clusters, so that a workflow's ownership only moves to a member that can run it.
   */
  public SortedSet<String> keys() {
    TreeSet<String> keys = new TreeSet<>();
    definitions.values().forEach(d -> keys.add(announced(d.name(), d.version())));
    return Collections.unmodifiableSortedSet(keys);
  }

  /** The text of (name, version) in {@link #keys()}. */
  public static String announced(String name, int version) {
    return name + '@' + version;
  }

  /** "name v1, name v2, ..." of what is registered. */
  public String describe() {
    Map<String, Definition> sorted = new TreeMap<>(definitions);
    StringBuilder sb = new StringBuilder();
    for (Definition d : sorted.values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(d.name()).append(" v").append(d.version());
    }
    return sb.toString();
  }

  private static String key(String name, int version) {
    return name + '\u0000' + version;
  }
}
