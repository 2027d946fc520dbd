package io.raftoral.examples.workflow;

import io.raftoral.workflow.WorkflowContext;
import io.raftoral.workflow.WorkflowFunction;
import io.smallrye.mutiny.Uni;

/**
 * The n-th Fibonacci number, one checkpoint per step: a replica or a new owner replays the steps from the journal
 * instead of recomputing them.
 */
public final class FibonacciWorkflow implements WorkflowFunction<Integer, Long> {

  public static final String NAME = "fibonacci";
  public static final int VERSION = 1;

  /** The state after step {@code i}: F(i) and F(i+1). */
  public record Step(int i, long current, long next) {}

  @Override
  public Uni<Long> run(Integer n, WorkflowContext ctx) {
    if (n == null || n < 0 || n > 92) {
      return Uni.createFrom().failure(new IllegalArgumentException("n must be in 0..92 (a long), was " + n));
    }
    return step(ctx, new Step(0, 0, 1), n);
  }

  private Uni<Long> step(WorkflowContext ctx, Step s, int n) {
    if (s.i() == n) {
      return Uni.createFrom().item(s.current());
    }
    return ctx.checkpoint("fib-" + (s.i() + 1), new Step(s.i() + 1, s.next(), s.current() + s.next()))
        .flatMap(next -> step(ctx, next, n));
  }
}
