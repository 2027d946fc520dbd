package io.raftoral.http.api;

import io.raftoral.transport.TransportTlsOptions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Objects;

/** The web client of the HTTP API's clients: one place that says how TLS is set up on it. */
final class WebClients {

  private WebClients() {
  }

  /** Over HTTPS when {@code tls} is enabled (its CAs are trusted; with mutual TLS its certificate is presented). */
  static WebClient create(Vertx vertx, TransportTlsOptions tls) {
    WebClientOptions web = new WebClientOptions();
    if (tls.isEnabled()) {
      tls.applyTo(web);
    }
    return WebClient.create(Objects.requireNonNull(vertx, "vertx"), web);
  }
}
