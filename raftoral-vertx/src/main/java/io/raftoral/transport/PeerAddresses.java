package io.raftoral.transport;

import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The network address of every peer node, by node id: the directory the network transports consult on each send.
 * Mutable and thread-safe, because the management layer updates it as nodes join, move and leave while the
 * transports read it from their own event loops. A transport notices a changed address on its next send to that
 * peer and reconnects there; a removed address makes sends to that peer drop (counted by the transport).
 */
public final class PeerAddresses {

  private final Map<Long, SocketAddress> byNode = new ConcurrentHashMap<>();

  public PeerAddresses() {}

  /** A directory holding {@code addresses} ({@code nodeId -> "host:port"}). */
  public static PeerAddresses of(Map<Long, String> addresses) {
    PeerAddresses peers = new PeerAddresses();
    addresses.forEach(peers::put);
    return peers;
  }

  /** Sets the address of {@code nodeId}, replacing any previous one. */
  public PeerAddresses put(long nodeId, SocketAddress address) {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be > 0, was " + nodeId);
    }
    Objects.requireNonNull(address, "address");
    if (address.isDomainSocket() || address.port() <= 0 || address.port() > 65535) {
      throw new IllegalArgumentException("node " + nodeId + ": not a TCP host:port address: " + address);
    }
    byNode.put(nodeId, address);
    return this;
  }

  /** Sets the address of {@code nodeId} from {@code "host:port"} (IPv6 hosts in brackets: {@code "[::1]:7001"}). */
  public PeerAddresses put(long nodeId, String hostPort) {
    return put(nodeId, parse(hostPort));
  }

  /** Forgets {@code nodeId}; later sends to it are dropped. */
  public PeerAddresses remove(long nodeId) {
    byNode.remove(nodeId);
    return this;
  }

  /** The address of {@code nodeId}, if known. */
  public Optional<SocketAddress> get(long nodeId) {
    return Optional.ofNullable(byNode.get(nodeId));
  }

  /** The address of {@code nodeId}, or null: the allocation-free variant for the send path. */
  public SocketAddress getOrNull(long nodeId) {
    return byNode.get(nodeId);
  }

  /** A snapshot of the directory, ordered by node id. */
  public Map<Long, SocketAddress> snapshot() {
    return new TreeMap<>(byNode);
  }

  /**
   * Parses {@code "host:port"} (or {@code "[ipv6]:port"}) into an unresolved-style Vert.x socket address.
   *
   * @throws IllegalArgumentException with the offending text when it is not {@code host:port}
   */
  public static SocketAddress parse(String hostPort) {
    if (hostPort == null) {
      throw new IllegalArgumentException("address must be host:port, was null");
    }
    String s = hostPort.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("address must be host:port, was '" + hostPort + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("IPv6 hosts must be in brackets ([::1]:7001), was '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address must be host:port, was '" + hostPort + "'");
    }
    if (host.isEmpty() || port <= 0 || port > 65535) {
      throw new IllegalArgumentException("address must be host:port with a port in 1..65535, was '" + hostPort + "'");
    }
    return SocketAddress.inetSocketAddress(port, host);
  }

  @Override
  public String toString() {
    return "PeerAddresses" + snapshot();
  }
}
