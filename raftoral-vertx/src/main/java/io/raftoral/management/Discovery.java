package io.raftoral.management;

import java.util.Collection;

/**
 * What a node's discovery endpoints answer, computed once for every protocol (HTTP {@code /discovery/*} and
 * {@code /health}, gRPC {@code raftoral.RaftService} and health): a snapshot of the node's view of cluster 0.
 *
 * @param nodeId this node's id
 * @param highestKnownNodeId the highest node id this node knows to be taken (itself, the directory, the next id)
 * @param address where this node is reached, or null while its registration is not in its view
 * @param leaderId the management leader as this node knows it, or 0 when it knows none
 * @param leaderAddress where the management leader is reached, or null when unknown
 * @param voterCount how many voters cluster 0 has as this node knows it
 * @param maxVoters the most voters cluster 0 has
 * @param view the directory and execution clusters as this node knows them
 */
public record Discovery(long nodeId, long highestKnownNodeId, String address, long leaderId, String leaderAddress,
    int voterCount, int maxVoters, ManagementView view) {

  /** The longest address a registering node may give. */
  public static final int MAX_ADDRESS_LENGTH = 1024;

  /** The snapshot of {@code m} now. Any thread. */
  public static Discovery of(ManagementEndpoint m) {
    ManagementView view = m.view();
    long self = m.nodeId();
    long leader = m.managementLeaderId();
    long highestListed = view.nodes().isEmpty() ? 0 : view.nodes().lastKey();
    long highest = Math.max(self, Math.max(view.nextNodeId() - 1, highestListed));
    return new Discovery(self, highest, addressOf(view, self), leader, leader == 0 ? null : addressOf(view, leader),
        m.managementVoters().size(), m.maxVoters(), view);
  }

  private static String addressOf(ManagementView view, long node) {
    return view.node(node).map(NodeRecord::address).orElse(null);
  }

  /**
   * Whether the node is ready: it serves no management endpoint ({@code m} null), or its own registration is in its
   * view of the directory and it is in contact with the management leader ({@link
   * ManagementEndpoint#notReadyReason()}). What readiness checks (HTTP {@code /health}, gRPC health) answer.
   */
  public static boolean isReady(ManagementEndpoint m) {
    return notReadyReason(m) == null;
  }

  /** Why the node is not ready, or null when it is (see {@link #isReady}). */
  public static String notReadyReason(ManagementEndpoint m) {
    return m == null ? null : m.notReadyReason();
  }

  /**
   * The request id of a rejoining node's registration ({@link ManagementClient#rejoin}): one per node and address,
   * so that the registrations a node's rejoins leave in the directory stay one.
   */
  public static String rejoinRequestId(String address, long nodeId) {
    return "rejoin:" + nodeId + "@" + address;
  }

  /** Whether {@code address} can be where a registering node is reached (not blank, not overlong). */
  public static boolean isValidAddress(String address) {
    return address != null && !address.isBlank() && address.length() <= MAX_ADDRESS_LENGTH;
  }

  /**
   * The request id a registration is de-duplicated by: the caller's, or else its address, which identifies a retry
   * as well as a request id does (see {@link ManagementClient#register}).
   */
  public static String registrationRequestId(String address, String requestId) {
    return requestId == null || requestId.isBlank() ? "address:" + address : requestId;
  }

  /** Whether a node joining now should join cluster 0 as a voter (it has fewer than the most voters). */
  public boolean shouldJoinAsVoter() {
    return voterCount < maxVoters;
  }

  /** The node directory. */
  public Collection<NodeRecord> peers() {
    return view.nodes().values();
  }

  /** Why a heartbeat sent to this node, which does not lead cluster 0, is refused; names the leader it knows. */
  public String notLeaderMessage() {
    return "node " + nodeId + " is not the management leader; " + (leaderId == 0 ? "it knows no leader"
        : "leader is node " + leaderId + (leaderAddress == null ? "" : " at " + leaderAddress));
  }
}
