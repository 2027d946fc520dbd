package io.raftoral.client;

import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * What every network client of a node's APIs is configured with, whatever its protocol: the addresses of the nodes
 * it may call ({@code host:port}, tried in turn), the time one call may take, and TLS. Vert.x style: defaults in
 * {@code DEFAULT_*} constants, fluent setters that validate, a copy constructor that copies fields, and a JSON round
 * trip ({@link #NetworkClientOptions(JsonObject)} / {@link #toJson()}).
 */
public final class NetworkClientOptions {

  /** Default time for one call (a workflow client's wait gets its own timeout plus this). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 10_000;

  private List<String> addresses = List.of();
  private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
  private TransportTlsOptions tls = new TransportTlsOptions();

  public NetworkClientOptions() {}

  public NetworkClientOptions(NetworkClientOptions other) {
    Objects.requireNonNull(other, "other");
    this.addresses = other.addresses;
    this.requestTimeoutMillis = other.requestTimeoutMillis;
    this.tls = new TransportTlsOptions(other.tls);
  }

  /** Reads the keys of {@link #toJson()}; a missing key keeps its default. */
  public NetworkClientOptions(JsonObject json) {
    JsonArray list = json.getJsonArray("addresses", new JsonArray());
    setAddresses(list.stream().map(String::valueOf).toList());
    setRequestTimeoutMillis(json.getLong("requestTimeoutMillis", DEFAULT_REQUEST_TIMEOUT_MILLIS));
    JsonObject tlsJson = json.getJsonObject("tls");
    setTls(tlsJson == null ? new TransportTlsOptions() : new TransportTlsOptions(tlsJson));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("addresses", new JsonArray(addresses))
        .put("requestTimeoutMillis", requestTimeoutMillis)
        .put("tls", tls.toJson());
  }

  public List<String> getAddresses() { return addresses; }

  /** The nodes to call ({@code host:port}); a client checks that there is at least one and that each parses. */
  public NetworkClientOptions setAddresses(List<String> addresses) {
    this.addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    return this;
  }

  public long getRequestTimeoutMillis() { return requestTimeoutMillis; }

  public NetworkClientOptions setRequestTimeoutMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis must be >= 1");
    }
    this.requestTimeoutMillis = millis;
    return this;
  }

  public TransportTlsOptions getTls() { return tls; }

  /** TLS when enabled: its CAs are trusted; with mutual TLS its certificate is presented. */
  public NetworkClientOptions setTls(TransportTlsOptions tls) {
    this.tls = new TransportTlsOptions(Objects.requireNonNull(tls, "tls"));
    return this;
  }

  @Override
  public String toString() {
    return "NetworkClientOptions" + toJson().encode();
  }
}
