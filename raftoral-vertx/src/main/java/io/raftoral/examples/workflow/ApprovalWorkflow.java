package io.raftoral.examples.workflow;

import io.raftoral.workflow.ReplicatedVar;
import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFunction;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A human approval: input what is to be approved (a JSON string); the workflow waits for signal
 * {@value #SIGNAL} (payload: the approver's name, a JSON string) or a durable timer, and ends with
 * {@code "approved by <name>"} or {@code "timed out"}. Its query {@value #QUERY} answers {@code "waiting"} until
 * then, {@code "approved"} or {@code "timed out"} after (also once the workflow has ended).
 */
public final class ApprovalWorkflow implements WorkflowFunction<String, String> {

  public static final String NAME = "approval";
  public static final int VERSION = 1;
  public static final String SIGNAL = "approve";
  public static final String QUERY = "state";
  /** How long the demo waits for an approval. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  private final Duration timeout;

  /** An approval that times out after {@link #DEFAULT_TIMEOUT}. */
  public ApprovalWorkflow() {
    this(DEFAULT_TIMEOUT);
  }

  /** An approval that times out after {@code timeout} (tests shorten it). */
  public ApprovalWorkflow(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  public Uni<String> run(String subject, WorkflowContext ctx) {
    ReplicatedVar<String> state = ctx.var("state", String.class, "waiting");
    ctx.registerQuery(QUERY, state::get);
    return ctx.awaitSignal(SIGNAL, String.class, timeout)
        .flatMap(approver -> decide(state, approver));
  }

  private static Uni<String> decide(ReplicatedVar<String> state, Optional<String> approver) {
    if (approver.isEmpty()) {
      return state.set("timed out").replaceWith("timed out");
    }
    return state.set("approved").replaceWith("approved by " + approver.get());
  }
}
