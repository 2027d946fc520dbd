package io.raftoral.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code host:port} address of a node ({@code [v6]:port} for IPv6), as the network clients take their seed and
 * node addresses.
 */
public record HostPort(String host, int port) {

  /** @throws IllegalArgumentException naming the text when it is not host:port with a port in 1..65535 */
  public static HostPort parse(String address) {
    String a = address == null ? "" : address.trim();
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException("address '" + address + "' is not host:port");
    }
    String host = a.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address '" + address + "' has no numeric port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("address '" + address + "' has port out of range");
    }
    return new HostPort(host, port);
  }

  /** @throws IllegalArgumentException when the list is empty or an address is not host:port */
  public static List<HostPort> parseAll(List<String> addresses) {
    if (addresses == null || addresses.isEmpty()) {
      throw new IllegalArgumentException("at least one address (host:port) is needed");
    }
    List<HostPort> all = new ArrayList<>();
    addresses.forEach(a -> all.add(parse(a)));
    return List.copyOf(all);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
