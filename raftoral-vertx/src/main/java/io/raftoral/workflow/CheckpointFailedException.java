package io.raftoral.workflow;

/**
 * The recorded failure of a {@link WorkflowContext#compute}: every member sees the same type and message, whichever
 * member ran the supplier.
 */
public class CheckpointFailedException extends WorkflowException {

  private final String key;
  private final String errorType;
  private final String errorMessage;

  public CheckpointFailedException(String key, String errorType, String errorMessage) {
    super("checkpoint '" + key + "' failed: " + errorType + ": " + errorMessage);
    this.key = key;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
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
}
