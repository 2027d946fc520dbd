package io.raftoral.http.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * {@code GET /metrics}: the node's meters in the Prometheus text exposition format (version 0.0.4), for a Prometheus
 * server to scrape ({@code curl localhost:7001/metrics}). What it shows is whatever was registered in the registry:
 * Raftoral's meters ({@link io.raftoral.node.RaftoralNode#meterRegistry}) and Vert.x's own when the node's Vert.x
 * was made by {@link NodeMetrics#vertx}.
 *
 * <p>Threading: rendering walks every meter, so it runs on a worker thread, never on the event loop.
 */
public final class MetricsEndpoint {

  public static final String PATH = "/metrics";
  /** The Prometheus text format's content type (what {@link PrometheusMeterRegistry#scrape()} writes). */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final int INTERNAL_SERVER_ERROR = 500;

  private final PrometheusMeterRegistry registry;

  public MetricsEndpoint(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Adds {@code GET /metrics} to {@code router}. */
  public Router mount(Router router) {
    router.get(PATH).handler(this::scrape);
    return router;
  }

  private void scrape(RoutingContext rc) {
    rc.vertx().executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(ar.result());
      } else {
        rc.response().setStatusCode(INTERNAL_SERVER_ERROR).end(String.valueOf(ar.cause()));
      }
    });
  }
}
