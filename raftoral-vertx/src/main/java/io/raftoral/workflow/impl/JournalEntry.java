package io.raftoral.workflow.impl;

import java.util.Objects;

/** One checkpoint: its key and either its value (JSON text) or a recorded failure. */
public record JournalEntry(String key, String value, String errorType, String errorMessage) {

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isFailure() {
    return errorType != null;
  }

  /** Same key and same outcome. */
  public boolean sameAs(String otherKey, String otherValue, String otherErrorType, String otherErrorMessage) {
    return key.equals(otherKey) && Objects.equals(value, otherValue)
        && Objects.equals(errorType, otherErrorType)
        && Objects.equals(errorMessage, otherErrorMessage);
  }
}
