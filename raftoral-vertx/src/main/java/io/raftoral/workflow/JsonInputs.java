package io.raftoral.workflow;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

/**
 * The check every API makes of a workflow input given as JSON text, written once so that the HTTP and gRPC APIs
 * refuse the same inputs with the same words.
 */
public final class JsonInputs {

  /** How much of a parser's message an answer quotes. */
  private static final int MAX_QUOTED_MESSAGE = 200;

  private JsonInputs() {
  }

  /**
   * {@code json} when it parses as JSON, else an {@link IllegalArgumentException} naming {@code field} as the caller
   * knows it (e.g. {@code 'input'}, {@code input_json}) with an example and the parser's first line.
   */
  public static String check(String field, String json) {
    try {
      Json.decodeValue(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(field + " must be JSON text, e.g. \"\\\"ping\\\"\" for the string ping; "
          + firstLine(e.getMessage()));
    }
    return json;
  }

  /** The first line of {@code message}, cut at {@value #MAX_QUOTED_MESSAGE} characters; "" for null. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > MAX_QUOTED_MESSAGE ? line.substring(0, MAX_QUOTED_MESSAGE) + "..." : line;
  }
}
