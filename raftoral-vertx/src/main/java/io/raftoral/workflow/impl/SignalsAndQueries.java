package io.raftoral.workflow.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.raftoral.async.Bridge;
import io.raftoral.workflow.QueryNotFoundException;
import io.raftoral.workflow.WorkflowNotFoundException;
import io.raftoral.workflow.WorkflowNotRunningException;
import io.raftoral.workflow.WorkflowState;
import io.raftoral.workflow.WorkflowStatus;
import io.raftoral.workflow.impl.CommandOutcome.Rejection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Objects;

/**
 * The client side of signals and queries on one execution cluster. A signal is a committed
 * {@link WorkflowCommand.Signal} (any member proposes it; the inbox is replicated state). A query is answered on this
 * member after a linearizable read (ReadIndex), by the workflow's handler on this member's replica, and adds nothing
 * to the log.
 */
final class SignalsAndQueries {

  /** The longest signal or query name (as a checkpoint key). */
  private static final int MAX_NAME_LENGTH = 200;

  private final WorkflowRuntimeImpl rt;

  SignalsAndQueries(WorkflowRuntimeImpl rt) {
    this.rt = rt;
  }

  Uni<WorkflowStatus> signal(String workflowId, String name, String payloadJson, String signalId) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Uni.createFrom().deferred(() -> {
      checkName("signal", name);
      // Checked and made canonical here: a payload that is not JSON is the sender's error.
      String payload = canonical(payloadJson);
      if (signalId != null && (signalId.isBlank() || signalId.length() > MAX_NAME_LENGTH)) {
        throw new IllegalArgumentException("signal id must be 1.." + MAX_NAME_LENGTH + " characters");
      }
      WorkflowCommand.Signal cmd = new WorkflowCommand.Signal(workflowId, name, payload, signalId);
      return Bridge.uni(() -> Bridge.future(rt.group().propose(cmd), rt.context()).map(c -> c.result()))
          .map(outcome -> {
            if (outcome.rejection() == Rejection.UNKNOWN_WORKFLOW) {
              throw new WorkflowNotFoundException(workflowId);
            }
            if (outcome.rejection() == Rejection.NOT_RUNNING) {
              throw new WorkflowNotRunningException(workflowId, outcome.status().state());
            }
            return outcome.status();
          });
    });
  }

  Uni<String> query(String workflowId, String name) {
    Objects.requireNonNull(workflowId, "workflowId");
    return Uni.createFrom().deferred(() -> {
      checkName("query", name);
      return Bridge.uni(() -> readThenAnswer(workflowId, name));
    });
  }

  /**
   * A linearizable read of the workflow's existence, then the answer on a later turn of the group's context: the
   * notifications of what the read waited to apply are drained first, so this replica's run has consumed them.
   */
  private Future<String> readThenAnswer(String workflowId, String name) {
    return Bridge.future(rt.group().read(() -> {
      if (rt.stateMachine().get(workflowId) == null) {
        throw new WorkflowNotFoundException(workflowId);
      }
      return Boolean.TRUE;
    }), rt.context()).compose(found -> {
      Promise<String> answer = Promise.promise();
      rt.context().runOnContext(v -> {
        try {
          answer.complete(answer(workflowId, name));
        } catch (RuntimeException e) {
          answer.fail(e);
        }
      });
      return answer.future();
    });
  }

  private String answer(String workflowId, String name) {
    WorkflowRecord r = rt.stateMachine().get(workflowId);
    if (r == null) {
      throw new WorkflowNotFoundException(workflowId);
    }
    if (r.state == WorkflowState.RUNNING) {
      Execution x = rt.executions().get(workflowId);
      if (x == null) {
        throw new QueryNotFoundException(workflowId, name);
      }
      return x.queries().answer(name);
    }
    if (r.finalQueries == null || !r.finalQueries.containsKey(name)) {
      throw new QueryNotFoundException(workflowId, name);
    }
    return r.finalQueries.get(name);
  }

  private static void checkName(String what, String name) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(what + " name must be 1-" + MAX_NAME_LENGTH + " characters, was "
          + (name == null ? "null" : "'" + name + "'"));
    }
  }

  private static String canonical(String json) {
    if (json == null) {
      return "null";
    }
    try {
      JsonNode node = Payloads.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("signal payload is empty: give JSON text, e.g. \"\\\"Ada\\\"\"");
      }
      return Payloads.encode(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("signal payload is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
