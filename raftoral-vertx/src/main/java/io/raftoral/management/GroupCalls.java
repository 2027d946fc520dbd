package io.raftoral.management;

import io.raftoral.async.Bridge;
import io.raftoral.group.Committed;
import io.raftoral.group.RaftGroup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.smallrye.mutiny.Uni;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every asynchronous call the management layer makes on a {@link RaftGroup}: proposals to and linearizable reads of
 * cluster 0, and the membership steps of any group this node leads. They are kept in this one class so that a
 * change of {@code RaftGroup}'s asynchronous type is adapted here only.
 *
 * <p>A group completes its futures on its own event-loop context; the management classes keep their state on the
 * management service's context, so every outcome is moved there ({@link #onContext}) before anyone sees it.
 */
final class GroupCalls {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCalls.class);

  private final RaftGroup<ManagementCommand, ManagementResult> management;
  private final ManagementStateMachine stateMachine;
  private final Context context;

  /**
   * @param management this node's member of cluster 0
   * @param stateMachine the state machine {@code management} applies to (read by {@link #readView()})
   * @param context the management service's context, where every outcome is delivered
   */
  GroupCalls(RaftGroup<ManagementCommand, ManagementResult> management, ManagementStateMachine stateMachine,
      Context context) {
    this.management = Objects.requireNonNull(management, "management");
    this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
    this.context = Objects.requireNonNull(context, "context");
  }

  /** This node's member of cluster 0, for its synchronous state (leadership, status, membership). */
  RaftGroup<ManagementCommand, ManagementResult> management() {
    return management;
  }

  /** This node's id. */
  long nodeId() {
    return management.nodeId();
  }

  /** Proposes {@code command} to cluster 0; completes with the state machine's result. Any thread. */
  Future<ManagementResult> propose(ManagementCommand command) {
    return Bridge.future(management.propose(command), context).map(Committed::result);
  }

  /**
   * Proposes {@code command} to cluster 0 now and ignores its outcome: for commands whose loss the next round
   * makes up for (heartbeats).
   */
  void proposeAndForget(ManagementCommand command) {
    // Subscribing is what sends it: the group's Unis are lazy.
    Bridge.future(management.propose(command), context);
  }

  /** The management state once this node reflects everything committed before the call (thesis §6.4). */
  Future<ManagementView> readView() {
    return Bridge.future(management.read(stateMachine::view), context);
  }

  /** Runs one membership step on {@code group}, which this node leads; failures are logged, then reported. */
  Future<Void> execute(RaftGroup<?, ?> group, MembershipPlanner.Step step) {
    LOG.debug("node {}: group {}: {}", nodeId(), group.groupId(), step);
    Uni<?> change = switch (step.kind()) {
      case ADD_LEARNER -> group.addLearner(step.nodeId());
      case PROMOTE -> group.promote(step.nodeId());
      case REMOVE -> group.remove(step.nodeId());
      case TRANSFER_LEADERSHIP -> group.transferLeadership(step.nodeId());
    };
    return Bridge.future(change, context).<Void>mapEmpty().onFailure(e ->
        LOG.debug("node {}: group {}: {} failed: {}", nodeId(), group.groupId(), step, e.toString()));
  }

  /** {@code future}'s outcome on the management service's context. */
  <T> Future<T> onContext(Future<T> future) {
    return onContext(future, context);
  }

  /** {@code future}'s outcome on {@code context} (before cluster 0's group exists, there is no instance yet). */
  static <T> Future<T> onContext(Future<T> future, Context context) {
    return Bridge.onContext(future, context);
  }
}
