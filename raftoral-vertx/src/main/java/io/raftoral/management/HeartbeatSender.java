package io.raftoral.management;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;

/**
 * Tells the management leader, every heartbeat interval, that this node is alive: through the
 * {@link ManagementClient} when another node leads cluster 0, straight into the leader's round when this one does.
 * Before each heartbeat it tells the client where the nodes of its directory are ({@link
 * ManagementClient#learnAddresses}), so that a node whose seeds are down (or as cut off as itself) still finds the
 * leader; and it tells its {@link NodeStanding} when the leader took a heartbeat. Confined to the management
 * service's context.
 */
final class HeartbeatSender {

  /** The timer id while no timer runs ({@link Vertx#cancelTimer} ignores it). */
  private static final long NO_TIMER = -1;

  private final Vertx vertx;
  private final ManagementClient client;
  private final GroupCalls calls;
  private final ManagementStateMachine stateMachine;
  private final ManagementLeaderRound round;
  private final NodeStanding standing;
  private final long intervalMillis;
  private List<String> learned = List.of();
  private long timer = NO_TIMER;

  HeartbeatSender(Vertx vertx, ManagementClient client, GroupCalls calls, ManagementStateMachine stateMachine,
      ManagementLeaderRound round, NodeStanding standing, long intervalMillis) {
    this.vertx = vertx;
    this.client = client;
    this.calls = calls;
    this.stateMachine = stateMachine;
    this.round = round;
    this.standing = standing;
    this.intervalMillis = intervalMillis;
  }

  /** Starts sending, from the caller's context (the management service's). */
  void start() {
    timer = vertx.setPeriodic(intervalMillis, id -> send());
  }

  void stop() {
    vertx.cancelTimer(timer);
    timer = NO_TIMER;
  }

  private void send() {
    if (calls.management().isLeader()) {
      round.heardSelf();
      standing.heartbeatAccepted();
      return;
    }
    shareDirectory();
    // a lost heartbeat is simply the next one's job; the failure timeout allows for it
    client.heartbeat(calls.nodeId()).onSuccess(v -> standing.heartbeatAccepted());
  }

  /** Tells the client the addresses of the other nodes of this node's directory when they changed. */
  private void shareDirectory() {
    long self = calls.nodeId();
    List<String> addresses = stateMachine.view().nodes().values().stream()
        .filter(n -> n.id() != self).map(NodeRecord::address).sorted().toList();
    if (!Objects.equals(addresses, learned)) {
      learned = addresses;
      client.learnAddresses(addresses);
    }
  }
}
