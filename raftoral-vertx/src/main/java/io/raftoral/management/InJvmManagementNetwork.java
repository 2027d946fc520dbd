package io.raftoral.management;

import io.vertx.core.Future;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Management requests between nodes in one JVM (tests, and the in-JVM cluster): every {@link ManagementService}
 * started with {@link #client()} registers here, and requests go to whichever of them leads cluster 0.
 */
public final class InJvmManagementNetwork {

  private final Map<Long, ManagementService> services = new ConcurrentHashMap<>();

  /** A client over this network. */
  public ManagementClient client() {
    return new ManagementClient() {
      @Override
      public Future<Long> register(String address, String requestId) {
        ManagementService leader = leader();
        return leader == null ? noLeader() : leader.handleRegister(address, requestId);
      }

      @Override
      public Future<Long> rejoin(String address, long nodeId) {
        ManagementService leader = leader();
        return leader == null ? noLeader()
            : leader.handleRegister(address, Discovery.rejoinRequestId(address, nodeId), nodeId);
      }

      @Override
      public Future<Void> heartbeat(long nodeId) {
        ManagementService leader = leader();
        return leader == null ? noLeader() : leader.handleHeartbeat(nodeId);
      }

      @Override
      public Future<Map<Long, String>> directory() {
        ManagementService leader = leader();
        if (leader == null) {
          return noLeader();
        }
        Map<Long, String> out = new TreeMap<>();
        leader.view().nodes().forEach((id, n) -> out.put(id, n.address()));
        return Future.succeededFuture(out);
      }
    };
  }

  /** Makes {@code service} reachable by the clients of this network (as the management leader, when it leads). */
  public void serve(ManagementService service) {
    services.put(service.nodeId(), service);
  }

  /** Makes {@code service} unreachable (the node stopped). */
  public void unserve(ManagementService service) {
    services.remove(service.nodeId(), service);
  }

  /**
   * Any member of cluster 0 could take a registration (Raft forwards it), but only the leader takes heartbeats:
   * the leader serves both, as a network client would find it.
   */
  private ManagementService leader() {
    return services.values().stream().filter(ManagementService::isManagementLeader).findFirst().orElse(null);
  }

  /** The failure a client sees while no node leads cluster 0 (during an election): it retries. */
  private static <T> Future<T> noLeader() {
    return Future.failedFuture(new IllegalStateException("no management leader known"));
  }
}
