package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.lang.reflect.Type;

/**
 * JSON for workflow inputs, outputs and checkpoint values (records, POJOs, generic types, java.time, Optional).
 * Unknown properties are refused so a malformed input is an error, not a silently half-read value.
 */
public final class Payloads {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /**
   * The Jackson type of each class, built once: every {@code compute} and {@code checkpoint} call asks for its
   * value's type, and going through the mapper's type factory each time showed in profiles of the step path.
   * {@link JavaType}s are immutable, so sharing them is safe.
   */
  private static final ClassValue<JavaType> CLASS_TYPES = new ClassValue<>() {
    @Override
    protected JavaType computeValue(Class<?> type) {
      return MAPPER.constructType(type);
    }
  };

  private Payloads() {
  }

  // Scalars: the values of most steps (counts, ids, flags) go through Jackson's parser and generator objects in
  // every replica's journal consumer otherwise, which showed as the largest allocation of the step path. The fast
  // paths take only texts whose reading is unambiguous and give what Jackson gives (PayloadsTest compares them);
  // anything else goes to the mapper.

  /** What {@link #decodeScalar} returns for a text or type it leaves to the mapper. */
  private static final Object NOT_A_SCALAR = new Object();
  private static final int MAX_INT_DIGITS = 9;
  private static final int MAX_LONG_DIGITS = 18;

  /** The JSON of an Integer, Long, Boolean or plain String (nothing to escape), or null for the mapper to write. */
  static String encodeScalar(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof String s && !needsEscaping(s)) {
      return '"' + s + '"';
    }
    return null;
  }

  /** {@code json} read as {@code type} when both are simple enough, else {@link #NOT_A_SCALAR}. */
  static Object decodeScalar(String json, Class<?> type) {
    if (json == null) {
      return NOT_A_SCALAR;
    }
    if (type == Integer.class || type == Long.class) {
      int max = type == Integer.class ? MAX_INT_DIGITS : MAX_LONG_DIGITS;
      if (!isPlainInteger(json, max)) {
        return json.equals("null") ? null : NOT_A_SCALAR;
      }
      return type == Integer.class ? (Object) Integer.valueOf(Integer.parseInt(json)) : Long.valueOf(json);
    }
    if (type == Boolean.class) {
      return switch (json) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        case "null" -> null;
        default -> NOT_A_SCALAR;
      };
    }
    if (type == String.class) {
      if (json.length() >= 2 && json.charAt(0) == '"' && json.charAt(json.length() - 1) == '"') {
        String inner = json.substring(1, json.length() - 1);
        return needsEscaping(inner) ? NOT_A_SCALAR : inner;
      }
      return json.equals("null") ? null : NOT_A_SCALAR;
    }
    return NOT_A_SCALAR;
  }

  /** An optional minus and up to {@code maxDigits} digits without a leading zero (or a lone zero). */
  private static boolean isPlainInteger(String s, int maxDigits) {
    int start = s.startsWith("-") ? 1 : 0;
    int digits = s.length() - start;
    if (digits < 1 || digits > maxDigits || (s.charAt(start) == '0' && digits > 1)) {
      return false;
    }
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Whether JSON would escape a character of {@code s}: quotes, backslashes and control characters. */
  private static boolean needsEscaping(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static JavaType type(Class<?> type) {
    return CLASS_TYPES.get(type);
  }

  public static JavaType type(TypeReference<?> type) {
    return MAPPER.constructType(type);
  }

  /** The Jackson type of a registered input or output type (see {@code WorkflowRegistry.Definition}). */
  public static JavaType type(Type type) {
    return type instanceof Class<?> c ? CLASS_TYPES.get(c) : MAPPER.constructType(type);
  }

  /** JSON text of {@code value}; {@link IllegalArgumentException} when it cannot be written. */
  public static String encode(Object value) {
    String scalar = encodeScalar(value);
    if (scalar != null) {
      return scalar;
    }
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + (value == null ? "null" : value.getClass().getName())
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code json} read as {@code type}; {@link IllegalArgumentException} naming the type when it does not fit. */
  public static <T> T decode(String json, JavaType type) {
    Object scalar = decodeScalar(json, type.getRawClass());
    if (scalar != NOT_A_SCALAR) {
      @SuppressWarnings("unchecked")
      T value = (T) scalar;
      return value;
    }
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("JSON does not fit " + type.getTypeName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
