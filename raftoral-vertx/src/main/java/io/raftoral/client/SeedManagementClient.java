package io.raftoral.client;

import io.raftoral.management.Discovery;
import io.raftoral.management.ManagementClient;
import io.raftoral.transport.HostPort;
import io.raftoral.workflow.ErrorCode;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link ManagementClient} over the network, for a node that is not (yet) a member of cluster 0 and knows only
 * seed addresses ({@code --peers}). The order of calls is the same for every protocol; each protocol says how one
 * node is asked ({@link #registerAt}, {@link #heartbeatAt}).
 *
 * <ul>
 *   <li>{@link #register}: at the known management leader, then at each seed in turn, until one answers with a node
 *       id. Any member of cluster 0 can serve it (Raft forwards the registration to the management leader), so the
 *       first live seed usually does.</li>
 *   <li>{@link #heartbeat}: which only the management leader takes. A node that does not lead answers with the
 *       leader it knows of, where the client goes next (before the remaining seeds), and which it remembers for the
 *       next heartbeat.</li>
 *   <li>{@link #rejoin}: as {@link #register}, for a node that keeps its id.</li>
 *   <li>{@link #directory}: the first node that knows a directory ({@link #directoryAt}).</li>
 * </ul>
 * After the seeds, each call also tries the other nodes of the directory the node knows ({@link #learnAddresses}):
 * a node restarted after its seeds died (or with itself as its only seed) still finds the leader.
 *
 * <p>It holds the protocol's client, which {@link #close()} closes.
 *
 * @param <C> the protocol's client (a gRPC client, a web client)
 */
public abstract class SeedManagementClient<C> implements ManagementClient, AutoCloseable {

  /**
   * One node's answer to a heartbeat.
   *
   * @param accepted whether the node, the management leader, took it
   * @param leaderAddress where the node says the leader is, or null
   * @param description why it was refused, for the error of a heartbeat no node took
   */
  public record HeartbeatAnswer(boolean accepted, String leaderAddress, String description) {}

  /** Default time for one call to one node. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;

  private final List<HostPort> seeds;
  private final long requestTimeoutMillis;
  private final C client;
  private final Consumer<C> closer;
  private volatile HostPort knownLeader;
  /** The other nodes of the directory the node knows ({@link #learnAddresses}), tried after the seeds. */
  private volatile List<HostPort> directory = List.of();

  /**
   * Over the seeds of {@code options} (its addresses, at least one).
   *
   * @param client the protocol's client, made from {@code options}' TLS
   * @param closer how {@link #close()} closes {@code client}
   */
  protected SeedManagementClient(NetworkClientOptions options, C client, Consumer<C> closer) {
    this.seeds = HostPort.parseAll(options.getAddresses());
    this.requestTimeoutMillis = options.getRequestTimeoutMillis();
    this.client = Objects.requireNonNull(client, "client");
    this.closer = closer;
  }

  /** The protocol's client. */
  protected final C client() {
    return client;
  }

  /** Closes the protocol's underlying client. */
  @Override
  public void close() {
    closer.accept(client);
  }

  /** Options for {@code seeds} with this client's default time per call ({@link #DEFAULT_REQUEST_TIMEOUT_MILLIS}). */
  public static NetworkClientOptions seedOptions(List<String> seeds) {
    return new NetworkClientOptions().setAddresses(seeds).setRequestTimeoutMillis(DEFAULT_REQUEST_TIMEOUT_MILLIS);
  }

  /** Time for one call to one node. */
  protected final long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  /** Asks {@code node} to register; the node id, or a failure whose message says why not. */
  protected abstract Future<Long> registerAt(HostPort node, String address, String requestId);

  /**
   * Asks {@code node} for the node directory it knows (node id -> address); an empty map when it knows none yet
   * (not joined itself). The default fails: a protocol that has a discovery call overrides it.
   */
  protected Future<Map<Long, String>> directoryAt(HostPort node) {
    return Future.failedFuture(new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot fetch the directory"));
  }

  /** Sends {@code node} a heartbeat of {@code nodeId}; its answer, or a failure to reach it. */
  protected abstract Future<HeartbeatAnswer> heartbeatAt(HostPort node, long nodeId);

  /** The protocol's exception for a call no node served. */
  protected abstract RuntimeException noNodeServed(ErrorCode code, String message);

  /**
   * Asks {@code node} to register again node {@code nodeId}, which holds its storage ({@link #rejoin}); the node
   * id, or a failure whose message says why not. The default fails: a protocol that can send the requested id
   * overrides it.
   */
  protected Future<Long> rejoinAt(HostPort node, String address, String requestId, long nodeId) {
    return Future.failedFuture(new UnsupportedOperationException(getClass().getSimpleName() + " cannot rejoin"));
  }

  @Override
  public Future<Long> register(String address, String requestId) {
    return registerAt(order(), 0, node -> registerAt(node, address, requestId), new ArrayList<>());
  }

  /** As {@link #register}, asking for {@code nodeId}: at the known leader, the seeds, then the directory learned. */
  @Override
  public Future<Long> rejoin(String address, long nodeId) {
    String requestId = Discovery.rejoinRequestId(address, nodeId);
    return registerAt(order(), 0, node -> rejoinAt(node, address, requestId, nodeId), new ArrayList<>());
  }

  /** Tries the addresses of the directory this node knows after the seeds (see {@link ManagementClient}). */
  @Override
  public void learnAddresses(Collection<String> addresses) {
    List<HostPort> parsed = new ArrayList<>();
    for (String a : addresses) {
      try {
        parsed.add(HostPort.parse(a));
      } catch (IllegalArgumentException ignored) {
        // not an address this client can reach; the seeds remain
      }
    }
    directory = List.copyOf(parsed);
  }

  private Future<Long> registerAt(List<HostPort> order, int i, Function<HostPort, Future<Long>> attempt,
      List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(noNodeServed(ErrorCode.UNAVAILABLE,
          "registration failed at every seed: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    return attempt.apply(node).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(ar.result());
      }
      errors.add(node + ": " + ar.cause().getMessage());
      return registerAt(order, i + 1, attempt, errors);
    });
  }

  /**
   * The first non-empty directory among the known leader, the seeds and the directory learned, in that order (an
   * empty map when every node that answered knows none; a failure when none answered).
   */
  @Override
  public Future<Map<Long, String>> directory() {
    return directoryAt(order(), 0, false, new ArrayList<>());
  }

  private Future<Map<Long, String>> directoryAt(List<HostPort> order, int i, boolean anyAnswered,
      List<String> errors) {
    if (i >= order.size()) {
      return anyAnswered ? Future.succeededFuture(Map.of()) : Future.failedFuture(noNodeServed(
          ErrorCode.UNAVAILABLE, "no seed served the directory: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    return directoryAt(node).transform(ar -> {
      if (ar.succeeded() && !ar.result().isEmpty()) {
        return Future.succeededFuture(ar.result());
      }
      if (ar.failed()) {
        errors.add(node + ": " + ar.cause().getMessage());
      }
      return directoryAt(order, i + 1, anyAnswered || ar.succeeded(), errors);
    });
  }

  @Override
  public Future<Void> heartbeat(long nodeId) {
    return heartbeatAt(order(), 0, nodeId, new LinkedHashSet<>(), new ArrayList<>());
  }

  private Future<Void> heartbeatAt(List<HostPort> order, int i, long nodeId, Set<HostPort> tried,
      List<String> errors) {
    if (i >= order.size()) {
      return Future.failedFuture(noNodeServed(ErrorCode.NOT_LEADER,
          "no management leader took the heartbeat: " + String.join("; ", errors)));
    }
    HostPort node = order.get(i);
    if (!tried.add(node)) {
      return heartbeatAt(order, i + 1, nodeId, tried, errors);
    }
    return heartbeatAt(node, nodeId).transform(ar -> {
      if (ar.succeeded() && ar.result().accepted()) {
        knownLeader = node;
        return Future.succeededFuture();
      }
      if (node.equals(knownLeader)) {
        knownLeader = null;
      }
      String hint = ar.succeeded() ? ar.result().leaderAddress() : null;
      if (hint != null && !hint.isEmpty()) {
        try {
          // the leader next: before the remaining seeds
          order.add(i + 1, HostPort.parse(hint));
        } catch (IllegalArgumentException ignored) {
          // an address we cannot use; the seeds remain
        }
      }
      errors.add(node + ": " + (ar.succeeded() ? ar.result().description() : ar.cause().getMessage()));
      return heartbeatAt(order, i + 1, nodeId, tried, errors);
    });
  }

  /** The known management leader first, then the seeds, then the directory learned, each once. */
  private List<HostPort> order() {
    Set<HostPort> order = new LinkedHashSet<>();
    HostPort leader = knownLeader;
    if (leader != null) {
      order.add(leader);
    }
    order.addAll(seeds);
    order.addAll(directory);
    return new ArrayList<>(order);
  }
}
