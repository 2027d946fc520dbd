package io.raftoral.node.impl;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The execution cluster a caller-given workflow id is started in when no cluster holds it yet: rendezvous
 * (highest-random-weight) hashing of the id over the cluster ids.
 *
 * <p>Why not {@code hash % clusters.size()}: that moves almost every id whenever the number of clusters changes
 * (a split) and differs between two nodes that see a different number of clusters. Rendezvous hashing scores each
 * (id, cluster) pair on its own, so the choice does not depend on the order of the clusters, adding a cluster only
 * moves the ids that the new cluster wins (about 1/n of them) and removing one only moves the ids it held.
 *
 * <p>Limits: any mapping over a changing set of clusters moves some ids, and a node that does not know a cluster
 * cannot choose it. That is why {@link RoutingWorkflowClient} first asks every known cluster whether the id
 * exists and uses this rule only when none holds it.
 */
public final class CallerIdPlacement {

  /** FNV-1a 64-bit offset basis and prime: a cheap, well-spread hash of the id's bytes. */
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  /** The finalizer constants of SplitMix64 (Steele, Lea, Flood), mixing id hash and cluster id into one score. */
  private static final long MIX_1 = 0xbf58476d1ce4e5b9L;
  private static final long MIX_2 = 0x94d049bb133111ebL;
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private CallerIdPlacement() {
  }

  /** The cluster of {@code clusters} (not empty) that {@code workflowId} scores highest with. */
  public static long clusterFor(String workflowId, List<Long> clusters) {
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("no execution cluster to choose from");
    }
    long idHash = fnv1a(workflowId);
    long best = clusters.get(0);
    long bestScore = Long.MIN_VALUE;
    for (long cluster : clusters) {
      long score = mix(idHash ^ mix(cluster + GOLDEN_GAMMA));
      // ties (practically never) go to the lower cluster id, so every node breaks them alike
      if (score > bestScore || (score == bestScore && cluster < best)) {
        best = cluster;
        bestScore = score;
      }
    }
    return best;
  }

  private static long fnv1a(String s) {
    long h = FNV_OFFSET;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * MIX_1;
    z = (z ^ (z >>> 27)) * MIX_2;
    return z ^ (z >>> 31);
  }
}
