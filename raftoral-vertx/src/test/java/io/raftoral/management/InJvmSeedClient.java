package io.raftoral.management;

import io.raftoral.client.SeedManagementClient;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * The network management client's behaviour in one JVM: it knows seed addresses only (and the directory it is told),
 * asks one node at a time, and a node that does not lead refuses heartbeats with the leader it knows of; a node that
 * is down (no live service at the address) does not answer. Unlike {@link InJvmManagementNetwork#client()}, which
 * always finds the leader, it sees what a restarted node sees when its seeds are down or as stale as itself.
 */
final class InJvmSeedClient extends SeedManagementClient<Object> {

  private final Function<String, ManagementService> serviceAt;

  /**
   * @param seeds the addresses (host:port) this node was given
   * @param serviceAt the live management service at an address, or null when none runs there
   */
  InJvmSeedClient(List<String> seeds, Function<String, ManagementService> serviceAt) {
    super(seedOptions(seeds), new Object(), c -> {});
    this.serviceAt = serviceAt;
  }

  @Override
  protected Future<Long> registerAt(HostPort node, String address, String requestId) {
    ManagementService s = serviceAt.apply(node.toString());
    return s == null ? unreachable(node) : s.handleRegister(address, requestId);
  }

  @Override
  protected Future<Long> rejoinAt(HostPort node, String address, String requestId, long nodeId) {
    ManagementService s = serviceAt.apply(node.toString());
    return s == null ? unreachable(node) : s.handleRegister(address, requestId, nodeId);
  }

  @Override
  protected Future<HeartbeatAnswer> heartbeatAt(HostPort node, long nodeId) {
    ManagementService s = serviceAt.apply(node.toString());
    if (s == null) {
      return unreachable(node);
    }
    if (!s.isManagementLeader()) {
      return Future.succeededFuture(notLeader(s));
    }
    return s.handleHeartbeat(nodeId).map(v -> new HeartbeatAnswer(true, null, null)).otherwise(e -> notLeader(s));
  }

  private static HeartbeatAnswer notLeader(ManagementService s) {
    Discovery d = Discovery.of(s);
    return new HeartbeatAnswer(false, d.leaderAddress(), d.notLeaderMessage());
  }

  @Override
  protected RuntimeException noNodeServed(ErrorCode code, String message) {
    return new IllegalStateException(code + ": " + message);
  }

  private static <T> Future<T> unreachable(HostPort node) {
    return Future.failedFuture(new IllegalStateException("connection refused: " + node));
  }
}
