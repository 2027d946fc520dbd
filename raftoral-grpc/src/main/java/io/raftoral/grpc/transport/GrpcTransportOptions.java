package io.raftoral.grpc.transport;

import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of a {@link GrpcTransport}: where its server listens, frame and queue limits, reconnect backoff, and TLS.
 * Vert.x style: defaults in {@code DEFAULT_*} constants, fluent setters that validate, a copy constructor and a JSON
 * round trip ({@link #GrpcTransportOptions(JsonObject)} / {@link #toJson()}).
 */
public final class GrpcTransportOptions {

  /** Listen on every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The quickstart's first node port; use 0 for an ephemeral port (tests). */
  public static final int DEFAULT_PORT = 7001;
  /** Largest batch frame sent or accepted; bounds snapshot messages too, so it is generous. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  /** Bytes a peer stream may buffer before it counts as full and further batches to that peer are dropped. */
  public static final int DEFAULT_STREAM_WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
  /** Batches held for a peer while its stream is being opened; more are dropped. */
  public static final int DEFAULT_MAX_BATCHES_WHILE_CONNECTING = 256;
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;
  public static final long DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS = 50;
  public static final long DEFAULT_RECONNECT_MAX_DELAY_MILLIS = 2_000;
  /** A stream that stays full this long is considered dead (peer gone without closing the socket) and is replaced. */
  public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 5_000;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private int streamWriteQueueBytes = DEFAULT_STREAM_WRITE_QUEUE_BYTES;
  private int maxBatchesWhileConnecting = DEFAULT_MAX_BATCHES_WHILE_CONNECTING;
  private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
  private long reconnectInitialDelayMillis = DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS;
  private long reconnectMaxDelayMillis = DEFAULT_RECONNECT_MAX_DELAY_MILLIS;
  private long stallTimeoutMillis = DEFAULT_STALL_TIMEOUT_MILLIS;
  private TransportTlsOptions tls = new TransportTlsOptions();

  public GrpcTransportOptions() {}

  public GrpcTransportOptions(GrpcTransportOptions other) {
    this(other.toJson());
  }

  public GrpcTransportOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setMaxFrameBytes(json.getInteger("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES));
    setStreamWriteQueueBytes(json.getInteger("streamWriteQueueBytes", DEFAULT_STREAM_WRITE_QUEUE_BYTES));
    setMaxBatchesWhileConnecting(json.getInteger("maxBatchesWhileConnecting", DEFAULT_MAX_BATCHES_WHILE_CONNECTING));
    setConnectTimeoutMillis(json.getLong("connectTimeoutMillis", DEFAULT_CONNECT_TIMEOUT_MILLIS));
    setReconnectInitialDelayMillis(json.getLong("reconnectInitialDelayMillis", DEFAULT_RECONNECT_INITIAL_DELAY_MILLIS));
    setReconnectMaxDelayMillis(json.getLong("reconnectMaxDelayMillis", DEFAULT_RECONNECT_MAX_DELAY_MILLIS));
    setStallTimeoutMillis(json.getLong("stallTimeoutMillis", DEFAULT_STALL_TIMEOUT_MILLIS));
    JsonObject tlsJson = json.getJsonObject("tls");
    setTls(tlsJson == null ? new TransportTlsOptions() : new TransportTlsOptions(tlsJson));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("maxFrameBytes", maxFrameBytes)
        .put("streamWriteQueueBytes", streamWriteQueueBytes)
        .put("maxBatchesWhileConnecting", maxBatchesWhileConnecting)
        .put("connectTimeoutMillis", connectTimeoutMillis)
        .put("reconnectInitialDelayMillis", reconnectInitialDelayMillis)
        .put("reconnectMaxDelayMillis", reconnectMaxDelayMillis)
        .put("stallTimeoutMillis", stallTimeoutMillis)
        .put("tls", tls.toJson());
  }

  public String getHost() { return host; }

  /** Interface the server of {@link GrpcTransport#listen()} binds to. */
  public GrpcTransportOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    this.host = host;
    return this;
  }

  public int getPort() { return port; }

  /** Port of {@link GrpcTransport#listen()}; 0 picks a free one ({@link GrpcTransport#actualPort()}). */
  public GrpcTransportOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  public int getMaxFrameBytes() { return maxFrameBytes; }

  /** Largest encoded batch sent (larger ones are dropped and counted) or accepted (RESOURCE_EXHAUSTED). */
  public GrpcTransportOptions setMaxFrameBytes(int maxFrameBytes) {
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException("maxFrameBytes must be >= 1024, was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    return this;
  }

  public int getStreamWriteQueueBytes() { return streamWriteQueueBytes; }

  public GrpcTransportOptions setStreamWriteQueueBytes(int streamWriteQueueBytes) {
    if (streamWriteQueueBytes < 1024) {
      throw new IllegalArgumentException("streamWriteQueueBytes must be >= 1024, was " + streamWriteQueueBytes);
    }
    this.streamWriteQueueBytes = streamWriteQueueBytes;
    return this;
  }

  public int getMaxBatchesWhileConnecting() { return maxBatchesWhileConnecting; }

  public GrpcTransportOptions setMaxBatchesWhileConnecting(int maxBatchesWhileConnecting) {
    if (maxBatchesWhileConnecting < 0) {
      throw new IllegalArgumentException("maxBatchesWhileConnecting must be >= 0, was " + maxBatchesWhileConnecting);
    }
    this.maxBatchesWhileConnecting = maxBatchesWhileConnecting;
    return this;
  }

  public long getConnectTimeoutMillis() { return connectTimeoutMillis; }

  public GrpcTransportOptions setConnectTimeoutMillis(long connectTimeoutMillis) {
    if (connectTimeoutMillis < 1 || connectTimeoutMillis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeoutMillis must be in 1..2^31-1, was " + connectTimeoutMillis);
    }
    this.connectTimeoutMillis = connectTimeoutMillis;
    return this;
  }

  public long getReconnectInitialDelayMillis() { return reconnectInitialDelayMillis; }

  /** First delay before reconnecting to a peer whose stream broke; doubles per failure up to the maximum. */
  public GrpcTransportOptions setReconnectInitialDelayMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("reconnectInitialDelayMillis must be >= 1, was " + millis);
    }
    this.reconnectInitialDelayMillis = millis;
    return this;
  }

  public long getReconnectMaxDelayMillis() { return reconnectMaxDelayMillis; }

  public GrpcTransportOptions setReconnectMaxDelayMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("reconnectMaxDelayMillis must be >= 1, was " + millis);
    }
    this.reconnectMaxDelayMillis = millis;
    return this;
  }

  public long getStallTimeoutMillis() { return stallTimeoutMillis; }

  public GrpcTransportOptions setStallTimeoutMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("stallTimeoutMillis must be >= 1, was " + millis);
    }
    this.stallTimeoutMillis = millis;
    return this;
  }

  public TransportTlsOptions getTls() { return tls; }

  /** TLS between nodes (server side for {@link GrpcTransport#listen()}, client side for every peer stream). */
  public GrpcTransportOptions setTls(TransportTlsOptions tls) {
    this.tls = new TransportTlsOptions(Objects.requireNonNull(tls, "tls"));
    return this;
  }

  @Override
  public String toString() {
    return "GrpcTransportOptions" + toJson().encode();
  }
}
