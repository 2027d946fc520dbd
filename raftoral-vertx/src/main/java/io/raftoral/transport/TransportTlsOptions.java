package io.raftoral.transport;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TLS between Raftoral nodes, shared by the gRPC and HTTP transports: this node's certificate and private key (PEM
 * files), the certificate authorities it trusts for its peers (PEM files), and whether nodes must also present a
 * client certificate to each other (mutual TLS). Every node is both server (for inbound traffic) and client (for
 * outbound traffic), so one set of files serves both directions.
 *
 * <p>Disabled by default. When enabled, a certificate, a key and at least one trusted CA are required (checked by
 * {@link #validate()}, which the transports call before they listen or connect).
 */
public final class TransportTlsOptions {

  public static final boolean DEFAULT_ENABLED = false;
  public static final boolean DEFAULT_MUTUAL = false;
  /** Peers' certificates must name the host they are reached at, as any TLS client checks. */
  public static final boolean DEFAULT_VERIFY_HOSTNAME = true;

  private boolean enabled = DEFAULT_ENABLED;
  private String certPath;
  private String keyPath;
  private List<String> trustedCaPaths = new ArrayList<>();
  private boolean mutual = DEFAULT_MUTUAL;
  private boolean verifyHostname = DEFAULT_VERIFY_HOSTNAME;

  public TransportTlsOptions() {}

  public TransportTlsOptions(TransportTlsOptions other) {
    this.enabled = other.enabled;
    this.certPath = other.certPath;
    this.keyPath = other.keyPath;
    this.trustedCaPaths = new ArrayList<>(other.trustedCaPaths);
    this.mutual = other.mutual;
    this.verifyHostname = other.verifyHostname;
  }

  public TransportTlsOptions(JsonObject json) {
    setEnabled(json.getBoolean("enabled", DEFAULT_ENABLED));
    setCertPath(json.getString("certPath"));
    setKeyPath(json.getString("keyPath"));
    JsonArray cas = json.getJsonArray("trustedCaPaths", new JsonArray());
    for (Object ca : cas) {
      addTrustedCaPath((String) ca);
    }
    setMutual(json.getBoolean("mutual", DEFAULT_MUTUAL));
    setVerifyHostname(json.getBoolean("verifyHostname", DEFAULT_VERIFY_HOSTNAME));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("enabled", enabled);
    if (certPath != null) {
      json.put("certPath", certPath);
    }
    if (keyPath != null) {
      json.put("keyPath", keyPath);
    }
    return json.put("trustedCaPaths", new JsonArray(new ArrayList<>(trustedCaPaths)))
        .put("mutual", mutual)
        .put("verifyHostname", verifyHostname);
  }

  public boolean isEnabled() { return enabled; }

  public TransportTlsOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public String getCertPath() { return certPath; }

  /** This node's certificate chain (PEM), presented to peers connecting here and, with mutual TLS, to peers it connects to. */
  public TransportTlsOptions setCertPath(String certPath) {
    this.certPath = certPath;
    return this;
  }

  public String getKeyPath() { return keyPath; }

  /** The private key (PEM, PKCS#8 or PKCS#1) of {@link #getCertPath()}. */
  public TransportTlsOptions setKeyPath(String keyPath) {
    this.keyPath = keyPath;
    return this;
  }

  public List<String> getTrustedCaPaths() { return List.copyOf(trustedCaPaths); }

  /** The certificates (PEM) this node trusts: the CA that signed the nodes' certificates, or the peers' own. */
  public TransportTlsOptions setTrustedCaPaths(List<String> paths) {
    this.trustedCaPaths = new ArrayList<>(Objects.requireNonNull(paths, "paths"));
    return this;
  }

  public TransportTlsOptions addTrustedCaPath(String path) {
    trustedCaPaths.add(Objects.requireNonNull(path, "path"));
    return this;
  }

  public boolean isMutual() { return mutual; }

  /** Mutual TLS: inbound connections must present a certificate signed by a trusted CA, and outbound ones present this node's. */
  public TransportTlsOptions setMutual(boolean mutual) {
    this.mutual = mutual;
    return this;
  }

  public boolean isVerifyHostname() { return verifyHostname; }

  /**
   * Whether outbound connections check that the peer's certificate names the host in its address. Turn off only when
   * nodes are reached at addresses their certificates cannot name (the CA check still applies).
   */
  public TransportTlsOptions setVerifyHostname(boolean verifyHostname) {
    this.verifyHostname = verifyHostname;
    return this;
  }

  /**
   * Checks that an enabled configuration is complete.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public void validate() {
    if (!enabled) {
      return;
    }
    if (certPath == null || keyPath == null) {
      throw new IllegalArgumentException("TLS is enabled but the node certificate or key (PEM) is not set");
    }
    if (trustedCaPaths.isEmpty()) {
      throw new IllegalArgumentException("TLS is enabled but no trusted CA certificate (PEM) is set");
    }
  }

  /** Configures {@code server} (inbound traffic) with these settings; a no-op when disabled. */
  public HttpServerOptions applyTo(HttpServerOptions server) {
    validate();
    if (!enabled) {
      return server;
    }
    server.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath))
        .setTrustOptions(trust())
        // ALPN lets one TLS port serve HTTP/2 (gRPC) and HTTP/1.1 alike.
        .setUseAlpn(true)
        .setClientAuth(mutual ? ClientAuth.REQUIRED : ClientAuth.NONE);
    return server;
  }

  /** Configures {@code client} (outbound traffic to peers) with these settings; a no-op when disabled. */
  public HttpClientOptions applyTo(HttpClientOptions client) {
    validate();
    if (!enabled) {
      return client;
    }
    client.setSsl(true).setUseAlpn(true).setTrustOptions(trust()).setVerifyHost(verifyHostname);
    if (mutual) {
      client.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath));
    }
    return client;
  }

  private PemTrustOptions trust() {
    PemTrustOptions trust = new PemTrustOptions();
    trustedCaPaths.forEach(trust::addCertPath);
    return trust;
  }

  @Override
  public String toString() {
    return "TransportTlsOptions" + toJson().encode();
  }
}
