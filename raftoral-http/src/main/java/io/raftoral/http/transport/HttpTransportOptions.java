package io.raftoral.http.transport;

import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of an {@link HttpTransport}: where its own server listens (when it has one), the Raft endpoint's path,
 * body and in-flight limits, connection pooling and TLS. Vert.x style: defaults in {@code DEFAULT_*} constants,
 * fluent validating setters, a copy constructor and a JSON round trip.
 */
public final class HttpTransportOptions {

  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The quickstart's first node port; use 0 for an ephemeral port (tests). */
  public static final int DEFAULT_PORT = 7001;
  /** The Raft endpoint: versioned like the wire schema, so a v2 can be served beside it. */
  public static final String DEFAULT_PATH = "/raft/v1/batch";
  /** Largest request body sent or accepted (413 beyond); bounds snapshot messages too, so it is generous. */
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
  /** Requests to one peer that may await their response; more batches to that peer are dropped and counted. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_PEER = 64;
  /**
   * Keep-alive connections per peer. One keeps batches in order (with pipelining, many requests share it), which
   * spares Raft the rejections and retransmissions that reordered appends cause.
   */
  public static final int DEFAULT_CONNECTIONS_PER_PEER = 1;
  public static final boolean DEFAULT_PIPELINING = true;
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;
  /** A request without a response for this long fails (and frees its in-flight slot). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;
  public static final long DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS = 50;
  public static final long DEFAULT_RECONNECT_MAX_DELAY_MILLIS = 2_000;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String path = DEFAULT_PATH;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxInFlightPerPeer = DEFAULT_MAX_IN_FLIGHT_PER_PEER;
  private int connectionsPerPeer = DEFAULT_CONNECTIONS_PER_PEER;
  private boolean pipelining = DEFAULT_PIPELINING;
  private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
  private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
  private long reconnectInitialDelayMillis = DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS;
  private long reconnectMaxDelayMillis = DEFAULT_RECONNECT_MAX_DELAY_MILLIS;
  private TransportTlsOptions tls = new TransportTlsOptions();

  public HttpTransportOptions() {}

  public HttpTransportOptions(HttpTransportOptions other) {
    this(other.toJson());
  }

  public HttpTransportOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setPath(json.getString("path", DEFAULT_PATH));
    setMaxBodyBytes(json.getInteger("maxBodyBytes", DEFAULT_MAX_BODY_BYTES));
    setMaxInFlightPerPeer(json.getInteger("maxInFlightPerPeer", DEFAULT_MAX_IN_FLIGHT_PER_PEER));
    setConnectionsPerPeer(json.getInteger("connectionsPerPeer", DEFAULT_CONNECTIONS_PER_PEER));
    setPipelining(json.getBoolean("pipelining", DEFAULT_PIPELINING));
    setConnectTimeoutMillis(json.getLong("connectTimeoutMillis", DEFAULT_CONNECT_TIMEOUT_MILLIS));
    setRequestTimeoutMillis(json.getLong("requestTimeoutMillis", DEFAULT_REQUEST_TIMEOUT_MILLIS));
    setReconnectInitialDelayMillis(json.getLong("reconnectInitialDelayMillis", DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS));
    setReconnectMaxDelayMillis(json.getLong("reconnectMaxDelayMillis", DEFAULT_RECONNECT_MAX_DELAY_MILLIS));
    JsonObject tlsJson = json.getJsonObject("tls");
    setTls(tlsJson == null ? new TransportTlsOptions() : new TransportTlsOptions(tlsJson));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("path", path)
        .put("maxBodyBytes", maxBodyBytes)
        .put("maxInFlightPerPeer", maxInFlightPerPeer)
        .put("connectionsPerPeer", connectionsPerPeer)
        .put("pipelining", pipelining)
        .put("connectTimeoutMillis", connectTimeoutMillis)
        .put("requestTimeoutMillis", requestTimeoutMillis)
        .put("reconnectInitialDelayMillis", reconnectInitialDelayMillis)
        .put("reconnectMaxDelayMillis", reconnectMaxDelayMillis)
        .put("tls", tls.toJson());
  }

  public String getHost() { return host; }

  /** Interface the server of {@link HttpTransport#listen()} binds to. */
  public HttpTransportOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    this.host = host;
    return this;
  }

  public int getPort() { return port; }

  /** Port of {@link HttpTransport#listen()}; 0 picks a free one ({@link HttpTransport#actualPort()}). */
  public HttpTransportOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  public String getPath() { return path; }

  /** Path of the Raft endpoint, on this node's server and on every peer's. */
  public HttpTransportOptions setPath(String path) {
    if (path == null || !path.startsWith("/") || path.contains("*") || path.contains(":")) {
      throw new IllegalArgumentException("path must be a plain absolute path like /raft/v1/batch, was " + path);
    }
    this.path = path;
    return this;
  }

  public int getMaxBodyBytes() { return maxBodyBytes; }

  public HttpTransportOptions setMaxBodyBytes(int maxBodyBytes) {
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 1024, was " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  public int getMaxInFlightPerPeer() { return maxInFlightPerPeer; }

  public HttpTransportOptions setMaxInFlightPerPeer(int maxInFlightPerPeer) {
    if (maxInFlightPerPeer < 1) {
      throw new IllegalArgumentException("maxInFlightPerPeer must be >= 1, was " + maxInFlightPerPeer);
    }
    this.maxInFlightPerPeer = maxInFlightPerPeer;
    return this;
  }

  public int getConnectionsPerPeer() { return connectionsPerPeer; }

  public HttpTransportOptions setConnectionsPerPeer(int connectionsPerPeer) {
    if (connectionsPerPeer < 1) {
      throw new IllegalArgumentException("connectionsPerPeer must be >= 1, was " + connectionsPerPeer);
    }
    this.connectionsPerPeer = connectionsPerPeer;
    return this;
  }

  public boolean isPipelining() { return pipelining; }

  /** HTTP/1.1 pipelining: many requests in flight on one connection, answered in order. */
  public HttpTransportOptions setPipelining(boolean pipelining) {
    this.pipelining = pipelining;
    return this;
  }

  public long getConnectTimeoutMillis() { return connectTimeoutMillis; }

  public HttpTransportOptions setConnectTimeoutMillis(long millis) {
    if (millis < 1 || millis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeoutMillis must be in 1..2^31-1, was " + millis);
    }
    this.connectTimeoutMillis = millis;
    return this;
  }

  public long getRequestTimeoutMillis() { return requestTimeoutMillis; }

  public HttpTransportOptions setRequestTimeoutMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("requestTimeoutMillis must be >= 1, was " + millis);
    }
    this.requestTimeoutMillis = millis;
    return this;
  }

  public long getReconnectInitialDelayMillis() { return reconnectInitialDelayMillis; }

  /** After a connection failure, batches to that peer are dropped for this long, doubling per failure. */
  public HttpTransportOptions setReconnectInitialDelayMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("reconnectInitialDelayMillis must be >= 1, was " + millis);
    }
    this.reconnectInitialDelayMillis = millis;
    return this;
  }

  public long getReconnectMaxDelayMillis() { return reconnectMaxDelayMillis; }

  public HttpTransportOptions setReconnectMaxDelayMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("reconnectMaxDelayMillis must be >= 1, was " + millis);
    }
    this.reconnectMaxDelayMillis = millis;
    return this;
  }

  public TransportTlsOptions getTls() { return tls; }

  /** TLS between nodes (server side for {@link HttpTransport#listen()}, client side for every request to a peer). */
  public HttpTransportOptions setTls(TransportTlsOptions tls) {
    this.tls = new TransportTlsOptions(Objects.requireNonNull(tls, "tls"));
    return this;
  }

  @Override
  public String toString() {
    return "HttpTransportOptions" + toJson().encode();
  }
}
