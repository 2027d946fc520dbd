package io.raftoral.workflow.impl;

import io.raftoral.workflow.WorkflowRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which workflows (name, version) each member of an execution cluster can run, as the members announced them
 * ({@link WorkflowCommand.Registrations}): part of the replicated state (and of its snapshots), so that whichever
 * member leads knows it, and the owner failover moves a workflow only to a member that can run it. A member that
 * never announced (a node of an older version) runs nothing as far as the failover is concerned.
 *
 * <p>Called on the group's context only.
 */
final class MemberRegistrations {

  private final TreeMap<Long, Set<String>> byMember = new TreeMap<>();

  /** Replaces what {@code node} announced. */
  void announce(long node, Collection<String> workflows) {
    byMember.put(node, Set.copyOf(new TreeSet<>(workflows)));
  }

  /** What {@code node} announced, empty when it announced nothing. */
  Set<String> of(long node) {
    return byMember.getOrDefault(node, Set.of());
  }

  /** Whether {@code node} announced that it runs {@code type} version {@code version}. */
  boolean runs(long node, String type, int version) {
    return of(node).contains(WorkflowRegistry.announced(type, version));
  }

  /** The snapshot form: sorted lists by member. */
  Map<Long, List<String>> toSnapshot() {
    TreeMap<Long, List<String>> out = new TreeMap<>();
    byMember.forEach((node, workflows) -> out.put(node, List.copyOf(new TreeSet<>(workflows))));
    return out;
  }

  /** Replaces everything with a snapshot's content ({@code null} for a snapshot taken before announcements). */
  void restore(Map<Long, List<String>> snapshot) {
    byMember.clear();
    if (snapshot != null) {
      snapshot.forEach(this::announce);
    }
  }
}
