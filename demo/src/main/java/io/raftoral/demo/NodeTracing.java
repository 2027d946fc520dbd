package io.raftoral.demo;

import io.micrometer.core.instrument.MeterRegistry;
import io.raftoral.http.metrics.NodeMetrics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Map;

/**
 * The node's tracing (README "Traces"): off unless asked for ({@code --tracing}, or {@code OTEL_SDK_DISABLED=false}
 * set explicitly); then the OpenTelemetry SDK is configured by the standard {@code OTEL_*} environment variables
 * (or {@code otel.*} system properties), and Vert.x traces the REST and gRPC requests it serves and the HTTP
 * requests it sends to other nodes.
 */
final class NodeTracing {

  /** The service name unless {@code OTEL_SERVICE_NAME} says otherwise. */
  static final String DEFAULT_SERVICE_NAME = "raftoral-node";
  private static final String SDK_DISABLED_VARIABLE = "OTEL_SDK_DISABLED";

  /**
   * Defaults under the OTEL_* variables: this node exports traces only (its metrics are Prometheus's, at
   * {@code /metrics}), so the metrics and logs exporters are off unless set.
   */
  private static final Map<String, String> DEFAULTS = Map.of(
      "otel.service.name", DEFAULT_SERVICE_NAME,
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none");

  private NodeTracing() {
  }

  /** Whether the node traces: {@code --tracing}, or the OpenTelemetry SDK enabled explicitly in the environment. */
  static boolean wanted(boolean flag) {
    return flag || "false".equalsIgnoreCase(System.getenv(SDK_DISABLED_VARIABLE));
  }

  /** The SDK as the {@code OTEL_*} environment variables configure it (exporter, endpoint, sampler, resource). */
  static OpenTelemetrySdk fromEnvironment() {
    return AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> DEFAULTS).build()
        .getOpenTelemetrySdk();
  }

  /** Vert.x tracing its HTTP and gRPC servers and clients through {@code openTelemetry}; untraced when null. */
  static Vertx vertx(OpenTelemetry openTelemetry) {
    if (openTelemetry == null) {
      return Vertx.vertx();
    }
    return Vertx.builder().with(new VertxOptions().setTracingOptions(new OpenTelemetryOptions()))
        .withTracer(new OpenTelemetryTracingFactory(openTelemetry)).build();
  }

  /** The node's Vert.x: its own metrics into {@code metrics} (GET /metrics), traced when {@code openTelemetry} is set. */
  static Vertx vertx(OpenTelemetry openTelemetry, MeterRegistry metrics) {
    VertxOptions options = new VertxOptions();
    if (openTelemetry != null) {
      options.setTracingOptions(new OpenTelemetryOptions());
    }
    VertxBuilder builder = NodeMetrics.builder(options, metrics);
    if (openTelemetry != null) {
      builder.withTracer(new OpenTelemetryTracingFactory(openTelemetry));
    }
    return builder.build();
  }
}
