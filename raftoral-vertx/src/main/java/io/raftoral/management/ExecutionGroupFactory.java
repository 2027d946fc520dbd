package io.raftoral.management;

import io.raftoral.group.RaftGroup;
import io.raftoral.host.RaftHost;
import io.vertx.core.Future;
import java.util.Set;

/**
 * Starts the Raft group of an execution cluster on a node, with whatever state machine the execution clusters run
 * (the workflow runtime; a key-value store in tests). The management layer calls it when the node becomes a desired
 * member of the cluster, on the management service's context.
 */
@FunctionalInterface
public interface ExecutionGroupFactory {

  /**
   * Starts group {@code clusterId} on {@code host}.
   *
   * @param founders non-empty when this node founds the group: start it with {@code members(founders)} (every
   *     founder gets the same set). Empty when the node joins an existing group (it waits to be added as a
   *     learner) or restarts on stored state.
   * @return the started group
   */
  Future<RaftGroup<?, ?>> start(RaftHost host, long clusterId, Set<Long> founders);
}
