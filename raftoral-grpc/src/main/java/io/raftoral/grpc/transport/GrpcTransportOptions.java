package io.raftoral.grpc.transport;

import io.raftoral.transport.NetworkTransportOptions;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Settings of a {@link GrpcTransport}: beside what every network transport has ({@link NetworkTransportOptions}:
 * host and port of {@link GrpcTransport#listen()}, connect timeout, reconnect backoff, TLS), the frame and stream
 * limits of gRPC streams. Defaults in {@code DEFAULT_*} constants, fluent setters that validate, a copy constructor
 * and a JSON round trip ({@link #GrpcTransportOptions(JsonObject)} / {@link #toJson()}).
 */
public final class GrpcTransportOptions extends NetworkTransportOptions<GrpcTransportOptions> {

  /** Largest batch frame sent or accepted; bounds snapshot messages too, so it is generous. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  /** Bytes a peer stream may buffer before it counts as full and further batches to that peer are dropped. */
  public static final int DEFAULT_STREAM_WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
  /** Batches held for a peer while its stream is being opened; more are dropped. */
  public static final int DEFAULT_MAX_BATCHES_WHILE_CONNECTING = 256;
  /** A stream that stays full this long is considered dead (peer gone without closing the socket) and is replaced. */
  public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 5_000;

  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private int streamWriteQueueBytes = DEFAULT_STREAM_WRITE_QUEUE_BYTES;
  private int maxBatchesWhileConnecting = DEFAULT_MAX_BATCHES_WHILE_CONNECTING;
  private long stallTimeoutMillis = DEFAULT_STALL_TIMEOUT_MILLIS;

  public GrpcTransportOptions() {}

  public GrpcTransportOptions(GrpcTransportOptions other) {
    super(Objects.requireNonNull(other, "other"));
    this.maxFrameBytes = other.maxFrameBytes;
    this.streamWriteQueueBytes = other.streamWriteQueueBytes;
    this.maxBatchesWhileConnecting = other.maxBatchesWhileConnecting;
    this.stallTimeoutMillis = other.stallTimeoutMillis;
  }

  public GrpcTransportOptions(JsonObject json) {
    super(json);
    setMaxFrameBytes(json.getInteger("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES));
    setStreamWriteQueueBytes(json.getInteger("streamWriteQueueBytes", DEFAULT_STREAM_WRITE_QUEUE_BYTES));
    setMaxBatchesWhileConnecting(json.getInteger("maxBatchesWhileConnecting", DEFAULT_MAX_BATCHES_WHILE_CONNECTING));
    setStallTimeoutMillis(json.getLong("stallTimeoutMillis", DEFAULT_STALL_TIMEOUT_MILLIS));
  }

  @Override
  public JsonObject toJson() {
    return super.toJson()
        .put("maxFrameBytes", maxFrameBytes)
        .put("streamWriteQueueBytes", streamWriteQueueBytes)
        .put("maxBatchesWhileConnecting", maxBatchesWhileConnecting)
        .put("stallTimeoutMillis", stallTimeoutMillis);
  }

  public int getMaxFrameBytes() { return maxFrameBytes; }

  /** Largest encoded batch sent (larger ones are dropped and counted) or accepted (RESOURCE_EXHAUSTED). */
  public GrpcTransportOptions setMaxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = requireAtLeast("maxFrameBytes", maxFrameBytes, MIN_BUFFER_BYTES);
    return this;
  }

  public int getStreamWriteQueueBytes() { return streamWriteQueueBytes; }

  public GrpcTransportOptions setStreamWriteQueueBytes(int streamWriteQueueBytes) {
    this.streamWriteQueueBytes = requireAtLeast("streamWriteQueueBytes", streamWriteQueueBytes, MIN_BUFFER_BYTES);
    return this;
  }

  public int getMaxBatchesWhileConnecting() { return maxBatchesWhileConnecting; }

  /** Batches held for a peer while its stream opens; 0 drops them all until it is open. */
  public GrpcTransportOptions setMaxBatchesWhileConnecting(int maxBatchesWhileConnecting) {
    this.maxBatchesWhileConnecting = requireAtLeast("maxBatchesWhileConnecting", maxBatchesWhileConnecting, 0);
    return this;
  }

  public long getStallTimeoutMillis() { return stallTimeoutMillis; }

  public GrpcTransportOptions setStallTimeoutMillis(long millis) {
    this.stallTimeoutMillis = requireAtLeast("stallTimeoutMillis", millis, 1);
    return this;
  }
}
