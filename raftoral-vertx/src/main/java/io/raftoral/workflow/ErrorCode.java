package io.raftoral.workflow;

/**
 * The stable, machine-readable codes of a failed client call, the same for every protocol: the HTTP API's
 * {@code error_code} field, the gRPC API's {@code raftoral-error-code} trailer, and the replies of requests one node
 * forwards to another. Which exception stands for which code is decided once, in {@link ClientError#of}; each
 * protocol only maps a code to its own status (an HTTP status, a gRPC status).
 */
public enum ErrorCode {

  /** The request is malformed or invalid (bad JSON, wrong types, missing fields, invalid ids). */
  INVALID_ARGUMENT,
  /** A start named a workflow type and version the node has no registration for. */
  WORKFLOW_NOT_REGISTERED,
  /** No workflow with the id exists. */
  WORKFLOW_NOT_FOUND,
  /** The workflow id is already used by a workflow of another type or version. */
  WORKFLOW_ID_CONFLICT,
  /** The workflow has ended, and the call (a signal) needs a running one. */
  WORKFLOW_NOT_RUNNING,
  /** The workflow has no query handler of the name asked. */
  QUERY_NOT_FOUND,
  /** A wait for a result ran out of time; the workflow keeps running. */
  WAIT_TIMEOUT,
  /** No leader, or the execution cluster could not commit or confirm in time: worth a retry. */
  UNAVAILABLE,
  /** A management call (a heartbeat) reached a node that does not lead cluster 0. */
  NOT_LEADER,
  /** An HTTP request body over the API's limit. */
  PAYLOAD_TOO_LARGE,
  /** A gRPC request message over the server's limit. */
  MESSAGE_TOO_LARGE,
  /** An HTTP path or method the API does not serve. */
  NOT_FOUND,
  /** No node could be reached at all (set by the network clients, never sent by a node). */
  UNREACHABLE,
  /** Anything the node did not expect. */
  INTERNAL,
  /** An operator command refused: admin operations are off on the node, or the caller showed no certificate. */
  PERMISSION_DENIED,
  /**
   * An operator command that cannot run in the cluster's present state (removing a healthy node without force,
   * transferring a group's leadership from a node that does not lead it).
   */
  FAILED_PRECONDITION;

  /** The code named {@code name}, or null for null or a name this version does not know. */
  public static ErrorCode parse(String name) {
    if (name == null) {
      return null;
    }
    for (ErrorCode code : values()) {
      if (code.name().equals(name)) {
        return code;
      }
    }
    return null;
  }
}
