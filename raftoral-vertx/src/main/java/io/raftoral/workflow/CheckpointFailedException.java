package io.raftoral.workflow;

/**
 * The recorded failure of a {@link WorkflowContext#compute}: every member sees the same type and message, whichever
 * member ran the supplier.
 */
public class CheckpointFailedException extends WorkflowException {

  private final String key;
  private final String errorType;
  private final String errorMessage;
  private final int attempts;

  public CheckpointFailedException(String key, String errorType, String errorMessage) {
    this(key, errorType, errorMessage, 1);
  }

  /**
   * The failure of the last of {@code attempts} attempts of a compute retried by a {@link RetryPolicy} (the
   * message says how many; with one attempt it reads as without a policy).
   */
  public CheckpointFailedException(String key, String errorType, String errorMessage, int attempts) {
    super("checkpoint '" + key + "' failed" + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": "
        + errorType + ": " + errorMessage);
    this.key = key;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
    this.attempts = attempts;
  }

  public String key() {
    return key;
  }

  /** The class name of the exception the supplier failed with. */
  public String errorType() {
    return errorType;
  }

  public String errorMessage() {
    return errorMessage;
  }

  /** How many attempts the compute made, the failed last one included (1 without retries). */
  public int attempts() {
    return attempts;
  }
}
