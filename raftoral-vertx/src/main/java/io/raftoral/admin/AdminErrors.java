package io.raftoral.admin;

import io.raftoral.workflow.ClientError;
import io.raftoral.workflow.ClientErrorException;
import io.raftoral.workflow.ErrorCode;

/** The errors of operator commands, as the codes every API maps to its own status. */
final class AdminErrors {

  private AdminErrors() {}

  static ClientErrorException denied(String message) {
    return new ClientError(ErrorCode.PERMISSION_DENIED, message).exception();
  }

  static ClientErrorException notFound(String message) {
    return new ClientError(ErrorCode.NOT_FOUND, message).exception();
  }

  static ClientErrorException invalid(String message) {
    return ClientError.invalid(message).exception();
  }

  static ClientErrorException precondition(String message) {
    return new ClientError(ErrorCode.FAILED_PRECONDITION, message).exception();
  }

  static ClientErrorException unavailable(String message) {
    return ClientError.unavailable(message).exception();
  }
}
