package io.raftoral.transport;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What every network transport (gRPC, HTTP) is configured with: where its own server listens, how long a connect may
 * take, the reconnect backoff to an unreachable peer ({@link PeerBackoff}), and TLS. A protocol's options extend this
 * with their own limits. Vert.x style: defaults in {@code DEFAULT_*} constants, fluent setters that validate (typed
 * as the subclass, {@code O}), a copy constructor that copies fields, and a JSON round trip whose keys the subclass
 * extends ({@link #toJson()}).
 *
 * @param <O> the concrete options class, which the fluent setters return
 */
public abstract class NetworkTransportOptions<O extends NetworkTransportOptions<O>> {

  /** Listen on every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The quickstart's first node port; use 0 for an ephemeral port (tests). */
  public static final int DEFAULT_PORT = 7001;
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;
  public static final long DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS = 50;
  public static final long DEFAULT_RECONNECT_MAX_DELAY_MILLIS = 2_000;

  /** The highest TCP port. */
  private static final int MAX_PORT = 65_535;
  /** Frame, body and queue limits below this would refuse ordinary heartbeats' batches. */
  protected static final int MIN_BUFFER_BYTES = 1024;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
  private long reconnectInitialDelayMillis = DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS;
  private long reconnectMaxDelayMillis = DEFAULT_RECONNECT_MAX_DELAY_MILLIS;
  private TransportTlsOptions tls = new TransportTlsOptions();

  protected NetworkTransportOptions() {}

  protected NetworkTransportOptions(NetworkTransportOptions<?> other) {
    Objects.requireNonNull(other, "other");
    this.host = other.host;
    this.port = other.port;
    this.connectTimeoutMillis = other.connectTimeoutMillis;
    this.reconnectInitialDelayMillis = other.reconnectInitialDelayMillis;
    this.reconnectMaxDelayMillis = other.reconnectMaxDelayMillis;
    this.tls = new TransportTlsOptions(other.tls);
  }

  /** Reads the keys of {@link #toJson()} that this class writes; a missing key keeps its default. */
  protected NetworkTransportOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setConnectTimeoutMillis(json.getLong("connectTimeoutMillis", DEFAULT_CONNECT_TIMEOUT_MILLIS));
    setReconnectInitialDelayMillis(json.getLong("reconnectInitialDelayMillis", DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS));
    setReconnectMaxDelayMillis(json.getLong("reconnectMaxDelayMillis", DEFAULT_RECONNECT_MAX_DELAY_MILLIS));
    JsonObject tlsJson = json.getJsonObject("tls");
    setTls(tlsJson == null ? new TransportTlsOptions() : new TransportTlsOptions(tlsJson));
  }

  /** The shared keys; a subclass adds its own to this object. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("connectTimeoutMillis", connectTimeoutMillis)
        .put("reconnectInitialDelayMillis", reconnectInitialDelayMillis)
        .put("reconnectMaxDelayMillis", reconnectMaxDelayMillis)
        .put("tls", tls.toJson());
  }

  @SuppressWarnings("unchecked")
  private O self() {
    return (O) this;
  }

  /** {@code value}, or an {@link IllegalArgumentException} naming {@code name} when it is below {@code min}. */
  protected static long requireAtLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
    }
    return value;
  }

  /** Like {@link #requireAtLeast(String, long, long)} for int settings. */
  protected static int requireAtLeast(String name, int value, int min) {
    return (int) requireAtLeast(name, (long) value, min);
  }

  public String getHost() { return host; }

  /** Interface the transport's own server binds to. */
  public O setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    this.host = host;
    return self();
  }

  public int getPort() { return port; }

  /** Port of the transport's own server; 0 picks a free one (the transport's {@code actualPort()}). */
  public O setPort(int port) {
    if (port < 0 || port > MAX_PORT) {
      throw new IllegalArgumentException("port must be in 0.." + MAX_PORT + ", was " + port);
    }
    this.port = port;
    return self();
  }

  public long getConnectTimeoutMillis() { return connectTimeoutMillis; }

  public O setConnectTimeoutMillis(long millis) {
    if (millis < 1 || millis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeoutMillis must be in 1..2^31-1, was " + millis);
    }
    this.connectTimeoutMillis = millis;
    return self();
  }

  public long getReconnectInitialDelayMillis() { return reconnectInitialDelayMillis; }

  /** First delay before trying a peer again after a connection failure; doubles per failure up to the maximum. */
  public O setReconnectInitialDelayMillis(long millis) {
    this.reconnectInitialDelayMillis = requireAtLeast("reconnectInitialDelayMillis", millis, 1);
    return self();
  }

  public long getReconnectMaxDelayMillis() { return reconnectMaxDelayMillis; }

  public O setReconnectMaxDelayMillis(long millis) {
    this.reconnectMaxDelayMillis = requireAtLeast("reconnectMaxDelayMillis", millis, 1);
    return self();
  }

  public TransportTlsOptions getTls() { return tls; }

  /** TLS between nodes (server side for the transport's own server, client side for every connection to a peer). */
  public O setTls(TransportTlsOptions tls) {
    this.tls = new TransportTlsOptions(Objects.requireNonNull(tls, "tls"));
    return self();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + toJson().encode();
  }
}
