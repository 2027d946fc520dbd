package io.raftoral.workflow.impl;

import io.raftoral.async.Bridge;
import io.raftoral.group.RaftGroup;
import io.raftoral.raft.Membership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's owner failover for one execution cluster: the running workflows of an owner the leader has not heard
 * from within the owner timeout move to the live voter with the fewest running workflows among those that announced
 * the workflow's (name, version) ({@link MemberRegistrations}; ties go to the lowest node id). A member without the
 * registration would fail the workflow for good (during a rolling upgrade, say), so when no live voter has it the
 * workflow waits with its unresponsive owner and is moved once such a member appears (or its owner comes back).
 * Called on the group's context, once per duty period.
 */
final class OwnerFailover {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerFailover.class);
  private static final long NANOS_PER_MILLI = 1_000_000;

  private final long nodeId;
  private final long clusterId;
  private final long ownerTimeoutMillis;
  private final WorkflowStateMachine stateMachine;
  private final RaftGroup<WorkflowCommand, CommandOutcome> group;
  /** Workflows whose ChangeOwner is proposed and not answered yet: not moved twice. */
  private final Set<String> ownerChangesInFlight = new HashSet<>();
  /** Workflows that wait for a member that runs them (logged once each). */
  private final Set<String> waiting = new HashSet<>();
  private long leaderSinceNanos = -1;

  OwnerFailover(long nodeId, long clusterId, long ownerTimeoutMillis, WorkflowStateMachine stateMachine,
      RaftGroup<WorkflowCommand, CommandOutcome> group) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.ownerTimeoutMillis = ownerTimeoutMillis;
    this.stateMachine = stateMachine;
    this.group = group;
  }

  /** One duty period: as leader, moves the workflows of unresponsive owners; as follower, forgets its lead. */
  void tick() {
    if (!group.isLeader()) {
      leaderSinceNanos = -1;
      return;
    }
    long now = System.nanoTime();
    if (leaderSinceNanos < 0) {
      leaderSinceNanos = now;
    }
    // A new leader has heard from nobody yet: give every owner one timeout before judging it.
    if ((now - leaderSinceNanos) / NANOS_PER_MILLI >= ownerTimeoutMillis) {
      reassignDeadOwners();
    }
  }

  private boolean isLive(long member, Membership membership) {
    return member == nodeId
        || (membership.contains(member) && group.millisSinceContact(member) <= ownerTimeoutMillis);
  }

  private void reassignDeadOwners() {
    Membership membership = group.membership();
    Map<Long, Integer> load = new HashMap<>();
    for (long v : membership.voters()) {
      if (isLive(v, membership)) {
        load.put(v, 0);
      }
    }
    if (load.isEmpty()) {
      return;
    }
    List<WorkflowRecord> orphans = new ArrayList<>();
    for (WorkflowRecord r : stateMachine.running()) {
      if (load.containsKey(r.owner)) {
        load.merge(r.owner, 1, Integer::sum);
      } else if (!isLive(r.owner, membership) && !ownerChangesInFlight.contains(r.id)) {
        orphans.add(r);
      }
    }
    // forget the waiting workflows that ended, or whose owner came back or was changed meanwhile
    Set<String> stillOrphaned = new HashSet<>();
    orphans.forEach(r -> stillOrphaned.add(r.id));
    waiting.retainAll(stillOrphaned);
    MemberRegistrations registrations = stateMachine.registrations();
    for (WorkflowRecord r : orphans) {
      Optional<Long> chosen = load.entrySet().stream()
          .filter(e -> registrations.runs(e.getKey(), r.type, r.version))
          .min(Map.Entry.<Long, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
          .map(Map.Entry::getKey);
      if (chosen.isEmpty()) {
        if (waiting.add(r.id)) {
          LOG.warn("cluster {}: workflow {} ({} v{}) of unresponsive owner {} waits: no live member runs it",
              clusterId, r.id, r.type, r.version, r.owner);
        }
        continue;
      }
      waiting.remove(r.id);
      long target = chosen.get();
      load.merge(target, 1, Integer::sum);
      String id = r.id;
      LOG.info("cluster {}: workflow {} moves from unresponsive owner {} to {}", clusterId, id, r.owner, target);
      ownerChangesInFlight.add(id);
      Bridge.future(group.propose(new WorkflowCommand.ChangeOwner(id, r.owner, target)), group.context())
          .onComplete(ar -> ownerChangesInFlight.remove(id));
    }
  }
}
