package io.raftoral.workflow;

/**
 * What a valid workflow id is, written once for every entry point (the typed and JSON clients, the HTTP and gRPC
 * APIs): 1 to {@value #MAX_LENGTH} characters, not blank, without control characters. Callers may choose their
 * own ids, so any other text is a valid id (a malformed UUID is an unknown id, not an invalid one).
 */
public final class WorkflowIds {

  /** The longest workflow id. */
  public static final int MAX_LENGTH = 256;

  private WorkflowIds() {
  }

  /** Whether {@code id} is a valid workflow id. */
  public static boolean isValid(String id) {
    return id != null && !id.isBlank() && id.length() <= MAX_LENGTH && id.chars().noneMatch(Character::isISOControl);
  }

  /**
   * {@code id} when it is valid, else an {@link IllegalArgumentException} naming {@code field} (the name the
   * caller knows the id by, e.g. {@code workflow_id} on the wire).
   */
  public static String check(String field, String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException("invalid " + field + ": must be 1-" + MAX_LENGTH
          + " characters, not blank, without control characters");
    }
    return id;
  }
}
