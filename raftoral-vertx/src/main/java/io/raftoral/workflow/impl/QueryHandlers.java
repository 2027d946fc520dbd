package io.raftoral.workflow.impl;

import io.raftoral.workflow.QueryNotFoundException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The query handlers one {@link Execution} registered ({@code WorkflowContext.registerQuery}): read-only suppliers
 * over the workflow's state, answered as JSON text on this member's replica. Used on the group's context only.
 */
final class QueryHandlers {

  private final String workflowId;
  private final Map<String, Supplier<?>> handlers = new LinkedHashMap<>();

  QueryHandlers(String workflowId) {
    this.workflowId = workflowId;
  }

  void register(String name, Supplier<?> handler) {
    handlers.put(name, Objects.requireNonNull(handler, "handler"));
  }

  /** Handler {@code name}'s answer as JSON text; {@link QueryNotFoundException} when there is none of that name. */
  String answer(String name) {
    Supplier<?> handler = handlers.get(name);
    if (handler == null) {
      throw new QueryNotFoundException(workflowId, name);
    }
    try {
      return Payloads.encode(handler.get());
    } catch (RuntimeException e) {
      throw new IllegalStateException("query '" + name + "' of workflow '" + workflowId + "' failed: " + e, e);
    }
  }

  /**
   * Every handler's answer (JSON text by name), recorded with the workflow's end; a handler that fails is left
   * out. Null when none is registered.
   */
  Map<String, String> answers() {
    if (handlers.isEmpty()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : handlers.keySet()) {
      try {
        out.put(name, answer(name));
      } catch (IllegalStateException failed) {
        // An ended workflow's query of that name then answers "no such query".
      }
    }
    return out;
  }
}
