package io.raftoral.http.api;

import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ClientErrorException;
import io.raftoral.workflow.JsonInputs;
import io.raftoral.workflow.WorkflowFilter;
import io.raftoral.workflow.WorkflowIds;
import io.raftoral.workflow.WorkflowState;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reading the HTTP API's requests: JSON bodies, query parameters, workflow ids, cluster hints, timeouts and list
 * filters. Every problem is an {@link io.raftoral.workflow.ErrorCode#INVALID_ARGUMENT} error (400) with a message
 * naming the field.
 */
final class HttpRequestParams {

  /** Doubles at or above this do not fit a {@code long} (whose largest value is about 9.22e18). */
  private static final double LONG_RANGE = 9.0e18;
  private static final int LONG_BITS = 64;
  private static final long MILLIS_PER_SECOND = 1000;

  private HttpRequestParams() {
  }

  static ClientErrorException invalid(String message) {
    return ClientError.invalid(message).exception();
  }

  static JsonObject bodyObject(RoutingContext rc) {
    Buffer buffer = rc.body() == null ? null : rc.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw invalid("the request body must be a JSON object");
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw invalid("malformed JSON in the request body: " + JsonInputs.firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject object)) {
      throw invalid("the request body must be a JSON object, not " + typeName(value));
    }
    return object;
  }

  /** The workflow input as JSON text: a string is JSON text already, any other JSON value is the input itself. */
  static String inputJson(JsonObject body) {
    if (!body.containsKey("input") || body.getValue("input") == null) {
      return "null";
    }
    Object input = body.getValue("input");
    if (input instanceof String text) {
      return JsonInputs.check("'input'", text);
    }
    return Json.encode(input);
  }

  static String optionalString(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw invalid("field '" + field + "' must be a string, not " + typeName(v));
    }
    return s;
  }

  static int requiredInt(JsonObject body, String field) {
    return (int) requiredLong(body, field, 0, Integer.MAX_VALUE);
  }

  static long requiredLong(JsonObject body, String field, long min, long max) {
    Object v = body.getValue(field);
    if (v == null) {
      throw invalid("missing field '" + field + "'");
    }
    if (!(v instanceof Number n) || !isWhole(n)) {
      throw invalid("field '" + field + "' must be a whole number, not " + typeName(v));
    }
    long value = n.longValue();
    if (value < min || value > max || !isInRange(n)) {
      throw invalid("field '" + field + "' must be between " + min + " and " + max + ", was " + n);
    }
    return value;
  }

  private static boolean isWhole(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return !Double.isInfinite(d) && d == Math.rint(d);
    }
    if (n instanceof BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0;
    }
    return true;
  }

  private static boolean isInRange(Number n) {
    if (n instanceof BigInteger b) {
      return b.bitLength() < LONG_BITS;
    }
    if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
      return Math.abs(n.doubleValue()) < LONG_RANGE;
    }
    return true;
  }

  /** The first value of query parameter {@code name}, or null. */
  static String query(RoutingContext rc, String name) {
    List<String> values = rc.queryParam(name);
    return values.isEmpty() ? null : values.get(0);
  }

  static String requiredWorkflowId(String id) {
    if (id == null) {
      throw invalid("missing 'workflow_id'");
    }
    return WorkflowIds.check("workflow_id", id);
  }

  /** The execution cluster hint: absent, empty or 0 mean "find it". */
  static Long clusterHint(Object value) {
    if (value == null || "".equals(value)) {
      return null;
    }
    long id;
    if (value instanceof Number n && isWhole(n) && isInRange(n)) {
      id = n.longValue();
    } else if (value instanceof String s) {
      id = parseLong("execution_cluster_id", s, 0, Long.MAX_VALUE);
    } else {
      throw invalid("'execution_cluster_id' must be a whole number or a decimal string, not " + typeName(value));
    }
    if (id < 0) {
      throw invalid("'execution_cluster_id' must be >= 0, was " + id);
    }
    return id == 0 ? null : id;
  }

  /** {@code timeout_seconds}: absent, empty or 0 mean the default; fractions of a second are kept. */
  static Duration waitTimeout(String text, HttpApiOptions options) {
    double seconds = options.getDefaultWaitTimeoutSeconds();
    if (text != null && !text.isEmpty()) {
      try {
        seconds = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw invalid("'timeout_seconds' must be a number, was '" + text + "'");
      }
      if (Double.isNaN(seconds) || seconds < 0 || seconds > options.getMaxWaitTimeoutSeconds()) {
        throw invalid("'timeout_seconds' must be between 0 and " + options.getMaxWaitTimeoutSeconds() + ", was "
            + text);
      }
      if (seconds == 0) {
        // as in the gRPC API, where 0 is the unset value
        seconds = options.getDefaultWaitTimeoutSeconds();
      }
    }
    return Duration.ofMillis(Math.max(1, Math.round(seconds * MILLIS_PER_SECOND)));
  }

  /** The filter of {@code GET /workflow/list}: {@code state}, {@code type}, {@code started_*}, {@code limit}. */
  static WorkflowFilter listFilter(RoutingContext rc, HttpApiOptions options) {
    WorkflowFilter filter = WorkflowFilter.all();
    Set<WorkflowState> states = EnumSet.noneOf(WorkflowState.class);
    for (String value : rc.queryParam("state")) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          states.add(state(part.trim()));
        }
      }
    }
    if (!states.isEmpty()) {
      WorkflowState[] more = states.stream().skip(1).toArray(WorkflowState[]::new);
      filter.states(states.iterator().next(), more);
    }
    String type = query(rc, "type");
    if (type == null) {
      type = query(rc, "workflow_type");
    }
    if (type != null && !type.isEmpty()) {
      filter.workflowType(type);
    }
    String after = query(rc, "started_after");
    if (after != null) {
      filter.startedAfter(instant("started_after", after));
    }
    String before = query(rc, "started_before");
    if (before != null) {
      filter.startedBefore(instant("started_before", before));
    }
    String limitText = query(rc, "limit");
    int limit = options.getDefaultListLimit();
    if (limitText != null) {
      limit = (int) parseLong("limit", limitText, 1, options.getMaxListLimit());
    }
    return filter.limit(limit);
  }

  private static long parseLong(String field, String text, long min, long max) {
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw invalid("'" + field + "' must be a whole number, was '" + text + "'");
    }
    if (value < min || value > max) {
      throw invalid("'" + field + "' must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  private static WorkflowState state(String text) {
    try {
      return WorkflowState.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (WorkflowState s : WorkflowState.values()) {
        names.add(s.name());
      }
      throw invalid("unknown state '" + text + "'; one of " + names);
    }
  }

  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid("'" + field + "' must be an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z), was '" + text + "'");
    }
  }

  private static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "a number (" + v + ")";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    return v.getClass().getSimpleName();
  }
}
