package io.raftoral.management;

import io.vertx.core.Vertx;

/**
 * Tells the management leader, every heartbeat interval, that this node is alive: through the
 * {@link ManagementClient} when another node leads cluster 0, straight into the leader's round when this one does.
 * Confined to the management service's context.
 */
final class HeartbeatSender {

  /** The timer id while no timer runs ({@link Vertx#cancelTimer} ignores it). */
  private static final long NO_TIMER = -1;

  private final Vertx vertx;
  private final ManagementClient client;
  private final GroupCalls calls;
  private final ManagementLeaderRound round;
  private final long intervalMillis;
  private long timer = NO_TIMER;

  HeartbeatSender(Vertx vertx, ManagementClient client, GroupCalls calls, ManagementLeaderRound round,
      long intervalMillis) {
    this.vertx = vertx;
    this.client = client;
    this.calls = calls;
    this.round = round;
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
    } else {
      // a lost heartbeat is simply the next one's job; the failure timeout allows for it
      client.heartbeat(calls.nodeId());
    }
  }
}
