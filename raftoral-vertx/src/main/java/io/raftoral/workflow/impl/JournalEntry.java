package io.raftoral.workflow.impl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/** One checkpoint: its key and either its value (JSON text) or a recorded failure. */
public record JournalEntry(String key, String value, String errorType, String errorMessage) {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  /** Separates the fields and stands for a missing one, so that ("ab", null) and ("a", "b") differ. */
  private static final char FIELD_END = 0;
  private static final char NO_FIELD = 1;

  @JsonIgnore
  public boolean isFailure() {
    return errorType != null;
  }

  /**
   * A 64-bit digest (FNV-1a) of the entry: what the next entry's producer saw here. The state machine appends entry
   * n only when the digest its producer names for entry n-1 is the journal's, so that a run never continues a
   * journal another run wrote (see {@link WorkflowCommand.Append#prev()}).
   */
  public static long digest(String key, String value, String errorType, String errorMessage) {
    long h = FNV_OFFSET;
    for (String field : new String[] {key, value, errorType, errorMessage}) {
      if (field == null) {
        h = (h ^ NO_FIELD) * FNV_PRIME;
      } else {
        for (int i = 0; i < field.length(); i++) {
          h = (h ^ field.charAt(i)) * FNV_PRIME;
        }
      }
      h = (h ^ FIELD_END) * FNV_PRIME;
    }
    return h;
  }

  /** {@link #digest(String, String, String, String)} of this entry. */
  public long digest() {
    return digest(key, value, errorType, errorMessage);
  }

  /** Same key and same outcome. */
  public boolean sameAs(String otherKey, String otherValue, String otherErrorType, String otherErrorMessage) {
    return key.equals(otherKey) && Objects.equals(value, otherValue)
        && Objects.equals(errorType, otherErrorType)
        && Objects.equals(errorMessage, otherErrorMessage);
  }
}
