package io.raftoral.management;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the management state (cluster 0): the node directory, the execution clusters with their
 * desired and reported membership, and metadata. Safe to share between threads; the state machine replaces it on
 * every applied command.
 *
 * @param nodes the node directory by id
 * @param clusters the execution clusters by id
 * @param metadata cluster-wide key/value metadata
 * @param registrations the node id allocated to each registration request id (for idempotent retries)
 * @param nextNodeId the id the next registration without a requested id gets
 * @param nextClusterId the id of the next execution cluster
 * @param topologyVersion bumped by every change of node states or cluster membership (not by heartbeats or
 *     reports): a decision taken on one version is refused on another
 * @param appliedIndex the index of the last command applied to this state
 */
public record ManagementView(SortedMap<Long, NodeRecord> nodes, SortedMap<Long, ExecutionCluster> clusters,
    SortedMap<String, String> metadata, SortedMap<String, Long> registrations, long nextNodeId, long nextClusterId,
    long topologyVersion, long appliedIndex) {

  /** The first node id allocated: 0 stands for "no node" (no leader known, no requested id). */
  static final long FIRST_NODE_ID = 1;
  /** The first execution cluster id: 0 is the management cluster itself. */
  static final long FIRST_CLUSTER_ID = 1;

  /** The state of a new management cluster. */
  public static final ManagementView EMPTY =
      new ManagementView(null, null, null, null, FIRST_NODE_ID, FIRST_CLUSTER_ID, 0, 0);

  public ManagementView {
    nodes = frozen(nodes);
    clusters = frozen(clusters);
    metadata = frozen(metadata);
    registrations = frozen(registrations);
  }

  private static <K, V> SortedMap<K, V> frozen(SortedMap<K, V> m) {
    return Collections.unmodifiableSortedMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
  }

  /** The node {@code id}, if registered. */
  public Optional<NodeRecord> node(long id) {
    return Optional.ofNullable(nodes.get(id));
  }

  /** The execution cluster {@code id}, if it exists. */
  public Optional<ExecutionCluster> cluster(long id) {
    return Optional.ofNullable(clusters.get(id));
  }

  /** Ids of the nodes in {@code state}, ascending. */
  public SortedSet<Long> nodesIn(NodeState state) {
    TreeSet<Long> ids = new TreeSet<>();
    nodes.values().forEach(n -> {
      if (n.state() == state) {
        ids.add(n.id());
      }
    });
    return ids;
  }

  /** Ids of the execution clusters that want {@code nodeId} as a member, ascending. */
  public SortedSet<Long> clustersDesiring(long nodeId) {
    TreeSet<Long> ids = new TreeSet<>();
    clusters.values().forEach(c -> {
      if (c.desiredMembers().contains(nodeId)) {
        ids.add(c.id());
      }
    });
    return ids;
  }

  /** Whether any execution cluster still refers to {@code nodeId}, as desired or as reported member. */
  public boolean referencedByAnyCluster(long nodeId) {
    return clusters.values().stream().anyMatch(c -> c.refersTo(nodeId));
  }

  // ----- copy-on-write helpers for the state machine -----

  ManagementView withNodes(SortedMap<Long, NodeRecord> n, SortedMap<String, Long> regs, long nextId,
      boolean topologyChanged) {
    return new ManagementView(n, clusters, metadata, regs, nextId, nextClusterId,
        topologyVersion + (topologyChanged ? 1 : 0), appliedIndex);
  }

  ManagementView withNode(NodeRecord node, boolean topologyChanged) {
    TreeMap<Long, NodeRecord> n = new TreeMap<>(nodes);
    n.put(node.id(), node);
    return withNodes(n, registrations, nextNodeId, topologyChanged);
  }

  ManagementView withClusters(SortedMap<Long, ExecutionCluster> c, long nextCluster, boolean topologyChanged) {
    return new ManagementView(nodes, c, metadata, registrations, nextNodeId, nextCluster,
        topologyVersion + (topologyChanged ? 1 : 0), appliedIndex);
  }

  ManagementView withCluster(ExecutionCluster cluster, boolean topologyChanged) {
    TreeMap<Long, ExecutionCluster> c = new TreeMap<>(clusters);
    c.put(cluster.id(), cluster);
    return withClusters(c, nextClusterId, topologyChanged);
  }

  ManagementView withMetadata(SortedMap<String, String> m) {
    return new ManagementView(nodes, clusters, m, registrations, nextNodeId, nextClusterId, topologyVersion,
        appliedIndex);
  }

  ManagementView withAppliedIndex(long index) {
    return new ManagementView(nodes, clusters, metadata, registrations, nextNodeId, nextClusterId, topologyVersion,
        index);
  }
}
