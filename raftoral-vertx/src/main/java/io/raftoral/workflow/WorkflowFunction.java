package io.raftoral.workflow;

import io.smallrye.mutiny.Uni;

/**
 * The body of a workflow. It must be deterministic given its input and the values of its checkpoints: every member
 * of the execution cluster runs it, and the n-th checkpoint call of every run must name the same key. Side effects
 * belong in {@link WorkflowContext#compute}, which only the owner runs.
 *
 * <p>Called on the execution cluster's event-loop context; it must not block.
 */
@FunctionalInterface
public interface WorkflowFunction<I, O> {

  Uni<O> run(I input, WorkflowContext ctx);
}
