package io.raftoral.events;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which events a subscriber wants: by kind, by cluster and by workflow type; an empty set means "any". The workflow
 * type constrains only workflow events (a leader election has no workflow type and passes). Immutable.
 */
public final class EventFilter {

  private static final EventFilter ALL = new EventFilter(Set.of(), Set.of(), Set.of());

  private final Set<EventKind> kinds;
  private final Set<Long> clusters;
  private final Set<String> workflowTypes;

  private EventFilter(Set<EventKind> kinds, Set<Long> clusters, Set<String> workflowTypes) {
    this.kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
    this.clusters = Set.copyOf(clusters);
    this.workflowTypes = Set.copyOf(workflowTypes);
  }

  /** Every event. */
  public static EventFilter all() {
    return ALL;
  }

  /** A filter of the given sets (empty sets mean "any"). */
  public static EventFilter of(Set<EventKind> kinds, Set<Long> clusters, Set<String> workflowTypes) {
    return new EventFilter(kinds, clusters, workflowTypes);
  }

  /**
   * A filter from request text: kinds by wire name, cluster ids as decimal numbers, workflow types; each value may
   * be a comma-separated list and blanks are ignored. {@link IllegalArgumentException}, naming the bad value, for
   * an unknown kind or a cluster id that is not a non-negative number.
   */
  public static EventFilter parse(Collection<String> kinds, Collection<String> clusters,
      Collection<String> workflowTypes) {
    Set<EventKind> k = EnumSet.noneOf(EventKind.class);
    for (String name : split(kinds)) {
      k.add(EventKind.ofWireName(name));
    }
    Set<Long> c = new TreeSet<>();
    for (String id : split(clusters)) {
      c.add(clusterId(id));
    }
    return new EventFilter(k, c, split(workflowTypes));
  }

  private static long clusterId(String text) {
    try {
      long id = Long.parseLong(text);
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException("cluster must be a non-negative cluster id, was '" + text + "'");
  }

  private static Set<String> split(Collection<String> values) {
    Set<String> out = new TreeSet<>();
    if (values != null) {
      for (String v : values) {
        for (String part : v.split(",")) {
          if (!part.isBlank()) {
            out.add(part.trim());
          }
        }
      }
    }
    return out;
  }

  /** Whether {@code e} passes. A skipped-events marker always passes. */
  public boolean test(NodeEvent e) {
    if (e.kind() == EventKind.EVENTS_SKIPPED) {
      return true;
    }
    if (!kinds.isEmpty() && !kinds.contains(e.kind())) {
      return false;
    }
    if (!clusters.isEmpty() && !clusters.contains(e.clusterId())) {
      return false;
    }
    return workflowTypes.isEmpty() || !e.kind().isWorkflowEvent() || workflowTypes.contains(e.workflowType());
  }

  public Set<EventKind> kinds() {
    return kinds;
  }

  public Set<Long> clusters() {
    return clusters;
  }

  public Set<String> workflowTypes() {
    return workflowTypes;
  }

  @Override
  public String toString() {
    return "EventFilter{kinds=" + kinds + ", clusters=" + clusters + ", workflowTypes=" + workflowTypes + "}";
  }
}
