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
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + (value == null ? "null" : value.getClass().getName())
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code json} read as {@code type}; {@link IllegalArgumentException} naming the type when it does not fit. */
  public static <T> T decode(String json, JavaType type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("JSON does not fit " + type.getTypeName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
