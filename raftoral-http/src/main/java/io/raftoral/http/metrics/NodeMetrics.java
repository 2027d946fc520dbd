package io.raftoral.http.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
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

  private static final String REGISTRY_NAME_PREFIX = "raftoral-";

  private NodeMetrics() {
  }

  /** A new Prometheus registry with the default settings and the JVM's meters (memory, GC, threads, classes, CPU). */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  /**
   * A Vert.x with {@code options} whose metrics are registered in {@code registry} (the metrics options of
   * {@code options} are replaced; the JVM's meters come with {@link #newRegistry()}).
   */
  public static Vertx vertx(VertxOptions options, MeterRegistry registry) {
    return builder(options, registry).build();
  }

  /** {@link #vertx} as a builder, for a Vert.x that also needs other SPIs (a tracer). */
  public static VertxBuilder builder(VertxOptions options, MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    VertxOptions withMetrics = new VertxOptions(Objects.requireNonNull(options, "options"))
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            // vertx-micrometer-metrics keeps its registries by name, JVM-wide: a name of this registry's own keeps
            // several nodes of one JVM (tests, embedded clusters) from reporting into the first one's registry
            .setRegistryName(REGISTRY_NAME_PREFIX + System.identityHashCode(registry)));
    return Vertx.builder().with(withMetrics).withMetrics(new MicrometerMetricsFactory(registry));
  }
}
