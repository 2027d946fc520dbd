package io.raftoral.client;

import io.raftoral.workflow.JsonWorkflowClient;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the network {@link JsonWorkflowClient}s share, whatever their protocol: the nodes they call with failover
 * ({@link NodeFailover}) and the time one call may take, both from their {@link NetworkClientOptions}, and the
 * protocol's own client, which {@link #close()} closes. A protocol's client adds how one call is sent.
 *
 * @param <C> the protocol's client (a gRPC client, a web client)
 */
public abstract class NetworkWorkflowClient<C> implements JsonWorkflowClient, AutoCloseable {

  /** Default time for one call (a wait gets its own timeout plus this). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = NetworkClientOptions.DEFAULT_REQUEST_TIMEOUT_MILLIS;

  private final NodeFailover nodes;
  private final long requestTimeoutMillis;
  private final C client;
  private final Consumer<C> closer;

  /**
   * Checks the addresses of {@code options} (at least one, each {@code host:port}).
   *
   * @param client the protocol's client, made from {@code options}' TLS
   * @param closer how {@link #close()} closes {@code client}
   */
  protected NetworkWorkflowClient(NetworkClientOptions options, C client, Consumer<C> closer) {
    this.nodes = new NodeFailover(options.getAddresses());
    this.requestTimeoutMillis = options.getRequestTimeoutMillis();
    this.client = Objects.requireNonNull(client, "client");
    this.closer = closer;
  }

  /** The protocol's client. */
  protected final C client() {
    return client;
  }

  /** The nodes, the one that answered last first. */
  protected final NodeFailover nodes() {
    return nodes;
  }

  /** Time for one call. */
  protected final long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  /** Closes the protocol's underlying client. */
  @Override
  public void close() {
    closer.accept(client);
  }
}
