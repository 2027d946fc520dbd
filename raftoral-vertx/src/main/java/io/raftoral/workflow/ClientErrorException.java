package io.raftoral.workflow;

/**
 * Carries a {@link ClientError} through a failed future or a throw, so that an API layer can refuse a request with
 * a chosen code (request validation, a node that serves no management endpoint). Without a stack trace: it is an
 * answer, not a fault.
 */
public final class ClientErrorException extends RuntimeException {

  private final transient ClientError error;

  public ClientErrorException(ClientError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  /** The error to answer. */
  public ClientError error() {
    return error;
  }
}
