package io.raftoral.http.transport;

import io.raftoral.transport.NetworkTransportOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of an {@link HttpTransport}: beside what every network transport has ({@link NetworkTransportOptions}:
 * host and port of {@link HttpTransport#listen()}, connect timeout, reconnect backoff, TLS), the Raft endpoint's
 * path, body and in-flight limits, connection pooling and the request timeout. Defaults in {@code DEFAULT_*}
 * constants, fluent validating setters, a copy constructor and a JSON round trip.
 */
public final class HttpTransportOptions extends NetworkTransportOptions<HttpTransportOptions> {

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
  /** A request without a response for this long fails (and frees its in-flight slot). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 5_000;

  private String path = DEFAULT_PATH;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxInFlightPerPeer = DEFAULT_MAX_IN_FLIGHT_PER_PEER;
  private int connectionsPerPeer = DEFAULT_CONNECTIONS_PER_PEER;
  private boolean pipelining = DEFAULT_PIPELINING;
  private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;

  public HttpTransportOptions() {}

  public HttpTransportOptions(HttpTransportOptions other) {
    super(Objects.requireNonNull(other, "other"));
    this.path = other.path;
    this.maxBodyBytes = other.maxBodyBytes;
    this.maxInFlightPerPeer = other.maxInFlightPerPeer;
    this.connectionsPerPeer = other.connectionsPerPeer;
    this.pipelining = other.pipelining;
    this.requestTimeoutMillis = other.requestTimeoutMillis;
  }

  public HttpTransportOptions(JsonObject json) {
    super(json);
    setPath(json.getString("path", DEFAULT_PATH));
    setMaxBodyBytes(json.getInteger("maxBodyBytes", DEFAULT_MAX_BODY_BYTES));
    setMaxInFlightPerPeer(json.getInteger("maxInFlightPerPeer", DEFAULT_MAX_IN_FLIGHT_PER_PEER));
    setConnectionsPerPeer(json.getInteger("connectionsPerPeer", DEFAULT_CONNECTIONS_PER_PEER));
    setPipelining(json.getBoolean("pipelining", DEFAULT_PIPELINING));
    setRequestTimeoutMillis(json.getLong("requestTimeoutMillis", DEFAULT_REQUEST_TIMEOUT_MILLIS));
  }

  @Override
  public JsonObject toJson() {
    return super.toJson()
        .put("path", path)
        .put("maxBodyBytes", maxBodyBytes)
        .put("maxInFlightPerPeer", maxInFlightPerPeer)
        .put("connectionsPerPeer", connectionsPerPeer)
        .put("pipelining", pipelining)
        .put("requestTimeoutMillis", requestTimeoutMillis);
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
    this.maxBodyBytes = requireAtLeast("maxBodyBytes", maxBodyBytes, MIN_BUFFER_BYTES);
    return this;
  }

  public int getMaxInFlightPerPeer() { return maxInFlightPerPeer; }

  public HttpTransportOptions setMaxInFlightPerPeer(int maxInFlightPerPeer) {
    this.maxInFlightPerPeer = requireAtLeast("maxInFlightPerPeer", maxInFlightPerPeer, 1);
    return this;
  }

  public int getConnectionsPerPeer() { return connectionsPerPeer; }

  public HttpTransportOptions setConnectionsPerPeer(int connectionsPerPeer) {
    this.connectionsPerPeer = requireAtLeast("connectionsPerPeer", connectionsPerPeer, 1);
    return this;
  }

  public boolean isPipelining() { return pipelining; }

  /** HTTP/1.1 pipelining: many requests in flight on one connection, answered in order. */
  public HttpTransportOptions setPipelining(boolean pipelining) {
    this.pipelining = pipelining;
    return this;
  }

  public long getRequestTimeoutMillis() { return requestTimeoutMillis; }

  public HttpTransportOptions setRequestTimeoutMillis(long millis) {
    this.requestTimeoutMillis = requireAtLeast("requestTimeoutMillis", millis, 1);
    return this;
  }
}
