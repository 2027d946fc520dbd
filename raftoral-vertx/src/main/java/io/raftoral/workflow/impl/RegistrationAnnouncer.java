package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.workflow.WorkflowRegistry;
import java.util.ArrayList;
import java.util.SortedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces to the execution cluster which workflows this member runs ({@link WorkflowCommand.Registrations}),
 * whenever the replicated state does not hold exactly its registry's (name, version) pairs: after it joined, after a
 * restart with an upgraded registry, after a definition was registered later. The owner failover then moves a
 * workflow only to members that announced it ({@link MemberRegistrations}). Called on the group's context once per
 * duty period; at most one announcement in flight (a lost one is tried again at the next period).
 */
final class RegistrationAnnouncer {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrationAnnouncer.class);

  private final long nodeId;
  private final WorkflowRegistry registry;
  private final WorkflowStateMachine stateMachine;
  private final RaftGroup<WorkflowCommand, CommandOutcome> group;
  private boolean inFlight;

  RegistrationAnnouncer(long nodeId, WorkflowRegistry registry, WorkflowStateMachine stateMachine,
      RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.nodeId = nodeId;
    this.registry = registry;
    this.stateMachine = stateMachine;
    this.group = group;
  }

  /** Proposes this member's registrations if the replicated state does not hold them yet. */
  void tick() {
    if (inFlight || group.leaderId() <= 0) {
      return;
    }
    SortedSet<String> mine = registry.keys();
    if (stateMachine.registrations().of(nodeId).equals(mine)) {
      return;
    }
    inFlight = true;
    Bridge.future(group.propose(new WorkflowCommand.Registrations(nodeId, new ArrayList<>(mine))), group.context())
        .onComplete(ar -> {
          inFlight = false;
          if (ar.failed()) {
            LOG.debug("cluster {}: announcing the workflows of node {} failed (tried again): {}", group.groupId(),
                nodeId, ar.cause().toString());
          }
        });
  }
}
