package io.raftoral.management;

/**
 * The outcome of a management command: accepted (with a value such as an allocated node or cluster id) or refused
 * (with the reason). Refusals are results, not failures: every replica computes the same one.
 */
public record ManagementResult(boolean accepted, long value, String reason) {

  static ManagementResult ok() {
    return new ManagementResult(true, 0, null);
  }

  static ManagementResult ok(long value) {
    return new ManagementResult(true, value, null);
  }

  static ManagementResult refused(String reason) {
    return new ManagementResult(false, 0, reason);
  }
}
