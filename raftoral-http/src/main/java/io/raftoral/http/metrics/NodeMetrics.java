package io.raftoral.http.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Objects;

/**
 * What a node needs for its metrics: a Prometheus registry, and a Vert.x whose own metrics (HTTP server and client,
 * event bus, pools, and the JVM's) go to the same registry through {@code vertx-micrometer-metrics}.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = NodeMetrics.newRegistry();
 * Vertx vertx = NodeMetrics.vertx(new VertxOptions(), registry);
 * RaftoralNode node = new RaftoralNode(...).meterRegistry(registry);
 * new MetricsEndpoint(registry).mount(router);   // GET /metrics
 * }</pre>
 */
public final class NodeMetrics {

  private NodeMetrics() {
  }

  /** A new Prometheus registry with the default settings. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A Vert.x with {@code options} whose metrics, and the JVM's, are registered in {@code registry} (the metrics
   * options of {@code options} are replaced).
   */
  public static Vertx vertx(VertxOptions options, MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    VertxOptions withMetrics = new VertxOptions(Objects.requireNonNull(options, "options"))
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    return Vertx.builder().with(withMetrics).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }
}
